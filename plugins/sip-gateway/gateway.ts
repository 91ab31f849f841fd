/**
 * The SIP side of `faxgate serve`: listens on UDP, TCP and TLS, registers to the trunks that
 * want it, and receives faxes. An inbound INVITE goes through, in order:
 *
 *   route      source address -> trunk (IP authentication, 403), called number -> DID (404);
 *              a trunk with T.38 off cannot carry a fax yet (488)
 *   channels   the trunk's channel limit (503 with Retry-After; the carrier retries or
 *              fails over, nothing is lost on our side because nothing was accepted)
 *   media      RTP and UDPTL sockets opened, then the call answered by the trunk's T.38
 *              policy (telephony/gateway): T.38 at once, or audio + tones + re-INVITE
 *   record     `receiving` in the DID's account before any page can arrive
 *   fax        the T.30 engine (actors/fax-call) as the answerer; pages appended to the TIFF
 *   end        BYE as soon as the fax ends (never holding the channel), TIFF synced, record
 *              completed, `fax.received` emitted
 *
 * Every call has a deadline (maxCallMs) whatever happens, and the T.38 terminal's idle
 * watchdog ends calls whose media stopped.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Clock, TimerId } from '../../core/clock.ts';
import type { EventBus } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import { getHeader, getHeaders, parseNameAddr, parseUri } from '../../protocols/sip/index.ts';
import { outcome, resultForSipStatus, type FaxResultName } from '../../protocols/fax-results/index.ts';
import { CallMedia, answerT38Call, t38CapabilitiesFor, type T38Outcome } from '../../telephony/gateway/index.ts';
import { StreamSipTransport, UdpSipTransport, UserAgent, type Call, type Registration, type SipTransport } from '../../telephony/sip/index.ts';
import { ChannelGate, InboundRouter, gatesForTrunks, type InboundCallInfo, type Trunk } from '../../telephony/trunks/index.ts';
import { TiffFileSink, type FaxCallResult } from '../../actors/fax-call/index.ts';
import type { SipConfig } from './config.ts';
import { faxOnCall } from './fax-on-call.ts';
import { InboundFaxStore, type InboundFaxRecord } from './records.ts';

declare module '../../core/events.ts' {
  interface FaxgateEvents {
    /** An inbound fax call ended (with or without pages); the record is stored. */
    'fax.received': { account: string; mailbox: string; id: string; status: InboundFaxRecord['status']; pages: number };
  }
}

export interface SipGatewayOptions {
  readonly config: SipConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: EventBus;
  readonly records: InboundFaxStore;
  /** Where received TIFFs go: `<dir>/<account>/<id>.tif`. */
  readonly faxDir: string;
}

export interface SipGatewayStats {
  readonly active: number;
  readonly answered: number;
  readonly refused: Readonly<Record<string, number>>;
  readonly received: number;
  readonly failed: number;
}

interface ActiveCall {
  readonly call: Call;
  abort(): void;
  readonly done: Promise<void>;
}

export class SipGateway {
  private ua: UserAgent | undefined;
  private readonly transports: SipTransport[] = [];
  private gates = new Map<string, ChannelGate>();
  private router: InboundRouter | undefined;
  private readonly registrations = new Map<string, Registration>();
  private readonly active = new Set<ActiveCall>();
  private stopping = false;
  private answered = 0;
  private received = 0;
  private failed = 0;
  private readonly refused: Record<string, number> = {};

  constructor(private readonly o: SipGatewayOptions) {}

  /** Where SIP listens, for the start-up line and tests. */
  readonly listening: { udp?: number; tcp?: number; tls?: number } = {};

