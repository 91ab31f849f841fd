/**
 * A dialog (RFC 3261 12): the peer-to-peer relationship an INVITE creates. It owns the
 * dialog id (Call-ID, local and remote tags), the CSeq counters, the remote target (the
 * far end's Contact, refreshed by re-INVITE and UPDATE) and the route set from
 * Record-Route, and builds the requests sent within it (12.2.1.1).
 */
import {
  formatUri, getHeader, getHeaders, parseNameAddr, parseUri, type SipHeader, type SipRequest,
  type SipResponse, type SipUri,
} from '../../../protocols/sip/index.ts';
import type { SipDestination } from '../transaction/transaction-layer.ts';
import type { SipProtocol } from '../transport/transport.ts';

export interface DialogState {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** Local and remote URIs with display names: From/To of requests we send. */
  readonly localUri: string;
  readonly remoteUri: string;
  /** Our Contact, as sent. */
  readonly localContact: string;
  readonly routeSet: readonly string[];
  readonly remoteTarget: string;
  readonly secure: boolean;
}

export class Dialog {
  localSeq: number;
  /** Undefined until the far end sends a request in the dialog (12.1.2: the UAC's remote sequence is empty). */
  remoteSeq: number | undefined;
  private state: DialogState;

  private constructor(state: DialogState, localSeq: number, remoteSeq: number | undefined) {
    this.state = state;
    this.localSeq = localSeq;
    this.remoteSeq = remoteSeq;
  }

  get id(): string {
    return dialogId(this.state.callId, this.state.localTag, this.state.remoteTag);
  }

  get callId(): string {
    return this.state.callId;
  }

  get remoteTag(): string {
    return this.state.remoteTag;
  }

  get remoteTarget(): string {
    return this.state.remoteTarget;
  }

  get routeSet(): readonly string[] {
    return this.state.routeSet;
  }

  /**
   * 12.1.2: the UAC's dialog from a 2xx (or 1xx with To tag). The route set is the
   * Record-Route list reversed; the remote target the response's Contact.
   */
  static asUac(invite: SipRequest, res: SipResponse, localContact: string): Dialog {
    const to = parseNameAddr(getHeader(res, 'To') ?? '');
    const from = parseNameAddr(getHeader(invite, 'From') ?? '');
    const contact = getHeader(res, 'Contact');
    return new Dialog({
      callId: getHeader(invite, 'Call-ID') ?? '',
      localTag: from.params.tag ?? '',
      remoteTag: to.params.tag ?? '',
      localUri: getHeader(invite, 'From') ?? '',
      remoteUri: getHeader(res, 'To') ?? '',
      localContact,
      routeSet: getHeaders(res, 'Record-Route').reverse(),
      remoteTarget: contact !== undefined ? formatUri(parseNameAddr(contact).uri) : invite.uri,
      secure: parseUri(invite.uri).scheme === 'sips',
    }, Number((getHeader(invite, 'CSeq') ?? '0').split(/\s+/)[0]), undefined);
  }

  /** 12.1.1: the UAS's dialog from the INVITE it answers, with the To tag it chose. */
  static asUas(invite: SipRequest, localTag: string, localContact: string): Dialog {
    const from = parseNameAddr(getHeader(invite, 'From') ?? '');
    const contact = getHeader(invite, 'Contact');
    const to = getHeader(invite, 'To') ?? '';
    return new Dialog({
      callId: getHeader(invite, 'Call-ID') ?? '',
      localTag,
      remoteTag: from.params.tag ?? '',
      localUri: /;\s*tag=/i.test(to) ? to : `${to};tag=${localTag}`,
      remoteUri: getHeader(invite, 'From') ?? '',
      localContact,
      routeSet: getHeaders(invite, 'Record-Route'),
      remoteTarget: contact !== undefined ? formatUri(parseNameAddr(contact).uri) : formatUri(from.uri),
      secure: parseUri(invite.uri).scheme === 'sips',
    }, 0, Number((getHeader(invite, 'CSeq') ?? '0').split(/\s+/)[0]));
  }

