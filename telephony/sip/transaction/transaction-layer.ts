/**
 * The transaction layer (RFC 3261 17) over one or more transports (18): parses what
 * arrives, stamps `received`/`rport` on the top Via (18.2.1, RFC 3581), matches responses
 * to client transactions (17.1.3) and requests to server transactions (17.2.3), absorbs
 * retransmissions, and hands new requests and unmatched responses to the transaction user
 * (the user agent core) above it.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../core/clock.ts';
import {
  BRANCH_COOKIE, DEFAULT_SIP_LIMITS, SipParseError, canonicalName, cseqOf, formatVia, getHeader, parseSipMessage, parseVia,
  serializeSipMessage, type SipLimits, type SipMessage, type SipRequest, type SipResponse,
} from '../../../protocols/sip/index.ts';
import { addressKey, type SipAddress, type SipProtocol, type SipSource, type SipTransport } from '../transport/transport.ts';

export type { SipSource };
import { InviteClientTransaction, NonInviteClientTransaction, type ClientTransactionUser } from './client.ts';
import { InviteServerTransaction, NonInviteServerTransaction } from './server.ts';
import { SipTimers, type SipTimerValues } from './timers.ts';
import type { TransactionContext } from './transaction.ts';

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;
export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;

/** Where a request goes. */
export interface SipDestination {
  readonly protocol: SipProtocol;
  readonly address: SipAddress;
}

/** The callbacks the layer calls above it. */
export interface TransactionLayerUser {
  /** A new request with its server transaction; an ACK to a 2xx (its own transaction, 17.1.1.3) comes without one. */
  receiveRequest(req: SipRequest, st: ServerTransaction | undefined, source: SipSource): void;
  /** A response no client transaction matches: a 2xx retransmitted after the INVITE transaction ended (13.2.2.4). */
  receiveStrayResponse(res: SipResponse, source: SipSource): void;
}

export interface TransactionLayerStats {
  received: number;
  sent: number;
  parseErrors: number;
  retransmissionsAbsorbed: number;
}

export class TransactionLayer {
  readonly timers: SipTimers;
  readonly stats: TransactionLayerStats = { received: 0, sent: 0, parseErrors: 0, retransmissionsAbsorbed: 0 };
  private readonly clients = new Map<string, { tx: ClientTransaction; dest: string }>();
  private readonly servers = new Map<string, ServerTransaction>();
  private user: TransactionLayerUser | undefined;

  constructor(
    private readonly clock: Clock,
    readonly transports: readonly SipTransport[],
    timerValues?: SipTimerValues,
    private readonly limits: SipLimits = DEFAULT_SIP_LIMITS,
  ) {
    this.timers = new SipTimers(timerValues);
    for (const t of transports) {
      t.onReceive((data, from) => this.receive(data, { transport: t, address: from }));
      t.onError((_err, to) => {
        if (to === undefined) return;
        const key = `${t.protocol}|${addressKey(to)}`;
        for (const { tx, dest } of [...this.clients.values()]) if (dest === key) tx.transportError();
      });
    }
  }

  setUser(user: TransactionLayerUser): void {
    this.user = user;
  }

  transportFor(protocol: SipProtocol): SipTransport {
    const t = this.transports.find((x) => x.protocol === protocol);
    if (t === undefined) throw new Error(`no SIP transport for ${protocol}`);
    return t;
  }

  /** A fresh branch with the RFC 3261 magic cookie. */
  static newBranch(): string {
    return `${BRANCH_COOKIE}${randomBytes(8).toString('hex')}`;
  }

