/**
 * Outbound fax calls over the configured trunks: the number is parsed (Japanese national
 * forms, `010` international, `+E.164`), routed by longest prefix with fail-over to the next
 * trunk (telephony/trunks), each attempt behind its trunk's channel and calls-per-second
 * gate, placed by the trunk's T.38 policy, adjusted by what earlier attempts to the same
 * destination taught (a 488 to a T.38 INVITE -> audio first next time), then the fax
 * itself. `faxgate call send --to NUMBER` uses it now; the job actors of the sending issue
 * will use the same object inside `faxgate serve`.
 */
import type { Clock } from '../../core/clock.ts';
import { FaxNumberError, parseFaxNumber, type FaxNumber } from '../../protocols/fax-numbers/index.ts';
import { outcome, type FaxResultName } from '../../protocols/fax-results/index.ts';
import { CallMedia, placeT38Call, t38CapabilitiesFor, type MediaPortRange } from '../../telephony/gateway/index.ts';
import type { SipProtocol, UserAgent } from '../../telephony/sip/index.ts';
import {
  MemoryT38RefusalStore, OutboundRouter, T38RefusalMemory, calledUser, dialWithFailover, gatesForTrunks, type AttemptOutcome, type ChannelGate, type DialAttemptLog, type Trunk,
} from '../../telephony/trunks/index.ts';
import type { FaxCallResult, FaxSendDocument } from '../../actors/fax-call/index.ts';
import { faxOnCall } from './fax-on-call.ts';

export interface OutboundDialerOptions {
  readonly ua: UserAgent;
  readonly trunks: readonly Trunk[];
  /** The fax engine's clock (T.30 timers); SIP runs on the user agent's own. */
  readonly clock: Clock;
  /** Our media address in SDP, and where media sockets bind. */
  readonly advertise: string;
  readonly bindAddress?: string;
  readonly mediaPorts?: MediaPortRange;
  readonly refusals?: T38RefusalMemory;
  /** The trunks' channel gates, shared with inbound calls in the same process (default: its own). */
  readonly gates?: ReadonlyMap<string, ChannelGate>;
  /** The country whose numbering `to` is written in when it has no `+` (default JP). */
  readonly country?: string;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface OutboundFax {
  /** As the user wrote it: `03-1234-5678`, `010-1-212-555-0100`, `+81312345678`. */
  readonly to: string;
  readonly document: FaxSendDocument;
  readonly csid?: string;
  readonly ecm?: boolean;
  /** From user part (our number on the trunk), when the trunk wants one. */
  readonly from?: string;
  readonly timeoutMs: number;
}

export interface OutboundFaxResult {
  readonly ok: boolean;
  readonly code: number;
  readonly name: FaxResultName;
  readonly reason: string;
  readonly reasonJa: string;
  readonly to: string | undefined;
  /** The fax engine's result when a call got as far as T.38. */
  readonly fax: FaxCallResult | undefined;
  readonly trunk: string | undefined;
  readonly attempts: readonly (DialAttemptLog & { readonly policy?: string; readonly detail?: string })[];
}

export class OutboundDialer {
  private readonly router: OutboundRouter;
  private readonly gates: ReadonlyMap<string, ChannelGate>;
  private readonly refusals: T38RefusalMemory;

  constructor(private readonly o: OutboundDialerOptions) {
    this.router = new OutboundRouter(o.trunks);
    this.refusals = o.refusals ?? new T38RefusalMemory(o.clock, new MemoryT38RefusalStore(o.clock));
    this.gates = o.gates ?? gatesForTrunks(o.clock, o.trunks);
  }

  async send(fax: OutboundFax): Promise<OutboundFaxResult> {
    let number: FaxNumber;
    try {
      number = parseFaxNumber(fax.to, { country: this.o.country ?? 'JP' });
    } catch (err) {
      if (!(err instanceof FaxNumberError)) throw err;
      return this.result('bad-number', `${err.message} [to:${fax.to}]`, undefined, undefined, undefined, []);
    }
    let faxResult: FaxCallResult | undefined;
    const details = new Map<number, { policy?: string; detail?: string }>();
    let n = 0;
    const dial = await dialWithFailover(number, this.router, (t) => this.gates.get(t.name) as ChannelGate, async (trunk) => {
      const i = n++;
      const r = await this.attempt(trunk, number, fax);
      details.set(i, { policy: r.policy, detail: r.detail });
      if (r.fax !== undefined) faxResult = r.fax;
      return r.outcome;
    });
    const attempts = dial.attempts.map((a, i) => ({ ...a, ...details.get(i) }));
    if (faxResult !== undefined) {
      return { ok: faxResult.ok, code: faxResult.code, name: faxResult.name, reason: faxResult.reason, reasonJa: faxResult.reasonJa, to: number.e164, fax: faxResult, trunk: dial.trunk, attempts };
    }
    const last = attempts.at(-1);
    return this.result(dial.result, last?.detail ?? (dial.attempts.length === 0 ? `no trunk routes ${number.e164}` : undefined), number.e164, dial.trunk, undefined, attempts);
  }