  async start(): Promise<void> {
    const c = this.o.config;
    const advertise = c.advertise;
    const udp = await UdpSipTransport.open({ host: c.host, port: c.port, advertise });
    this.transports.push(udp);
    this.listening.udp = udp.local.port;
    if (c.tcp) {
      // Port 0 for UDP means "any": TCP then takes the same number if it is free, else its own.
      const tcp = await StreamSipTransport.open({ host: c.host, port: c.port === 0 ? udp.local.port : c.port, advertise }).catch(async (err: unknown) => {
        if (c.port !== 0) throw err;
        return StreamSipTransport.open({ host: c.host, port: 0, advertise });
      });
      this.transports.push(tcp);
      this.listening.tcp = tcp.local.port;
    }
    if (c.tls !== undefined) {
      const tls = await StreamSipTransport.open({ host: c.host, port: c.tls.port, advertise, tls: { cert: readFileSync(c.tls.cert), key: readFileSync(c.tls.key) } });
      this.transports.push(tls);
      this.listening.tls = tls.local.port;
    }
    this.ua = new UserAgent({ clock: this.o.clock, transports: this.transports, product: 'faxgate' });
    this.ua.on('invite', (call) => void this.inbound(call));

    const hostAddresses: Record<string, string[]> = {};
    this.gates = gatesForTrunks(this.o.clock, c.routing.trunks);
    for (const t of c.routing.trunks) {
      if (isIP(t.host.replace(/^\[|\]$/g, '')) === 0) {
        try {
          hostAddresses[t.name] = (await lookup(t.host, { all: true })).map((a) => a.address);
        } catch (err) {
          this.o.logger.warn({ trunk: t.name, host: t.host, err: String(err) }, 'trunk host does not resolve: its calls are recognized by allowedSources only');
        }
      }
      if (t.register) this.register(t);
    }
    this.router = new InboundRouter(c.routing.trunks, c.routing.dids, hostAddresses);
    mkdirSync(this.o.faxDir, { recursive: true });
  }

  get stats(): SipGatewayStats {
    return { active: this.active.size, answered: this.answered, refused: { ...this.refused }, received: this.received, failed: this.failed };
  }

  channels(): Record<string, { inUse: number; max: number }> {
    const out: Record<string, { inUse: number; max: number }> = {};
    for (const t of this.o.config.routing.trunks) out[t.name] = { inUse: this.gates.get(t.name)?.stats.inUse ?? 0, max: t.maxChannels };
    return out;
  }

  registrationStates(): Record<string, string> {
    return Object.fromEntries([...this.registrations].map(([trunk, reg]) => [trunk, reg.state]));
  }

  private register(t: Trunk): void {
    const ua = this.ua as UserAgent;
    const hostPort = `${t.host}:${t.port}`;
    const reg = ua.register({
      registrar: `sip:${hostPort}${t.transport === 'udp' ? '' : `;transport=${t.transport}`}`,
      aor: `sip:${t.username ?? 'faxgate'}@${t.host}`,
      ...(t.username !== undefined && t.password !== undefined ? { credentials: { username: t.username, password: t.password } } : {}),
      expires: t.registerExpires,
      transport: t.transport === 'udp' ? 'UDP' : t.transport === 'tcp' ? 'TCP' : 'TLS',
    });
    reg.on('registered', (expires) => this.o.logger.info({ trunk: t.name, expires }, 'registered'));
    reg.on('failed', (status, reason) => this.o.logger.warn({ trunk: t.name, status, reason }, 'registration failed'));
    this.registrations.set(t.name, reg);
  }

  private refuse(call: Call, status: number, why: string, fields: Record<string, unknown>, headers: { name: string; value: string }[] = []): void {
    this.refused[why] = (this.refused[why] ?? 0) + 1;
    this.o.logger.info({ callId: call.callId, status, why, ...fields }, 'inbound call refused');
    this.ua?.reject(call, status, headers);
  }

