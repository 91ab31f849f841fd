/**
 * The user agent core (RFC 3261 8, 12, 13, 14, 15): places and answers calls, keeps their
 * dialogs, handles re-INVITE (with 491 glare, 14.1), session refreshes (RFC 4028: the same
 * SDP answered again), CANCEL, BYE, OPTIONS, and digest challenges on INVITE. It sits on
 * the transaction layer and calls the application through Call events and the 'invite'
 * event for new incoming calls.
 */
import type { Clock, TimerId } from '../../../core/clock.ts';
import {
  bodyText, formatUri, getHeader, getHeaders, parseNameAddr, parseUri, pickDigestChallenge, serializeSipMessage, textBody,
  digestAuthorization, type DigestCredentials, type SipHeader, type SipRequest, type SipResponse,
} from '../../../protocols/sip/index.ts';
import { Dialog, dialogId, uriDestination } from '../dialog/dialog.ts';
import { TypedEmitter } from '../emitter.ts';
import type { ClientTransactionUser } from '../transaction/client.ts';
import {
  TransactionLayer, type ServerTransaction, type SipDestination, type SipSource, type TransactionLayerUser,
} from '../transaction/transaction-layer.ts';
import { InviteServerTransaction } from '../transaction/server.ts';
import type { SipTimerValues } from '../transaction/timers.ts';
import type { SipProtocol, SipTransport } from '../transport/transport.ts';
import { Call, type ReinviteResult } from './call.ts';
import { ALLOW, callerIdentity, makeResponse, newCallId, newTag } from './messages.ts';
import { Registration, type RegisterOptions } from './registration.ts';

export interface UserAgentOptions {
  readonly clock: Clock;
  readonly transports: readonly SipTransport[];
  readonly timers?: SipTimerValues;
  /** User part of our Contact and default From (`faxgate`). */
  readonly user?: string;
  /** Server / User-Agent header value. */
  readonly product?: string;
  /** Random numbers in [0, 1) for glare back-off (injectable for tests). */
  readonly random?: () => number;
  /** Smallest session interval we accept (RFC 4028 Min-SE); shorter ones get 422. */
  readonly minSessionExpires?: number;
  /** Re-INVITE retries after 491 before giving up. */
  readonly maxGlareRetries?: number;
}

export interface InviteOptions {
  readonly auth?: DigestCredentials;
  readonly headers?: readonly SipHeader[];
  /** From URI; default `sip:<user>@<our host>`. */
  readonly from?: string;
  readonly fromDisplayName?: string;
  /** Where to send it instead of the target's host (an outbound proxy or trunk address). */
  readonly proxy?: string;
  readonly transport?: SipProtocol;
  /** Anonymous call (RFC 3323): From becomes anonymous, Privacy: id is added. */
  readonly privacy?: boolean;
  /** P-Asserted-Identity to send (RFC 3325), for trunks that trust us. */
  readonly assertedIdentity?: string;
}

export type UserAgentEvents = {
  /** A new incoming call: answer, progress or reject it. With no listener calls get 480. */
  invite: [call: Call];
};

const SUPPORTED = 'timer';

interface OutboundState {
  readonly dest: SipDestination;
  readonly options: InviteOptions;
  provisional: boolean;
  cancelPending: boolean;
  authTries: number;
  ack: SipRequest | undefined;
}

interface ReinviteState {
  resolve: (r: ReinviteResult) => void;
  sdp: string;
  glareTries: number;
  authTries: number;
  headers: readonly SipHeader[];
  /** False while waiting out a 491 back-off: the other side's re-INVITE may then go through (14.2). */
  inFlight: boolean;
}

export class UserAgent extends TypedEmitter<UserAgentEvents> implements TransactionLayerUser {
  readonly layer: TransactionLayer;
  private readonly clock: Clock;
  private readonly user: string;
  private readonly product: string;
  private readonly random: () => number;
  private readonly minSE: number;
  private readonly maxGlare: number;
  /** Calls by dialog id; inbound calls are added on receipt (our tag is chosen at once). */
  private readonly calls = new Map<string, Call>();
  private readonly outbound = new WeakMap<Call, OutboundState>();
  private readonly inboundTx = new WeakMap<Call, InviteServerTransaction>();
  /** UAS 2xx retransmission (13.3.1.4) until the ACK: per call. */
  private readonly pending2xx = new WeakMap<Call, { timer: TimerId; cseq: number }>();
  /** Our re-INVITE in progress, and whether a received one is unanswered (14.1, 14.2). */
  private readonly reinviting = new WeakMap<Call, ReinviteState>();
  private readonly reinviteReceived = new WeakSet<Call>();
  private readonly registrations = new Set<Registration>();
  private readonly inboundKey = new WeakMap<Call, string>();
  private active = 0;
  /** Timers of the user agent core itself (glare back-off), cleared on close. */
  private readonly coreTimers = new Set<TimerId>();
  /** Callers of bye() waiting for the BYE's answer. */
  private readonly byeWaiters = new Set<() => void>();
  private closed = false;

