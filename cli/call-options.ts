/**
 * The options `faxgate t38` and `faxgate call` share (ECM, identity, time limit, time scale),
 * parsed and checked in one place so both commands say the same thing about a bad value.
 */
import { UsageError } from './command.ts';

export const sharedCallOptions = {
  ecm: { type: 'boolean' },
  'no-ecm': { type: 'boolean' },
  csid: { type: 'string' },
  timeout: { type: 'string' },
  'time-scale': { type: 'string' },
} as const;

export interface SharedCallValues {
  readonly ecm?: boolean | undefined;
  readonly 'no-ecm'?: boolean | undefined;
  readonly csid?: string | undefined;
  readonly timeout?: string | undefined;
  readonly 'time-scale'?: string | undefined;
}

export interface SharedCallSettings {
  readonly ecm: boolean;
  readonly csid: string | undefined;
  readonly timeoutMs: number;
  /** T.30 timers and the pacing run this many times faster (tests against a scaled SpanDSP). */
  readonly timeScale: number;
}

export function readSharedCallOptions(v: SharedCallValues): SharedCallSettings {
  if (v.ecm === true && v['no-ecm'] === true) throw new UsageError('--ecm and --no-ecm exclude each other');
  const timeoutS = v.timeout === undefined ? 300 : Number(v.timeout);
  if (!(timeoutS > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  const timeScale = v['time-scale'] === undefined ? 1 : Number(v['time-scale']);
  if (!(timeScale > 0 && timeScale <= 1000)) throw new UsageError('--time-scale must be a number in (0, 1000]');
  return { ecm: v['no-ecm'] !== true, csid: v.csid, timeoutMs: timeoutS * 1000, timeScale };
}

/** An integer option within bounds; undefined when absent. */
export function integerOption(text: string | undefined, name: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer ${min}-${max}, not '${text}'`);
  return n;
}
