/**
 * Runs SIPp (Debian `sip-tester`) with a scenario from ./scenarios, on loopback, one call
 * by default. Resolves with SIPp's exit code (0: every call passed its scenario, 1: some
 * failed) and its output, including the error log when a check failed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const scenarioDir = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

export interface SippOptions {
  readonly scenario: string;
  /** SIPp's own SIP port. */
  readonly port: number;
  /** SIPp's own address (default 127.0.0.1; any 127.x.y.z works on Linux, to play another trunk). */
  readonly localIp?: string;
  /** `127.0.0.1:PORT` for UAC scenarios; absent for UAS scenarios that wait for our INVITE. */
  readonly remote?: string;
  readonly service?: string;
  readonly keys?: Readonly<Record<string, string>>;
  readonly mediaPort?: number;
  readonly calls?: number;
  /** Calls per second (UAC), and the rate increase per `rateIncreasePeriodS` (SIPp -rate_increase). */
  readonly rate?: number;
  readonly rateIncrease?: number;
  readonly rateIncreasePeriodS?: number;
  readonly rateMax?: number;
  readonly timeoutS?: number;
  readonly extraArgs?: readonly string[];
  /** SIPp transport mode: u1 (UDP, default) or t1 (TCP, one connection). */
  readonly transport?: 'u1' | 't1';
}

export interface SippResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** SIPp's error file (failed checks, unexpected messages), empty when clean. */
  readonly errors: string;
  /** SIPp's log file (`<log>` actions). */
  readonly log: string;
}

export function runSipp(o: SippOptions): { result: Promise<SippResult>; kill: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'faxgate-sipp-'));
  const args = [
    '-sf', join(scenarioDir, o.scenario),
    '-i', o.localIp ?? '127.0.0.1', '-p', String(o.port),
    '-m', String(o.calls ?? 1),
    '-timeout', `${o.timeoutS ?? 20}s`, '-timeout_error',
    '-mp', String(o.mediaPort ?? 16000),
    '-s', o.service ?? '0312345678',
    '-trace_err', '-error_file', join(dir, 'errors.log'),
    '-trace_logs', '-log_file', join(dir, 'log.log'),
    '-nostdin',
  ];
  if (o.transport !== undefined) args.push('-t', o.transport);
  if (o.rate !== undefined) args.push('-r', String(o.rate));
  if (o.rateIncrease !== undefined) args.push('-rate_increase', String(o.rateIncrease), '-rate_interval', `${o.rateIncreasePeriodS ?? 1}s`);
  if (o.rateMax !== undefined) args.push('-rate_max', String(o.rateMax));
  for (const [k, v] of Object.entries(o.keys ?? {})) args.push('-key', k, v);
  args.push(...(o.extraArgs ?? []));
  if (o.remote !== undefined) args.push(o.remote);
  const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<SippResult>((resolve) => {
    child.on('close', (code) => {
      const read = (name: string): string => {
        const f = readdirSync(dir).find((n) => n.startsWith(name));
        return f === undefined ? '' : readFileSync(join(dir, f), 'utf8');
      };
      const r = { code, stdout, stderr, errors: read('errors'), log: read('log') };
      rmSync(dir, { recursive: true, force: true });
      resolve(r);
    });
  });
  return { result, kill: () => child.kill('SIGKILL') };
}