  private result(name: FaxResultName, detail: string | undefined, to: string | undefined, trunk: string | undefined, fax: FaxCallResult | undefined, attempts: OutboundFaxResult['attempts']): OutboundFaxResult {
    const o = outcome(name, detail);
    return { ok: o.ok, code: o.code, name, reason: o.reason, reasonJa: o.reasonJa, to, fax, trunk, attempts };
  }

  /** One call on one trunk: the SIP outcome for fail-over, and the fax result if it ran. */
  private async attempt(trunk: Trunk, number: FaxNumber, fax: OutboundFax): Promise<{ outcome: AttemptOutcome; fax?: FaxCallResult; policy?: string; detail?: string }> {
    const plan = await this.refusals.plan(trunk.name, number.e164, trunk.t38.policy);
    if (plan.action === 'give-up') {
      return { outcome: { kind: 'status', status: 488 }, detail: `T.38 was refused on a re-INVITE to this number before [trunk:${trunk.name}]` };
    }
    if (plan.policy === 'never') return { outcome: { kind: 'status', status: 488 }, policy: 'never', detail: `T.38 is off on trunk ${trunk.name} and G.711 fax is not available` };
    const media = await CallMedia.open({
      address: this.o.advertise,
      ...(this.o.bindAddress === undefined ? {} : { bindAddress: this.o.bindAddress }),
      clock: this.o.clock,
      audio: plan.policy !== 'offer-in-invite',
      t38: t38CapabilitiesFor(trunk.t38),
      ...(this.o.mediaPorts === undefined ? {} : { ports: this.o.mediaPorts }),
    });
    try {
      const user = calledUser(trunk, number);
      const host = trunk.host.includes(':') && !trunk.host.startsWith('[') ? `[${trunk.host}]` : trunk.host;
      const transport: SipProtocol = trunk.transport === 'udp' ? 'UDP' : trunk.transport === 'tcp' ? 'TCP' : 'TLS';
      const target = `${trunk.transport === 'tls' ? 'sips' : 'sip'}:${user}@${host}:${trunk.port}${trunk.transport === 'tcp' ? ';transport=tcp' : ''}`;
      this.o.log?.('dialling', { trunk: trunk.name, target, policy: plan.policy });
      const { call, t38: switched } = placeT38Call(target, {
        transport,
        ...(trunk.username !== undefined && trunk.password !== undefined ? { auth: { username: trunk.username, password: trunk.password } } : {}),
        ...(fax.from !== undefined ? { from: `sip:${fax.from}@${host}` } : {}),
      }, { ua: this.o.ua, media, clock: this.o.clock, policy: plan.policy, timeoutMs: fax.timeoutMs, ...(this.o.log === undefined ? {} : { log: this.o.log }) });
      const t38 = await switched;
      if (!t38.ok) {
        await this.o.ua.bye(call);
        if (t38.status === 488 || t38.status === 606) {
          const refused = plan.policy === 'offer-in-invite' ? 'initial-offer' : 'reinvite';
          await this.refusals.recordRefusal(trunk.name, number.e164, refused, t38.status);
        }
        const kind: AttemptOutcome = t38.status === 0 ? { kind: 'status', status: 480 } : t38.status === 408 ? { kind: 'timeout' } : { kind: 'status', status: t38.status };
        return { outcome: kind, policy: plan.policy, detail: t38.reason };
      }
      this.o.log?.('T.38 up', { trunk: trunk.name, via: t38.via, remote: `${t38.t38.remote.address}:${t38.t38.remote.port}`, localPort: media.udptl.localPort });
      const { result } = await faxOnCall({
        ua: this.o.ua,
        call,
        media,
        t38: t38.t38,
        clock: this.o.clock,
        maxBitRate: trunk.t38.maxBitRate,
        redundancyDepth: trunk.t38.redundancyDepth,
        timeoutMs: fax.timeoutMs,
        fax: { role: 'caller', send: fax.document, localIdent: fax.csid, ecm: fax.ecm ?? true },
      });
      await this.refusals.recordSuccess(trunk.name, number.e164);
      return { outcome: { kind: 'status', status: 200 }, fax: result, policy: plan.policy, detail: `T.38 ${t38.via}` };
    } finally {
      await media.close();
    }
  }

  /** Closes the gates it made itself; shared ones belong to their owner. */
  close(): void {
    if (this.o.gates === undefined) for (const g of this.gates.values()) g.close();
  }
}