  /**
   * Sends a request in a new client transaction. A request without Via gets ours (with a
   * new branch and `rport`); a CANCEL carries the INVITE's Via (9.1) and keeps it.
   */
  sendRequest(request: SipRequest, dest: SipDestination, tu: ClientTransactionUser): ClientTransaction {
    const transport = this.transportFor(dest.protocol);
    const req = getHeader(request, 'Via') === undefined ? withVia(request, transport, TransactionLayer.newBranch()) : request;
    const key = clientKey(req);
    const destKey = `${transport.protocol}|${addressKey(dest.address)}`;
    const ctx = this.context(transport, dest.address, () => this.clients.delete(key));
    const tx = req.method === 'INVITE' ? new InviteClientTransaction(key, ctx, req, tu) : new NonInviteClientTransaction(key, ctx, req, tu);
    if (tx.state !== 'Terminated') this.clients.set(key, { tx, dest: destKey });
    return tx;
  }

  /** Sends outside any transaction: the ACK to a 2xx (new branch) and 2xx retransmissions by the UAS core. */
  sendStateless(msg: SipMessage, dest: SipDestination): SipMessage {
    const transport = this.transportFor(dest.protocol);
    const out = msg.kind === 'request' && getHeader(msg, 'Via') === undefined ? withVia(msg, transport, TransactionLayer.newBranch()) : msg;
    transport.send(serializeSipMessage(out), dest.address);
    this.stats.sent++;
    return out;
  }

  /** Answers a request back to where it came from (used for responses outside a server transaction). */
  replyStateless(res: SipResponse, source: SipSource): void {
    source.transport.send(serializeSipMessage(res), source.address);
    this.stats.sent++;
  }

  /** 9.2: the INVITE server transaction a CANCEL targets (same branch, sent-by). */
  inviteTransactionFor(cancel: SipRequest): InviteServerTransaction | undefined {
    const tx = this.servers.get(serverKey(cancel, 'INVITE'));
    return tx instanceof InviteServerTransaction ? tx : undefined;
  }

  /** Aborts every transaction (their timers stop) and closes the transports. */
  async close(): Promise<void> {
    for (const { tx } of [...this.clients.values()]) tx.abort();
    for (const tx of [...this.servers.values()]) tx.abort();
    await Promise.all(this.transports.map((t) => t.close()));
  }

  get activeTransactions(): number {
    return this.clients.size + this.servers.size;
  }

  private context(transport: SipTransport, to: SipAddress, terminated: () => void): TransactionContext {
    return {
      clock: this.clock,
      timers: this.timers,
      reliable: transport.reliable,
      send: (data) => {
        transport.send(data, to);
        this.stats.sent++;
      },
      terminated,
    };
  }

  private receive(data: Uint8Array, source: SipSource): void {
    this.stats.received++;
    let msg: SipMessage;
    try {
      msg = parseSipMessage(data, this.limits);
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
      // 8.2 / 16.3: a malformed request is answered 400 when its Via can still be read; the rest is dropped.
      this.stats.parseErrors++;
      const reply = badRequest(data, err.message);
      if (reply !== undefined) {
        source.transport.send(reply, source.address);
        this.stats.sent++;
      }
      return;
    }
    if (msg.kind === 'response') this.receiveResponse(msg, source);
    else this.receiveRequest(stampVia(msg, source), source);
  }

  private receiveResponse(res: SipResponse, source: SipSource): void {
    let key: string;
    try {
      key = clientKey(res);
    } catch (err) {
      if (err instanceof SipParseError) {
        this.stats.parseErrors++;
        return;
      }
      throw err;
    }
    const entry = this.clients.get(key);
    if (entry !== undefined) entry.tx.receiveResponse(res);
    else this.user?.receiveStrayResponse(res, source);
  }

  private receiveRequest(req: SipRequest, source: SipSource): void {
    let key: string;
    try {
      key = serverKey(req, req.method === 'ACK' ? 'INVITE' : req.method);
    } catch (err) {
      if (err instanceof SipParseError) {
        this.stats.parseErrors++;
        return;
      }
      throw err;
    }
    const existing = this.servers.get(key);
    if (req.method === 'ACK') {
      // 17.2.3: an ACK matching an INVITE transaction that sent a non-2xx belongs to it; an ACK to a 2xx goes to the TU.
      if (existing instanceof InviteServerTransaction && existing.state !== 'Accepted') {
        existing.receiveAck(req);
        return;
      }
      this.user?.receiveRequest(req, undefined, source);
      return;
    }
    if (existing !== undefined) {
      this.stats.retransmissionsAbsorbed++;
      existing.receiveRequestRetransmission();
      return;
    }
    const ctx = this.context(source.transport, source.address, () => this.servers.delete(key));
    const st = req.method === 'INVITE' ? new InviteServerTransaction(key, ctx, req, source) : new NonInviteServerTransaction(key, ctx, req, source);
    this.servers.set(key, st);
    this.user?.receiveRequest(req, st, source);
  }
}

