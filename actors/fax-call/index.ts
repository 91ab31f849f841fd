/**
 * The T.30 fax engine: one call, calling or answering, sending or receiving, over any
 * FaxModem (T.38 now). `runFaxCall` starts the XState machine (machine.ts) on the given
 * clock and returns its result promise; the promise always resolves (never rejects), with
 * a result whose name is from protocols/fax-results.
 *
 *   const call = runFaxCall({ modem, clock, role: 'caller', send: { pageCount, page, resolution } });
 *   const result = await call.result;   // { ok, code, reason, pages, remoteCsid, ecm, bitRate, ... }
 *   call.abort();                       // ends the call with 'cancelled' (DCN first when possible)
 */
import type { FaxCallOptions, FaxCallResult } from './types.ts';

export type * from './types.ts';

export interface FaxCall {
  readonly result: Promise<FaxCallResult>;
  /** Ends the call: 'cancelled'. */
  abort(): void;
}

export function runFaxCall(options: FaxCallOptions): FaxCall {
  const started = options.clock.now();
  return {
    result: Promise.resolve({
      ok: false,
      code: 256,
      reason: 'Internal error: not implemented yet',
      reasonJa: '内部エラー',
      name: 'internal',
      pages: 0,
      remoteCsid: '',
      ecm: false,
      bitRate: 0,
      compression: 'none',
      resolution: 'none',
      durationMs: options.clock.now() - started,
      phase: 'A',
    }),
    abort: () => undefined,
  };
}
