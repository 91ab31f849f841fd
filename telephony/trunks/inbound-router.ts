/**
 * Inbound routing: which trunk a call came from (by source address) and which mailbox its
 * called number belongs to. The SIP layer hands over what it parsed: the source address,
 * the Request-URI user, the To user and the Diversion users (RFC 5806, topmost first).
 * Numbers are looked for in that order (the Request-URI is where a carrier puts the DID;
 * some put a trunk account there and the DID in To; a call forwarded from a customer's
 * existing number carries that number in Diversion, R1). A refusal carries the SIP status
 * the SIP layer answers with.
 */
import { isIP } from 'node:net';
import { FaxNumberError, parseFaxNumber } from '../../protocols/fax-numbers/index.ts';
import { sourceMatcher, type DidEntry, type Trunk } from './schema.ts';

export interface InboundCallInfo {
  readonly sourceAddress: string;
  readonly requestUriUser: string | undefined;
  readonly toUser: string | undefined;
  readonly diversionUsers?: readonly string[];
}

export type InboundRefusalCode =
  /** No trunk lists the source address (or the trunk's host): 403. */
  | 'INBOUND_UNKNOWN_SOURCE'
  /** None of the numbers is a configured DID: 404. */
  | 'INBOUND_UNKNOWN_DID';

export interface InboundRefusal {
  readonly ok: false;
  readonly code: InboundRefusalCode;
  readonly sipStatus: 403 | 404;
  readonly message: string;
}

export interface InboundRoute {
  readonly ok: true;
  readonly trunk: Trunk;
  readonly did: DidEntry;
  /** Which header carried the matching number. */
  readonly matchedBy: 'request-uri' | 'to' | 'diversion';
}

export class InboundRouter {
  private readonly matchers: { trunk: Trunk; matches: (address: string) => boolean }[];

  /**
   * `hostAddresses` maps a trunk name to its host's resolved addresses (the caller resolves
   * DNS; a trunk whose host is an address literal needs none).
   */
  constructor(
    private readonly trunks: readonly Trunk[],
    private readonly dids: readonly DidEntry[],
    hostAddresses: Readonly<Record<string, readonly string[]>> = {},
  ) {
    this.matchers = trunks.map((trunk) => {
      const literal = isIP(trunk.host.replace(/^\[|\]$/g, '')) !== 0 ? [trunk.host.replace(/^\[|\]$/g, '')] : [];
      return { trunk, matches: sourceMatcher([...trunk.allowedSources, ...literal, ...(hostAddresses[trunk.name] ?? [])]) };
    });
  }

  /** The trunk a source address belongs to (IP authentication), first configured wins. */
  trunkForSource(address: string): Trunk | undefined {
    return this.matchers.find((m) => m.matches(address))?.trunk;
  }

  route(call: InboundCallInfo): InboundRoute | InboundRefusal {
    const trunk = this.trunkForSource(call.sourceAddress);
    if (trunk === undefined) {
      return { ok: false, code: 'INBOUND_UNKNOWN_SOURCE', sipStatus: 403, message: `call from an address no trunk allows [source:${call.sourceAddress}]` };
    }
    const candidates: ['request-uri' | 'to' | 'diversion', string | undefined][] = [
      ['request-uri', call.requestUriUser],
      ['to', call.toUser],
      ...(call.diversionUsers ?? []).map((u): ['diversion', string] => ['diversion', u]),
    ];
    for (const [matchedBy, user] of candidates) {
      if (user === undefined) continue;
      const e164 = didE164(user, trunk.country);
      if (e164 === undefined) continue;
      const did = this.dids.find((d) => d.e164 === e164 && (d.trunk === undefined || d.trunk === trunk.name));
      if (did !== undefined) return { ok: true, trunk, did, matchedBy };
    }
    const tried = candidates.map(([, u]) => u).filter((u) => u !== undefined).join(' ');
    return { ok: false, code: 'INBOUND_UNKNOWN_DID', sipStatus: 404, message: `no mailbox for the called number [trunk:${trunk.name}, numbers:${tried}]` };
  }
}

/**
 * A called number as carriers send it: `+81363684001`, `81363684001`, `0363684001`, or the
 * bare national significant number `363684001`; URI parameters (`;phone-context=...`,
 * `;npdi`) and visual separators are ignored.
 */
export function didE164(user: string, country: string): string | undefined {
  const bare = (user.split(';')[0] ?? '').trim();
  for (const text of [bare, `0${bare}`]) {
    try {
      return parseFaxNumber(text, { country }).e164;
    } catch (e) {
      if (!(e instanceof FaxNumberError)) throw e;
    }
  }
  return undefined;
}
