/**
 * The fax itself on a SIP call whose T.38 session is up, the same for every direction and
 * entry point (`faxgate serve` receiving, `OutboundDialer`, `faxgate call send`): the T.38
 * terminal on the negotiated session, the T.30 engine, a BYE from the far end ending T.30 as
 * a hang-up (no DCN to a line that is gone), and our BYE the moment the fax ends so a channel
 * is never held after phase E.
 */
import type { Clock } from '../../core/clock.ts';
import { modemRate, openT38Modem, type CallMedia, type T38Negotiated } from '../../telephony/gateway/index.ts';
import type { Call, UserAgent } from '../../telephony/sip/index.ts';
import { runFaxCall, type FaxCallOptions, type FaxCallResult } from '../../actors/fax-call/index.ts';

export interface FaxOnCallOptions {
  readonly ua: UserAgent;
  readonly call: Call;
  readonly media: CallMedia;
  readonly t38: T38Negotiated;
  /** The fax engine's clock (T.30 timers, pacing). */
  readonly clock: Clock;
  /** The trunk's own cap on the modem rate, below the session's T38MaxBitRate. */
  readonly maxBitRate?: number;
  readonly redundancyDepth?: number;
  /** Ends the fax ('cancelled') after this long; absent: the caller has its own deadline. */
  readonly timeoutMs?: number;
  /** Called with the running call, so an owner's deadline can abort it. */
  readonly started?: (abort: () => void) => void;
  readonly fax: Omit<FaxCallOptions, 'modem' | 'clock' | 'maxBitRate'>;
}

export async function faxOnCall(o: FaxOnCallOptions): Promise<{ result: FaxCallResult; timedOut: boolean }> {
  const modem = openT38Modem(o.media, o.t38, o.clock, o.redundancyDepth === undefined ? {} : { redundancyDepth: o.redundancyDepth });
  const run = runFaxCall({ ...o.fax, modem, clock: o.clock, maxBitRate: modemRate(Math.min(o.t38.session.maxBitRate, o.maxBitRate ?? Infinity)) });
  o.started?.(() => run.abort());
  let timedOut = false;
  const timer = o.timeoutMs === undefined ? undefined : o.clock.setTimeout(() => {
    timedOut = true;
    run.abort();
  }, o.timeoutMs);
  o.call.on('bye', () => run.hangUp('BYE from the far end'));
  const result = await run.result;
  if (timer !== undefined) o.clock.clearTimeout(timer);
  await modem.close();
  if (o.call.state === 'confirmed') await o.ua.bye(o.call);
  return { result, timedOut };
}