  constructor(options: UserAgentOptions) {
    super();
    this.clock = options.clock;
    this.layer = new TransactionLayer(options.clock, options.transports, options.timers);
    this.layer.setUser(this);
    this.user = options.user ?? 'faxgate';
    this.product = options.product ?? 'faxgate';
    this.random = options.random ?? Math.random;
    this.minSE = options.minSessionExpires ?? 90;
    this.maxGlare = options.maxGlareRetries ?? 3;
  }

  /** Calls not yet terminated. */
  get activeCalls(): number {
    return this.active;
  }

  /**
   * Counts a new call and, once it ends, forgets its dialog after 64*T1: long enough to
   * re-ACK a retransmitted 2xx and to answer a late BYE retransmission with 481 (12.2.2).
   */
  private track(call: Call): void {
    this.active++;
    let done = false;
    const forget = (): void => {
      if (done) return;
      done = true;
      this.active--;
      this.later(64 * this.layer.timers.T1, () => {
        for (const [id, c] of [[call.dialog?.id, call], [this.inboundKey.get(call), call]] as const) {
          if (id !== undefined && this.calls.get(id) === c) this.calls.delete(id);
        }
      });
    };
    call.on('failed', forget);
    call.on('bye', forget);
  }

  /** Our Contact for a transport: `<sip:faxgate@host:port;transport=tcp>`. */
  contactFor(protocol: SipProtocol): string {
    const t = this.layer.transportFor(protocol);
    const host = t.local.host.includes(':') ? `[${t.local.host}]` : t.local.host;
    return `<sip:${this.user}@${host}:${t.local.port}${protocol === 'UDP' ? '' : `;transport=${protocol.toLowerCase()}`}>`;
  }

  // ---------------------------------------------------------------- UAC: INVITE