  /**
   * 12.2.2: a request within the dialog. Returns 'ok', or 'out-of-order' when its CSeq is
   * lower than the last one (answered 500); ACK and CANCEL do not advance the counter.
   */
  receiveRequest(req: SipRequest): 'ok' | 'out-of-order' {
    if (req.method === 'ACK' || req.method === 'CANCEL') return 'ok';
    const seq = Number((getHeader(req, 'CSeq') ?? '0').split(/\s+/)[0]);
    if (this.remoteSeq !== undefined && seq <= this.remoteSeq) return 'out-of-order';
    this.remoteSeq = seq;
    return 'ok';
  }

  /** 12.2: a target refresh (re-INVITE, UPDATE or their 2xx) replaces the remote target with the new Contact. */
  refreshTarget(msg: SipRequest | SipResponse): void {
    const contact = getHeader(msg, 'Contact');
    if (contact === undefined) return;
    try {
      this.state = { ...this.state, remoteTarget: formatUri(parseNameAddr(contact).uri) };
    } catch {
      // A broken Contact in a refresh leaves the old target: the call goes on.
    }
  }

  /**
   * 12.2.1.1: Request-URI, Route and headers for a new request in the dialog. ACK to a 2xx
   * reuses the INVITE's CSeq number (pass `cseq`); every other request takes the next one.
   */
  createRequest(method: string, extra: readonly SipHeader[] = [], body: Uint8Array = new Uint8Array(0), cseq?: number): SipRequest {
    let seq = cseq;
    if (seq === undefined) seq = ++this.localSeq;
    const { uri, routes } = this.requestTarget();
    const headers: SipHeader[] = [
      ...routes.map((value) => ({ name: 'Route', value })),
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: this.state.localUri },
      { name: 'To', value: this.state.remoteUri },
      { name: 'Call-ID', value: this.state.callId },
      { name: 'CSeq', value: `${seq} ${method}` },
      { name: 'Contact', value: this.state.localContact },
      ...extra,
    ];
    return { kind: 'request', method, uri, headers, body };
  }

  /** Where requests in this dialog are sent: the first Route, else the remote target (RFC 3263 reduced to host:port). */
  destination(defaultProtocol: SipProtocol): SipDestination {
    const first = this.state.routeSet[0];
    const uri = first !== undefined ? parseNameAddr(first).uri : parseUri(this.state.remoteTarget);
    return uriDestination(uri, defaultProtocol);
  }

  private requestTarget(): { uri: string; routes: string[] } {
    const routes = [...this.state.routeSet];
    const first = routes[0];
    if (first === undefined) return { uri: this.state.remoteTarget, routes: [] };
    const firstUri = parseNameAddr(first).uri;
    if ('lr' in firstUri.params) return { uri: this.state.remoteTarget, routes };
    // A strict router (RFC 2543): it goes in the Request-URI and the remote target at the end of Route.
    const { lr: _lr, ...params } = firstUri.params;
    return { uri: formatUri({ ...firstUri, params }), routes: [...routes.slice(1), `<${this.state.remoteTarget}>`] };
  }
}

export function dialogId(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`;
}

/** host:port and transport of a URI (RFC 3263 without DNS: port 5060, 5061 for sips/TLS). */
export function uriDestination(uri: SipUri, defaultProtocol: SipProtocol): SipDestination {
  const t = uri.params.transport?.toUpperCase();
  const protocol: SipProtocol = uri.scheme === 'sips' ? 'TLS' : t === 'TCP' ? 'TCP' : t === 'TLS' ? 'TLS' : t === 'UDP' ? 'UDP' : defaultProtocol;
  const host = uri.host.startsWith('[') ? uri.host.slice(1, -1) : uri.host;
  return { protocol, address: { host, port: uri.port ?? (protocol === 'TLS' ? 5061 : 5060) } };
}