  private async inbound(call: Call): Promise<void> {
    const ua = this.ua as UserAgent;
    if (this.stopping) return this.refuse(call, 503, 'stopping', {}, [{ name: 'Retry-After', value: '30' }]);
    const source = ua.sourceOf(call);
    const info = callInfo(call, source?.address.host ?? '');
    const route = (this.router as InboundRouter).route(info);
    if (!route.ok) return this.refuse(call, route.sipStatus, route.code, { source: info.sourceAddress, message: route.message });
    const { trunk, did } = route;
    // Nothing could carry a fax over this trunk (T.38 off, no G.711 modem yet): a refusal like
    // the others, before a channel, media or a record, not an answered call that failed.
    if (trunk.t38.policy === 'never') return this.refuse(call, 488, 't38-off', { trunk: trunk.name });
    const lease = (this.gates.get(trunk.name) as ChannelGate).tryAcquireInbound();
    if (!lease.ok) return this.refuse(call, 503, 'channels-full', { trunk: trunk.name }, [{ name: 'Retry-After', value: '5' }]);

    let media: CallMedia | undefined;
    let abort = (): void => {};
    let settled!: () => void;
    const entry: ActiveCall = { call, abort: () => abort(), done: new Promise<void>((r) => (settled = r)) };
    this.active.add(entry);
    try {
      try {
        media = await CallMedia.open({
          address: this.o.config.advertise,
          bindAddress: this.o.config.host,
          clock: this.o.clock,
          audio: true,
          t38: t38CapabilitiesFor(trunk.t38),
          ...(this.o.config.mediaPorts === undefined ? {} : { ports: this.o.config.mediaPorts }),
        });
      } catch (err) {
        return this.refuse(call, 503, 'media-ports', { trunk: trunk.name, err: String(err) }, [{ name: 'Retry-After', value: '5' }]);
      }
      // The caller may have cancelled while the sockets opened.
      if (call.state !== 'incoming') return;
      this.answered++;
      const id = inboundId(this.o.clock.now());
      const caller = call.caller;
      let record: InboundFaxRecord = {
        id,
        account: did.account,
        mailbox: did.mailbox,
        did: did.e164,
        trunk: trunk.name,
        from: caller?.anonymous === true ? '' : (caller?.number ?? ''),
        fromDisplayName: caller?.anonymous === true ? '' : (caller?.displayName ?? ''),
        anonymous: caller?.anonymous ?? false,
        callId: call.callId,
        sourceAddress: info.sourceAddress,
        startedAt: new Date(this.o.clock.now()).toISOString(),
        status: 'receiving',
      };
      await this.o.records.begin(record);
      const log = this.o.logger.child({ callId: call.callId, fax: id, trunk: trunk.name, did: did.e164 });
      log.info({ from: record.from, matchedBy: route.matchedBy }, 'inbound fax call');

      const deadline = this.o.clock.setTimeout(() => abort(), this.o.config.maxCallMs);
      const switched = answerT38Call(call, {
        ua,
        media,
        policy: trunk.t38.policy,
        clock: this.o.clock,
        timeoutMs: this.o.config.answerTimeoutMs,
        log: (message, fields) => log.info(fields ?? {}, message),
      });
      abort = () => void ua.bye(call);
      const t38 = await switched;
      let result: FaxCallResult | { failed: T38Outcome & { ok: false } };
      const dir = join(this.o.faxDir, did.account);
      const sink = new TiffFileSink(join(dir, `${id}.tif`), { software: 'faxgate', durable: true });
      if (!t38.ok) {
        result = { failed: t38 };
      } else {
        record = { ...record, t38Via: t38.via + (t38.tone === undefined ? '' : `:${t38.tone}`) };
        mkdirSync(dir, { recursive: true });
        ({ result } = await faxOnCall({
          ua,
          call,
          media,
          t38: t38.t38,
          clock: this.o.clock,
          maxBitRate: trunk.t38.maxBitRate,
          redundancyDepth: trunk.t38.redundancyDepth,
          started: (stop) => (abort = stop),
          fax: { role: 'answerer', receive: sink, localIdent: this.o.config.csid ?? did.e164, ecm: true },
        }));
        sink.finish();
      }
      this.o.clock.clearTimeout(deadline as TimerId);
      if ((call.state as Call['state']) === 'confirmed') await ua.bye(call);
      record = this.finalRecord(record, result, sink);
      await this.o.records.end(record);
      if (record.status === 'received') this.received++;
      else this.failed++;
      log.info({ status: record.status, pages: record.pages, code: record.resultCode, reason: record.reason }, 'inbound fax call ended');
      this.o.events.emit('fax.received', { account: record.account, mailbox: record.mailbox, id: record.id, status: record.status, pages: record.pages ?? 0 });
    } catch (err) {
      this.o.logger.error({ callId: call.callId, err: err instanceof Error ? err.stack : String(err) }, 'inbound call failed inside faxgate');
      const state = call.state as Call['state'];
      if (state === 'incoming') ua.reject(call, 500);
      else if (state === 'confirmed') await ua.bye(call);
    } finally {
      lease.lease.release();
      await media?.close();
      this.active.delete(entry);
      settled();
    }
  }

