/**
 * One outbound fax call across trunks: try the route candidates in order, each behind its
 * trunk's ChannelGate, and go on to the next when the verdict says fail over. The attempt
 * itself (INVITE, T.38, the fax) is the caller's function; it keeps the lease for the
 * length of the call and this helper releases it when the attempt settles.
 */
import type { FaxNumber } from '../../protocols/fax-numbers/index.ts';
import type { FaxResultName } from '../../protocols/fax-results/index.ts';
import type { ChannelGate } from './channel-gate.ts';
import { judgeAttempt, type AttemptOutcome, type OutboundRouter } from './outbound-router.ts';
import type { Trunk } from './schema.ts';

export interface DialAttemptLog {
  readonly trunk: string;
  readonly outcome: AttemptOutcome;
  readonly result: FaxResultName;
}

export interface DialResult {
  /** The last attempt's result (`no-route` when no trunk routes the number). */
  readonly result: FaxResultName;
  /** The trunk that carried the final attempt, if any was tried. */
  readonly trunk: string | undefined;
  readonly attempts: readonly DialAttemptLog[];
}

/** Places one call; `attempt` must settle (the SIP layer's timers guarantee it). */
export async function dialWithFailover(
  number: Pick<FaxNumber, 'e164'>,
  router: OutboundRouter,
  gateFor: (trunk: Trunk) => ChannelGate,
  attempt: (trunk: Trunk) => Promise<AttemptOutcome>,
): Promise<DialResult> {
  const attempts: DialAttemptLog[] = [];
  let last: FaxResultName = 'no-route';
  for (const trunk of router.routeCandidates(number)) {
    const admitted = await gateFor(trunk).acquire();
    let outcome: AttemptOutcome;
    if (!admitted.ok) outcome = { kind: 'congestion' };
    else {
      try {
        outcome = await attempt(trunk);
      } finally {
        admitted.lease.release();
      }
    }
    const verdict = judgeAttempt(outcome);
    attempts.push({ trunk: trunk.name, outcome, result: verdict.result });
    last = verdict.result;
    if (!verdict.failover) return { result: last, trunk: trunk.name, attempts };
  }
  return { result: last, trunk: attempts[attempts.length - 1]?.trunk, attempts };
}
