/**
 * Outbound routing: which trunks may carry a call to an E.164 number, in the order to try
 * them. A trunk matches when one of its prefixes starts the number; the candidates are all
 * matching trunks, the longest matching prefix first (`+8190` before `+81` before `+`),
 * then by priority (lower first), then by name so the order is stable. When an attempt
 * fails with an outcome that another trunk could do better with (congestion, no route, a
 * server error, no response at all), the call goes on to the next candidate; outcomes that
 * are about the destination (busy, no answer, bad number) end the attempt.
 */
import { dialString, type FaxNumber } from '../../protocols/fax-numbers/index.ts';
import { resultForSipStatus, type FaxResultName } from '../../protocols/fax-results/index.ts';
import type { Trunk } from './schema.ts';

export class OutboundRouter {
  constructor(private readonly trunks: readonly Trunk[]) {}

  /** Trunks to try, best first; empty when no trunk routes the number (result `no-route`). */
  routeCandidates(number: Pick<FaxNumber, 'e164'> | string): Trunk[] {
    const digits = (typeof number === 'string' ? number : number.e164).replace(/^\+/, '');
    const scored: { trunk: Trunk; length: number }[] = [];
    for (const trunk of this.trunks) {
      let best = -1;
      for (const p of trunk.prefixes) if (digits.startsWith(p) && p.length > best) best = p.length;
      if (best >= 0) scored.push({ trunk, length: best });
    }
    scored.sort((a, b) => b.length - a.length || a.trunk.priority - b.trunk.priority || (a.trunk.name < b.trunk.name ? -1 : a.trunk.name > b.trunk.name ? 1 : 0));
    return scored.map((s) => s.trunk);
  }
}

/** What the SIP layer saw of an attempt: a final status, or no final response at all. */
export type AttemptOutcome =
  | { readonly kind: 'status'; readonly status: number }
  /** Timer B/F fired: no response (RFC 3261 17.1.1.2). */
  | { readonly kind: 'timeout' }
  /** The transport could not reach the trunk (ICMP unreachable, TCP/TLS connect refused). */
  | { readonly kind: 'unreachable' }
  /** The trunk's ChannelGate refused (channels full, queue full or waited too long). */
  | { readonly kind: 'congestion' };

/** SIP statuses that say "this path is unusable now", not "this destination refuses". */
const FAILOVER_STATUSES = new Set([500, 502, 503, 504]);

export interface AttemptVerdict {
  /** The fax result if this attempt is the last one. */
  readonly result: FaxResultName;
  /** Whether to try the next candidate trunk. */
  readonly failover: boolean;
}

export function judgeAttempt(outcome: AttemptOutcome): AttemptVerdict {
  switch (outcome.kind) {
    case 'status':
      if (outcome.status >= 200 && outcome.status < 300) return { result: 'ok', failover: false };
      return { result: resultForSipStatus(outcome.status), failover: FAILOVER_STATUSES.has(outcome.status) };
    case 'timeout':
    case 'unreachable':
      return { result: 'no-route', failover: true };
    case 'congestion':
      return { result: 'congestion', failover: true };
  }
}

/** The user part of the Request-URI and To for `number` on `trunk` (its numberFormat). */
export function calledUser(trunk: Pick<Trunk, 'numberFormat' | 'country'>, number: Pick<FaxNumber, 'callingCode' | 'nsn'>): string {
  return dialString(number, trunk.numberFormat, trunk.country);
}