  /** Places a call (13.2.1). Events on the returned call say how it goes. */
  invite(target: string, sdpOffer: string, options: InviteOptions = {}): Call {
    const targetUri = parseUri(target);
    const protocol = options.transport ?? uriDestination(targetUri, 'UDP').protocol;
    const transport = this.layer.transportFor(protocol);
    const dest = uriDestination(parseUri(options.proxy ?? target), protocol);
    const fromTag = newTag();
    const callId = newCallId(transport.local.host);
    const from = options.privacy === true
      ? `"Anonymous" <sip:anonymous@anonymous.invalid>;tag=${fromTag}`
      : `${options.fromDisplayName !== undefined ? `"${options.fromDisplayName}" ` : ''}<${options.from ?? `sip:${this.user}@${transport.local.host}`}>;tag=${fromTag}`;
    const headers: SipHeader[] = [
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: from },
      { name: 'To', value: `<${formatUri(targetUri)}>` },
      { name: 'Call-ID', value: callId },
      { name: 'CSeq', value: '1 INVITE' },
      { name: 'Contact', value: this.contactFor(protocol) },
      { name: 'Allow', value: ALLOW },
      { name: 'Supported', value: SUPPORTED },
      { name: 'User-Agent', value: this.product },
    ];
    if (options.assertedIdentity !== undefined) headers.push({ name: 'P-Asserted-Identity', value: `<${options.assertedIdentity}>` });
    if (options.privacy === true) headers.push({ name: 'Privacy', value: 'id' });
    headers.push(...(options.headers ?? []), { name: 'Content-Type', value: 'application/sdp' });
    const invite: SipRequest = { kind: 'request', method: 'INVITE', uri: formatUri(targetUri), headers, body: textBody(sdpOffer) };
    const call = new Call('outbound', callId, invite, fromTag, undefined, options.auth);
    call.localSdp = sdpOffer;
    this.outbound.set(call, { dest, options, provisional: false, cancelPending: false, authTries: 0, ack: undefined });
    this.track(call);
    this.sendInvite(call, invite);
    return call;
  }

  private sendInvite(call: Call, invite: SipRequest): void {
    const state = this.outbound.get(call);
    if (state === undefined) return;
    const tx = this.layer.sendRequest(invite, state.dest, {
      receiveResponse: (res) => this.inviteResponse(call, res),
      timeout: (why) => call.finish({ by: 'failed', status: why === 'timeout' ? 408 : 503, reason: why === 'timeout' ? 'Request Timeout' : 'Transport Error' }),
    });
    // Keep the INVITE as sent (with our Via) for CANCEL (9.1).
    call.invite = tx.request;
  }

  private inviteResponse(call: Call, res: SipResponse): void {
    const state = this.outbound.get(call);
    if (state === undefined) return;
    if (res.status < 200) {
      if (call.state !== 'calling') return;
      state.provisional = true;
      if (state.cancelPending) this.sendCancel(call);
      call.notify('provisional', res.status, res.reason, res.body.length > 0 ? bodyText(res) : undefined);
      return;
    }
    if (res.status < 300) {
      this.invite2xx(call, state, res);
      return;
    }
    if ((res.status === 401 || res.status === 407) && call.state === 'calling' && !state.cancelPending) {
      const retry = this.withCredentials(call.invite, res, call.auth, state.authTries);
      if (retry !== undefined) {
        state.authTries++;
        this.sendInvite(call, retry);
        return;
      }
    }
    call.finish({ by: 'failed', status: res.status, reason: res.reason });
  }

  /** 13.2.2.4: every 2xx is ACKed (retransmissions too); the first confirms the dialog. */
  private invite2xx(call: Call, state: OutboundState, res: SipResponse): void {
    if (state.ack !== undefined && call.dialog !== undefined) {
      if (parseTag(getHeader(res, 'To')) === call.dialog.remoteTag) {
        this.layer.sendStateless(state.ack, call.dialog.destination(state.dest.protocol));
        return;
      }
      // 13.2.2.4: a 2xx from another fork: ACK it, then end that dialog with BYE (one fax leg only).
      const fork = Dialog.asUac(call.invite, res, this.contactFor(state.dest.protocol));
      const forkCseq = Number((getHeader(call.invite, 'CSeq') ?? '1').split(/\s+/)[0]);
      this.layer.sendStateless(fork.createRequest('ACK', [], new Uint8Array(0), forkCseq), fork.destination(state.dest.protocol));
      this.layer.sendRequest(fork.createRequest('BYE'), fork.destination(state.dest.protocol), { receiveResponse: () => undefined, timeout: () => undefined });
      return;
    }
    const dialog = Dialog.asUac(call.invite, res, this.contactFor(state.dest.protocol));
    call.dialog = dialog;
    this.calls.set(dialog.id, call);
    const cseq = Number((getHeader(call.invite, 'CSeq') ?? '1').split(/\s+/)[0]);
    state.ack = this.layer.sendStateless(dialog.createRequest('ACK', [], new Uint8Array(0), cseq), dialog.destination(state.dest.protocol)) as SipRequest;
    call.remoteSdp = bodyText(res);
    if (state.cancelPending || call.state === 'terminated') {
      // 9.1: a 2xx racing our CANCEL: the call is up; end it with BYE.
      call.state = 'confirmed';
      this.bye(call);
      return;
    }
    call.state = 'confirmed';
    call.notify('answered', call.remoteSdp);
  }

  /** RFC 3261 22.2 and 8.1.3.5: answer a 401/407 with credentials; a second try only for a new (or stale) nonce. */
  private withCredentials(req: SipRequest, res: SipResponse, auth: DigestCredentials | undefined, tries: number): SipRequest | undefined {
    if (auth === undefined) return undefined;
    const proxy = res.status === 407;
    const challenge = pickDigestChallenge(getHeaders(res, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate'));
    if (challenge === undefined) return undefined;
    if (tries >= 1 && !challenge.stale) return undefined;
    if (tries >= 3) return undefined;
    const authorization = digestAuthorization({ challenge, credentials: auth, method: req.method, uri: req.uri, cnonce: newTag(), nc: 1 });
    const name = proxy ? 'Proxy-Authorization' : 'Authorization';
    const cseq = getHeader(req, 'CSeq') ?? '1 INVITE';
    const next = Number(cseq.split(/\s+/)[0]) + 1;
    const headers = req.headers
      .filter((h) => h.name !== 'Via' && h.name !== name && h.name !== 'CSeq')
      .map((h) => h);
    headers.push({ name: 'CSeq', value: `${next} ${req.method}` }, { name, value: authorization });
    return { ...req, headers };
  }

  /** 9.1: CANCEL an outbound call not yet answered; sent once a provisional response has arrived. */
  cancel(call: Call): void {
    const state = this.outbound.get(call);
    if (state === undefined || call.state !== 'calling' || state.cancelPending) return;
    state.cancelPending = true;
    if (state.provisional) this.sendCancel(call);
  }

  private sendCancel(call: Call): void {
    const state = this.outbound.get(call);
    if (state === undefined) return;
    const inv = call.invite;
    const cancel: SipRequest = {
      kind: 'request',
      method: 'CANCEL',
      uri: inv.uri,
      headers: [
        { name: 'Via', value: getHeader(inv, 'Via') ?? '' },
        ...getHeaders(inv, 'Route').map((value) => ({ name: 'Route', value })),
        { name: 'Max-Forwards', value: '70' },
        { name: 'From', value: getHeader(inv, 'From') ?? '' },
        { name: 'To', value: getHeader(inv, 'To') ?? '' },
        { name: 'Call-ID', value: call.callId },
        { name: 'CSeq', value: `${(getHeader(inv, 'CSeq') ?? '1').split(/\s+/)[0]} CANCEL` },
      ],
      body: new Uint8Array(0),
    };
    // The INVITE's 487 (or a racing 2xx) decides the call; the CANCEL's own answer is not needed.
    this.layer.sendRequest(cancel, state.dest, { receiveResponse: () => undefined, timeout: () => undefined });
  }

  // ---------------------------------------------------------------- UAS: INVITE

  /** A provisional response to an incoming call (180 Ringing, 183 with early media SDP). */
  progress(call: Call, status = 180, sdp?: string): void {
    const st = this.inboundTx.get(call);
    if (st === undefined || call.state !== 'incoming') return;
    st.respond(makeResponse(st.request, status, { toTag: call.localTag, contact: this.contactFor(st.source.transport.protocol), sdp }));
  }

  /** Answers an incoming call with 200 OK and our SDP; the 2xx is resent until the ACK (13.3.1.4). */
  answer(call: Call, sdpAnswer: string): void {
    const st = this.inboundTx.get(call);
    if (st === undefined || call.state !== 'incoming') return;
    const protocol = st.source.transport.protocol;
    const contact = this.contactFor(protocol);
    const headers: SipHeader[] = [{ name: 'Allow', value: ALLOW }, { name: 'Supported', value: SUPPORTED }, { name: 'Server', value: this.product }];
    headers.push(...this.sessionTimerHeaders(st.request));
    const res = makeResponse(st.request, 200, { toTag: call.localTag, contact, headers, sdp: sdpAnswer });
    call.dialog = Dialog.asUas(st.request, call.localTag, contact);
    call.localSdp = sdpAnswer;
    call.state = 'confirmed';
    st.respond(res);
    this.retransmit2xx(call, res, Number((getHeader(st.request, 'CSeq') ?? '0').split(/\s+/)[0]), st.source);
  }

  /** Refuses an incoming call (486 Busy Here, 488 Not Acceptable Here, 503, 603...). */
  reject(call: Call, status: number, headers: readonly SipHeader[] = []): void {
    const st = this.inboundTx.get(call);
    if (st === undefined || call.state !== 'incoming') return;
    st.respond(makeResponse(st.request, status, { toTag: call.localTag, headers }));
    call.finish({ by: 'failed', status, reason: makeResponse(st.request, status).reason });
  }

  /** RFC 4028 9: echo the session interval with the far end as refresher; we never time the session out ourselves. */
  private sessionTimerHeaders(req: SipRequest): SipHeader[] {
    const se = getHeader(req, 'Session-Expires');
    if (se === undefined) return [];
    const interval = Number(se.split(';')[0]);
    if (!(interval > 0)) return [];
    return [{ name: 'Require', value: 'timer' }, { name: 'Session-Expires', value: `${interval};refresher=uac` }];
  }

  /** 13.3.1.4: resend the 2xx at T1, 2T1 ... capped at T2, until the ACK; after 64*T1 end the call with BYE. */
  private retransmit2xx(call: Call, res: SipResponse, cseq: number, source: SipSource): void {
    const bytes = serializeSipMessage(res);
    const started = this.clock.now();
    const schedule = (interval: number): void => {
      const timer = this.clock.setTimeout(() => {
        if (this.pending2xx.get(call)?.timer !== timer) return;
        if (this.clock.now() - started >= 64 * this.layer.timers.T1) {
          this.pending2xx.delete(call);
          this.sendBye(call);
          call.finish({ by: 'no-ack' });
          return;
        }
        source.transport.send(bytes, source.address);
        schedule(Math.min(interval * 2, this.layer.timers.T2));
      }, source.transport.reliable ? 64 * this.layer.timers.T1 : interval);
      this.pending2xx.set(call, { timer, cseq });
    };
    schedule(this.layer.timers.T1);
  }

  // ---------------------------------------------------------------- in-dialog requests we send

  /**
   * Sends a re-INVITE with a new offer (14.1). Resolves with the final answer; a 491 is
   * retried after the random wait 14.1 prescribes (2.1-4 s if we own the Call-ID, else 0-2 s).
   */
  reinvite(call: Call, sdp: string, headers: readonly SipHeader[] = []): Promise<ReinviteResult> {
    return new Promise((resolve) => {
      if (call.state !== 'confirmed' || call.dialog === undefined) {
        resolve({ ok: false, status: 481, reason: 'No dialog' });
        return;
      }
      // 14.1: "MUST NOT initiate a new INVITE transaction within a dialog while another ... is in progress in either direction".
      if (this.reinviting.has(call) || this.reinviteReceived.has(call) || this.pending2xx.has(call)) {
        resolve({ ok: false, status: 491, reason: 'Request Pending' });
        return;
      }
      this.reinviting.set(call, { resolve, sdp, glareTries: 0, authTries: 0, headers, inFlight: true });
      this.sendReinvite(call, []);
    });
  }

  private sendReinvite(call: Call, auth: readonly SipHeader[]): void {
    const st = this.reinviting.get(call);
    const dialog = call.dialog;
    if (st === undefined || dialog === undefined) return;
    if (call.state !== 'confirmed') {
      this.reinviting.delete(call);
      st.resolve({ ok: false, status: 481, reason: 'Call ended' });
      return;
    }
    if (this.reinviteReceived.has(call) || this.pending2xx.has(call)) {
      // The far end's re-INVITE is still being answered: try again a little later (14.1).
      this.later(200, () => this.sendReinvite(call, auth));
      return;
    }
    st.inFlight = true;
    const req = dialog.createRequest('INVITE', [
      { name: 'Allow', value: ALLOW }, { name: 'Supported', value: SUPPORTED }, ...st.headers, ...auth,
      { name: 'Content-Type', value: 'application/sdp' },
    ], textBody(st.sdp));
    const protocol = this.protocolOf(call);
    const dest = dialog.destination(protocol);
    let ack: SipRequest | undefined;
    const tu: ClientTransactionUser = {
      receiveResponse: (res) => {
        if (res.status < 200) return;
        if (res.status < 300) {
          if (ack === undefined) ack = this.layer.sendStateless(dialog.createRequest('ACK', [], new Uint8Array(0), dialog.localSeq), dest) as SipRequest;
          else {
            this.layer.sendStateless(ack, dest);
            return;
          }
          dialog.refreshTarget(res);
          call.localSdp = st.sdp;
          call.remoteSdp = bodyText(res);
          this.reinviting.delete(call);
          st.resolve({ ok: true, status: res.status, reason: res.reason, sdp: call.remoteSdp });
          return;
        }
        if (res.status === 491 && st.glareTries < this.maxGlare) {
          st.glareTries++;
          // 14.1: the owner of the Call-ID (the dialog's UAC) waits 2.1-4 s, the other side 0-2 s, in units of 10 ms.
          const owner = call.direction === 'outbound';
          const delay = owner ? 2100 + Math.floor(this.random() * 191) * 10 : Math.floor(this.random() * 201) * 10;
          st.inFlight = false;
          call.notify('glare', delay);
          this.later(delay, () => this.sendReinvite(call, []));
          return;
        }
        if ((res.status === 401 || res.status === 407) && call.auth !== undefined && st.authTries < 2) {
          const challenged = this.withCredentials(req, res, call.auth, st.authTries);
          const name = res.status === 407 ? 'Proxy-Authorization' : 'Authorization';
          const header = challenged === undefined ? undefined : getHeader(challenged, name);
          if (header !== undefined) {
            st.authTries++;
            this.sendReinvite(call, [{ name, value: header }]);
            return;
          }
        }
        this.reinviting.delete(call);
        st.resolve({ ok: false, status: res.status, reason: res.reason });
        // 14.1: a 481 or 408 to a re-INVITE ends the dialog.
        if (res.status === 481 || res.status === 408) {
          if (res.status === 408) this.sendBye(call);
          call.finish({ by: 'failed', status: res.status, reason: res.reason });
        }
      },
      timeout: () => {
        this.reinviting.delete(call);
        st.resolve({ ok: false, status: 408, reason: 'Request Timeout' });
        this.sendBye(call);
        call.finish({ by: 'failed', status: 408, reason: 'Request Timeout' });
      },
    };
    this.layer.sendRequest(req, dest, tu);
  }

  /**
   * Hangs up: BYE when confirmed, CANCEL when still calling, 480 to an unanswered incoming call.
   * Resolves once the BYE has its final answer (or timed out), so a caller that closes the
   * user agent next does not abort the BYE on its way; at once in the other cases.
   */
  bye(call: Call): Promise<void> {
    if (call.state === 'calling') {
      this.cancel(call);
      return Promise.resolve();
    }
    if (call.state === 'incoming') {
      this.reject(call, 480);
      return Promise.resolve();
    }
    if (call.state !== 'confirmed') return Promise.resolve();
    const answered = this.sendBye(call);
    call.finish({ by: 'local' });
    return answered;
  }

  /** The address and transport an inbound call's INVITE came from (trunk IP authentication). */
  sourceOf(call: Call): SipSource | undefined {
    return this.inboundTx.get(call)?.source;
  }

  private sendBye(call: Call): Promise<void> {
    const dialog = call.dialog;
    if (dialog === undefined) return Promise.resolve();
    this.stop2xx(call);
    return new Promise((resolve) => {
      // close() aborts transactions without calling back: it settles the waiters itself.
      const done = (): void => {
        this.byeWaiters.delete(done);
        resolve();
      };
      this.byeWaiters.add(done);
      this.layer.sendRequest(dialog.createRequest('BYE', [{ name: 'User-Agent', value: this.product }]), dialog.destination(this.protocolOf(call)), {
        receiveResponse: (res) => {
          if (res.status >= 200) done();
        },
        timeout: () => done(),
      });
    });
  }

  private stop2xx(call: Call): void {
    const p = this.pending2xx.get(call);
    if (p !== undefined) this.clock.clearTimeout(p.timer);
    this.pending2xx.delete(call);
  }

  private protocolOf(call: Call): SipProtocol {
    const st = this.outbound.get(call);
    if (st !== undefined) return st.dest.protocol;
    return this.inboundTx.get(call)?.source.transport.protocol ?? 'UDP';
  }

  // ---------------------------------------------------------------- REGISTER

  /** Registers with a registrar and keeps the binding refreshed (10.2). */
  register(options: RegisterOptions): Registration {
    const reg = new Registration(this.layer, this.clock, options, (p) => this.contactFor(p));
    this.registrations.add(reg);
    reg.start();
    return reg;
  }

  // ---------------------------------------------------------------- requests received

  receiveRequest(req: SipRequest, st: ServerTransaction | undefined): void {
    if (this.closed) return;
    const toTag = parseTag(getHeader(req, 'To'));
    if (req.method === 'CANCEL' && st !== undefined) {
      this.receiveCancel(req, st);
      return;
    }
    if (toTag !== undefined) {
      this.inDialog(req, st, toTag);
      return;
    }
    if (st === undefined) return; // an ACK outside any dialog: nothing to do
    switch (req.method) {
      case 'INVITE':
        this.newInvite(req, st as InviteServerTransaction);
        return;
      case 'OPTIONS':
        st.respond(makeResponse(req, 200, { headers: [{ name: 'Allow', value: ALLOW }, { name: 'Accept', value: 'application/sdp' }, { name: 'Supported', value: SUPPORTED }, { name: 'Server', value: this.product }] }));
        return;
      case 'BYE':
        st.respond(makeResponse(req, 481));
        return;
      default:
        st.respond(makeResponse(req, 405, { headers: [{ name: 'Allow', value: ALLOW }] }));
    }
  }

  receiveStrayResponse(res: SipResponse): void {
    // 13.2.2.4: a 2xx retransmitted after the INVITE transaction ended is ACKed again from the dialog.
    if (res.status < 200 || res.status >= 300 || (getHeader(res, 'CSeq') ?? '').split(/\s+/)[1] !== 'INVITE') return;
    const from = parseTag(getHeader(res, 'From'));
    const to = parseTag(getHeader(res, 'To'));
    const call = this.calls.get(dialogId(getHeader(res, 'Call-ID') ?? '', from ?? '', to ?? ''));
    const state = call === undefined ? undefined : this.outbound.get(call);
    if (call?.dialog !== undefined && state?.ack !== undefined) this.layer.sendStateless(state.ack, call.dialog.destination(state.dest.protocol));
  }

  private newInvite(req: SipRequest, st: InviteServerTransaction): void {
    // 8.2.2.1: a Request-URI scheme we do not handle gets 416.
    const scheme = req.uri.slice(0, req.uri.indexOf(':')).toLowerCase();
    if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') {
      st.respond(makeResponse(req, 416, { toTag: newTag() }));
      return;
    }
    // 8.2.2.3: extensions in Require we do not support get 420 with Unsupported.
    const unsupported = getHeaders(req, 'Require').flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0 && v.toLowerCase() !== 'timer');
    if (unsupported.length > 0) {
      st.respond(makeResponse(req, 420, { toTag: newTag(), headers: [{ name: 'Unsupported', value: unsupported.join(', ') }] }));
      return;
    }
    // RFC 4028 8.1: an interval below our Min-SE gets 422 with our Min-SE.
    const se = Number((getHeader(req, 'Session-Expires') ?? '').split(';')[0]);
    if (se > 0 && se < this.minSE) {
      st.respond(makeResponse(req, 422, { toTag: newTag(), headers: [{ name: 'Min-SE', value: String(this.minSE) }] }));
      return;
    }
    // 17.2.1: a 100 Trying at once stops the caller's INVITE retransmissions.
    st.respond(makeResponse(req, 100));
    const call = new Call('inbound', getHeader(req, 'Call-ID') ?? '', req, newTag(), callerIdentity(req), undefined);
    call.remoteSdp = req.body.length > 0 ? bodyText(req) : undefined;
    this.inboundTx.set(call, st);
    const key = dialogId(call.callId, call.localTag, parseTag(getHeader(req, 'From')) ?? '');
    this.inboundKey.set(call, key);
    this.calls.set(key, call);
    this.track(call);
    if (this.listenerCount('invite') === 0) {
      this.reject(call, 480);
      return;
    }
    this.emit('invite', call);
  }

  /** 9.2: a CANCEL answers 200 itself and ends the INVITE with 487 if it has no final response yet. */
  private receiveCancel(req: SipRequest, st: ServerTransaction): void {
    const inviteTx = this.layer.inviteTransactionFor(req);
    if (inviteTx === undefined) {
      st.respond(makeResponse(req, 481));
      return;
    }
    st.respond(makeResponse(req, 200));
    if (inviteTx.finalSent) return;
    for (const call of this.calls.values()) {
      if (this.inboundTx.get(call) === inviteTx && call.state === 'incoming') {
        inviteTx.respond(makeResponse(inviteTx.request, 487, { toTag: call.localTag }));
        call.finish({ by: 'failed', status: 487, reason: 'Request Terminated' });
        return;
      }
    }
    inviteTx.respond(makeResponse(inviteTx.request, 487, { toTag: newTag() }));
  }

  private inDialog(req: SipRequest, st: ServerTransaction | undefined, toTag: string): void {
    const call = this.calls.get(dialogId(getHeader(req, 'Call-ID') ?? '', toTag, parseTag(getHeader(req, 'From')) ?? ''));
    if (call === undefined || call.dialog === undefined) {
      // 12.2.2: no such dialog: 481 (an ACK is just dropped).
      st?.respond(makeResponse(req, 481));
      return;
    }
    const dialog = call.dialog;
    if (req.method === 'ACK') {
      const pending = this.pending2xx.get(call);
      const seq = Number((getHeader(req, 'CSeq') ?? '0').split(/\s+/)[0]);
      if (pending !== undefined && pending.cseq === seq) {
        this.stop2xx(call);
        if (req.body.length > 0) call.remoteSdp = bodyText(req);
        if (seq === Number((getHeader(call.invite, 'CSeq') ?? '0').split(/\s+/)[0]) && call.direction === 'inbound') call.notify('confirmed');
      }
      return;
    }
    if (st === undefined) return;
    if (dialog.receiveRequest(req) === 'out-of-order') {
      st.respond(makeResponse(req, 500, { headers: [{ name: 'Retry-After', value: '1' }] }));
      return;
    }
    switch (req.method) {
      case 'BYE':
        st.respond(makeResponse(req, 200));
        this.stop2xx(call);
        call.finish({ by: 'remote' });
        return;
      case 'INVITE':
      case 'UPDATE':
        this.receiveOffer(call, req, st);
        return;
      case 'OPTIONS':
      case 'INFO':
        st.respond(makeResponse(req, 200, { headers: [{ name: 'Allow', value: ALLOW }] }));
        return;
      default:
        st.respond(makeResponse(req, 501));
    }
  }

  /**
   * A re-INVITE or UPDATE. 14.2: while our own re-INVITE is pending the answer is 491; a
   * second one while the first is unanswered gets 500 with Retry-After. An unchanged SDP
   * (same o= version, or none) is a session refresh (RFC 4028): answered with our current
   * SDP unchanged so the T.38 stream is not disturbed. A changed SDP goes to the application.
   */
  private receiveOffer(call: Call, req: SipRequest, st: ServerTransaction): void {
    const dialog = call.dialog;
    if (dialog === undefined) return;
    const method = req.method === 'INVITE' ? 'INVITE' : 'UPDATE';
    if (method === 'INVITE' && this.reinviting.get(call)?.inFlight === true) {
      st.respond(makeResponse(req, 491));
      return;
    }
    if (this.reinviteReceived.has(call) || (method === 'INVITE' && this.pending2xx.has(call))) {
      st.respond(makeResponse(req, 500, { headers: [{ name: 'Retry-After', value: String(1 + Math.floor(this.random() * 10)) }] }));
      return;
    }
    dialog.refreshTarget(req);
    const protocol = this.protocolOf(call);
    const contact = this.contactFor(protocol);
    const cseq = Number((getHeader(req, 'CSeq') ?? '0').split(/\s+/)[0]);
    const source = st.source;
    const send2xx = (sdp: string | undefined): void => {
      const res = makeResponse(req, 200, { contact, headers: [{ name: 'Allow', value: ALLOW }, { name: 'Supported', value: SUPPORTED }, ...this.sessionTimerHeaders(req)], sdp });
      st.respond(res);
      if (method === 'INVITE') this.retransmit2xx(call, res, cseq, source);
    };
    const offer = req.body.length > 0 ? bodyText(req) : undefined;
    if (offer === undefined || sameSession(offer, call.remoteSdp)) {
      // Session refresh: the SDP we already agreed, byte for byte (RFC 3264 8: same o= version when unchanged).
      send2xx(call.localSdp);
      call.notify('refreshed', method);
      return;
    }
    if (call.listenerCount('offer') === 0) {
      st.respond(makeResponse(req, 488));
      return;
    }
    this.reinviteReceived.add(call);
    let done = false;
    call.notify('offer', {
      method,
      sdp: offer,
      accept: (answer) => {
        if (done) return;
        done = true;
        this.reinviteReceived.delete(call);
        call.remoteSdp = offer;
        call.localSdp = answer;
        send2xx(answer);
      },
      reject: (status = 488) => {
        if (done) return;
        done = true;
        this.reinviteReceived.delete(call);
        st.respond(makeResponse(req, status));
      },
    });
  }

  private later(ms: number, fn: () => void): void {
    const id = this.clock.setTimeout(() => {
      this.coreTimers.delete(id);
      fn();
    }, ms);
    this.coreTimers.add(id);
  }

  /**
   * Shuts down: BYE to confirmed calls (sent once, not waited for), registrations stop
   * refreshing, every transaction and timer ends, transports close.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const call of this.calls.values()) {
      this.stop2xx(call);
      if (call.state === 'confirmed') void this.bye(call);
    }
    this.closed = true;
    for (const reg of this.registrations) reg.stop();
    for (const id of this.coreTimers) this.clock.clearTimeout(id);
    this.coreTimers.clear();
    await this.layer.close();
    for (const settle of [...this.byeWaiters]) settle();
  }
}

function parseTag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseNameAddr(value).params.tag;
  } catch {
    return undefined;
  }
}

/** Same session and version in o= (RFC 3264 8): the offer is a refresh, not a change. */
function sameSession(offer: string, previous: string | undefined): boolean {
  if (previous === undefined) return false;
  const o = (sdp: string): string | undefined => /^o=(.*)$/m.exec(sdp)?.[1]?.trim();
  return o(offer) !== undefined && o(offer) === o(previous);
}