  private finalRecord(record: InboundFaxRecord, result: FaxCallResult | { failed: T38Outcome & { ok: false } }, sink: TiffFileSink): InboundFaxRecord {
    const endedAt = new Date(this.o.clock.now()).toISOString();
    if ('failed' in result) {
      const f = result.failed;
      const name: FaxResultName = f.status === 0 ? 'no-fax-received' : f.status === 487 ? 'sender-hangup' : resultForSipStatus(f.status);
      const o = outcome(name, f.reason);
      return { ...record, status: 'failed', endedAt, pages: 0, resultCode: o.code, reason: o.reason, reasonJa: o.reasonJa };
    }
    const status = result.ok ? 'received' : sink.pages > 0 ? 'partial' : 'failed';
    return {
      ...record,
      status,
      endedAt,
      pages: sink.pages,
      resultCode: result.code,
      reason: result.reason,
      reasonJa: result.reasonJa,
      remoteCsid: result.remoteCsid,
      bitRate: result.bitRate,
      ecm: result.ecm,
      resolution: result.resolution,
      ...(sink.pages > 0 ? { file: sink.path, bytes: sink.bytes } : {}),
    };
  }

  /**
   * Stops taking calls (new INVITEs get 503), lets calls in progress finish for `drainMs`,
   * then ends the rest (their records say why), unregisters and closes the sockets.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (!(await this.callsEnded(this.o.config.drainMs))) {
      for (const a of this.active) a.abort();
      await this.callsEnded(5000);
    }
    for (const g of this.gates.values()) g.close();
    // Closing the user agent settles BYEs to callers that vanished; the calls then write
    // their final records before the store closes.
    await this.ua?.close();
    await this.callsEnded(5000);
  }

  /** Whether every call in progress ended within `ms`. */
  private async callsEnded(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      Promise.all([...this.active].map((a) => a.done)).then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
    ]);
    clearTimeout(timer);
    return ended;
  }
}

/** What routing needs from the INVITE: the source, Request-URI user, To user, Diversion users. */
function callInfo(call: Call, sourceAddress: string): InboundCallInfo {
  const user = (text: string | undefined): string | undefined => {
    if (text === undefined) return undefined;
    try {
      return parseNameAddr(text).uri.user;
    } catch {
      return undefined;
    }
  };
  let requestUriUser: string | undefined;
  try {
    requestUriUser = parseUri(call.invite.uri).user;
  } catch {
    requestUriUser = undefined;
  }
  const diversion = getHeaders(call.invite, 'Diversion')
    .flatMap((v) => v.split(/,(?=\s*(?:"|<|sip:|tel:))/))
    .map((v) => user(v))
    .filter((u): u is string => u !== undefined);
  return { sourceAddress: sourceAddress.replace(/^::ffff:/, ''), requestUriUser, toUser: user(getHeader(call.invite, 'To')), diversionUsers: diversion };
}

/** Sortable by time, unique without coordination: `rx-<ms base36>-<random>`. */
function inboundId(now: number): string {
  return `rx-${Math.floor(now).toString(36).padStart(9, '0')}-${randomBytes(5).toString('hex')}`;
}