/**
 * A 400 for a request the parser refused, built from the raw header lines that still read
 * (Via, From, To, Call-ID, CSeq), with the parser's reason in a Warning (RFC 3261 20.43).
 * Undefined for responses, ACKs, and requests whose Via cannot be found.
 */
function badRequest(data: Uint8Array, why: string): Uint8Array | undefined {
  const text = new TextDecoder().decode(data.subarray(0, 16384));
  const lines = text.split(/\r?\n/);
  const first = /^([A-Za-z]+) \S+ SIP\/2\.0$/.exec(lines[0] ?? '');
  if (first === null || first[1] === 'ACK') return undefined;
  const keep = new Set(['Via', 'From', 'To', 'Call-ID', 'CSeq']);
  const headers: string[] = [];
  for (const line of lines.slice(1)) {
    if (line.length === 0) break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = canonicalName(line.slice(0, colon).trim());
    if (keep.has(name)) headers.push(`${name}: ${line.slice(colon + 1).trim()}`);
  }
  if (!headers.some((h) => h.startsWith('Via:'))) return undefined;
  const warning = why.replace(/[^\x20-\x7e]|"/g, ' ').slice(0, 120);
  return new TextEncoder().encode(`SIP/2.0 400 Bad Request\r\n${headers.join('\r\n')}\r\nWarning: 399 faxgate "${warning}"\r\nContent-Length: 0\r\n\r\n`);
}

/** 17.1.3: a response matches the client transaction with the same top Via branch and CSeq method. */
function clientKey(msg: SipMessage): string {
  const via = parseVia(getHeader(msg, 'Via') ?? '');
  return `${via.params.branch ?? ''}|${cseqOf(msg).method}`;
}

/** 17.2.3: branch, sent-by and method (ACK matched as INVITE); pre-3261 peers without a cookie by Call-ID and CSeq. */
function serverKey(req: SipRequest, method: string): string {
  const via = parseVia(getHeader(req, 'Via') ?? '');
  const branch = via.params.branch;
  const id = branch !== undefined && branch.startsWith(BRANCH_COOKIE)
    ? branch
    : `${getHeader(req, 'Call-ID') ?? ''}|${cseqOf(req).seq}|${branch ?? ''}`;
  return `${id}|${via.host}:${via.port ?? ''}|${method}`;
}

function withVia(req: SipRequest, transport: SipTransport, branch: string): SipRequest {
  const via = formatVia({ transport: transport.protocol, host: transport.local.host, port: transport.local.port, params: { branch, rport: '' } });
  return { ...req, headers: [{ name: 'Via', value: via }, ...req.headers] };
}

/** 18.2.1 and RFC 3581 4: record where the request really came from in its top Via. */
function stampVia(req: SipRequest, source: SipSource): SipRequest {
  const index = req.headers.findIndex((h) => h.name === 'Via');
  const top = req.headers[index];
  if (top === undefined) return req;
  let via;
  try {
    via = parseVia(top.value);
  } catch {
    return req; // matched (and dropped) by the caller's own parse
  }
  const params: Record<string, string> = { ...via.params };
  if (via.host !== source.address.host) params.received = source.address.host;
  if ('rport' in params) {
    params.rport = String(source.address.port);
    params.received = source.address.host;
  }
  const headers = [...req.headers];
  headers[index] = { name: 'Via', value: formatVia({ ...via, params }) };
  return { ...req, headers };
}
