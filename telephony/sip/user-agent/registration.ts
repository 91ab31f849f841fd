/**
 * Registration with a registrar (RFC 3261 10.2): REGISTER with our Contact, digest answers
 * to 401/407 (22.2), 423 Interval Too Brief answered with Min-Expires, and a refresh before
 * the binding expires (10.2.4: same Call-ID, CSeq one higher). A failed attempt is retried
 * after `retryMs`.
 */
import type { Clock, TimerId } from '../../../core/clock.ts';
import {
  digestAuthorization, formatUri, getHeader, getHeaders, parseNameAddr, parseUri, pickDigestChallenge,
  type DigestCredentials, type SipHeader, type SipRequest, type SipResponse,
} from '../../../protocols/sip/index.ts';
import { uriDestination } from '../dialog/dialog.ts';
import { TypedEmitter } from '../emitter.ts';
import type { TransactionLayer } from '../transaction/transaction-layer.ts';
import type { SipProtocol } from '../transport/transport.ts';
import { newCallId, newTag } from './messages.ts';

export interface RegisterOptions {
  /** The registrar's URI (`sip:trunk.example.net:5060`). */
  readonly registrar: string;
  /** Address of record (`sip:0312345678@trunk.example.net`): To and From. */
  readonly aor: string;
  readonly credentials?: DigestCredentials;
  /** Requested binding lifetime in seconds (default 3600). */
  readonly expires?: number;
  readonly transport?: SipProtocol;
  /** Retry delay after a failed registration (default 60 s). */
  readonly retryMs?: number;
}

export type RegistrationEvents = {
  /** The binding is in place for `expires` seconds (the registrar's figure). */
  registered: [expires: number];
  failed: [status: number, reason: string];
  unregistered: [];
};

export type RegistrationState = 'registering' | 'registered' | 'failed' | 'unregistering' | 'unregistered';

export class Registration extends TypedEmitter<RegistrationEvents> {
  state: RegistrationState = 'registering';
  private readonly callId: string;
  private readonly fromTag = newTag();
  private cseq = 0;
  private expires: number;
  private timer: TimerId | undefined;
  private authTries = 0;
  private readonly protocol: SipProtocol;

  constructor(
    private readonly layer: TransactionLayer,
    private readonly clock: Clock,
    private readonly options: RegisterOptions,
    private readonly contactFor: (p: SipProtocol) => string,
  ) {
    super();
    this.protocol = options.transport ?? uriDestination(parseUri(options.registrar), 'UDP').protocol;
    this.callId = newCallId(layer.transportFor(this.protocol).local.host);
    this.expires = options.expires ?? 3600;
  }

  /** @internal */
  start(): void {
    this.send(this.expires, []);
  }

  /** Removes the binding (Expires: 0); resolves when the registrar answered or gave up. */
  unregister(): Promise<void> {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.state = 'unregistering';
    this.authTries = 0;
    return new Promise((resolve) => {
      this.once('unregistered', () => resolve());
      this.once('failed', () => resolve());
      this.send(0, []);
    });
  }

  private send(expires: number, auth: readonly SipHeader[]): void {
    const registrar = parseUri(this.options.registrar);
    const aor = formatUri(parseUri(this.options.aor));
    const request: SipRequest = {
      kind: 'request',
      method: 'REGISTER',
      // 10.2: the Request-URI names the domain of the registrar, without user part.
      uri: formatUri({ ...registrar, user: undefined, password: undefined, params: {}, headers: undefined }),
      headers: [
        { name: 'Max-Forwards', value: '70' },
        { name: 'From', value: `<${aor}>;tag=${this.fromTag}` },
        { name: 'To', value: `<${aor}>` },
        { name: 'Call-ID', value: this.callId },
        { name: 'CSeq', value: `${++this.cseq} REGISTER` },
        { name: 'Contact', value: this.contactFor(this.protocol) },
        { name: 'Expires', value: String(expires) },
        ...auth,
      ],
      body: new Uint8Array(0),
    };
    this.layer.sendRequest(request, uriDestination(registrar, this.protocol), {
      receiveResponse: (res) => this.response(request, res, expires),
      timeout: () => this.fail(408, 'Request Timeout'),
    });
  }

  private response(req: SipRequest, res: SipResponse, expires: number): void {
    if (res.status < 200) return;
    if (res.status < 300) {
      this.authTries = 0;
      if (expires === 0) {
        this.state = 'unregistered';
        this.emit('unregistered');
        return;
      }
      const granted = this.grantedExpires(res) ?? expires;
      this.state = 'registered';
      this.emit('registered', granted);
      // Refresh before expiry: half-way for short bindings, a minute early for long ones.
      const refreshIn = Math.max(1, granted - Math.min(60, granted / 2));
      this.arm(refreshIn * 1000, () => this.send(this.expires, []));
      return;
    }
    if ((res.status === 401 || res.status === 407) && this.options.credentials !== undefined) {
      const proxy = res.status === 407;
      const challenge = pickDigestChallenge(getHeaders(res, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate'));
      if (challenge !== undefined && (this.authTries === 0 || (challenge.stale && this.authTries < 3))) {
        this.authTries++;
        const value = digestAuthorization({ challenge, credentials: this.options.credentials, method: 'REGISTER', uri: req.uri, cnonce: newTag(), nc: 1 });
        this.send(expires, [{ name: proxy ? 'Proxy-Authorization' : 'Authorization', value }]);
        return;
      }
    }
    if (res.status === 423) {
      // 10.2.8: retry with the registrar's Min-Expires.
      const min = Number(getHeader(res, 'Min-Expires'));
      if (min > expires) {
        this.expires = min;
        this.send(min, []);
        return;
      }
    }
    this.fail(res.status, res.reason);
  }

  /** The expiry the registrar granted our Contact: its `expires` parameter, else the Expires header. */
  private grantedExpires(res: SipResponse): number | undefined {
    const ours = parseNameAddr(this.contactFor(this.protocol)).uri;
    for (const c of getHeaders(res, 'Contact')) {
      try {
        const na = parseNameAddr(c);
        if (na.uri.host === ours.host && na.uri.port === ours.port && na.params.expires !== undefined) return Number(na.params.expires);
      } catch {
        // Other bindings of the same AOR may be written oddly; ours is what matters.
      }
    }
    const header = Number(getHeader(res, 'Expires'));
    return header > 0 ? header : undefined;
  }

  private fail(status: number, reason: string): void {
    this.authTries = 0;
    const unregistering = this.state === 'unregistering';
    this.state = 'failed';
    this.emit('failed', status, reason);
    if (!unregistering) this.arm(this.options.retryMs ?? 60_000, () => {
      this.state = 'registering';
      this.send(this.expires, []);
    });
  }

  private arm(ms: number, fn: () => void): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      fn();
    }, ms);
  }

  /** Stops refreshing without unregistering (the binding lapses at the registrar). */
  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
