/**
 * SIP over TCP and TLS (RFC 3261 18.3): messages framed by Content-Length, connections
 * opened on demand and kept per peer address. A response goes back on the connection its
 * request came in on (18.2.2): accepted connections are stored under the peer's address,
 * which is the address the endpoint answers to.
 */
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, connect as tlsConnect, type SecureContextOptions } from 'node:tls';
import { SipParseError, SipStreamFramer } from '../../../protocols/sip/index.ts';
import { addressKey, type SipAddress, type SipProtocol, type SipTransport } from './transport.ts';

export interface StreamTransportOptions {
  readonly host: string;
  readonly port: number;
  readonly advertise?: string;
  /** Certificate and key: TLS. Absent: TCP. */
  readonly tls?: SecureContextOptions & { readonly rejectUnauthorized?: boolean };
  /** Idle connections are closed after this long (ms). */
  readonly idleTimeoutMs?: number;
}

export class StreamSipTransport implements SipTransport {
  readonly reliable = true;
  private receive: (data: Uint8Array, from: SipAddress) => void = () => undefined;
  private error: (err: Error, to: SipAddress | undefined) => void = () => undefined;
  private readonly connections = new Map<string, Socket>();
  private closed = false;

  private constructor(
    readonly protocol: SipProtocol,
    private readonly server: Server,
    readonly local: SipAddress,
    private readonly options: StreamTransportOptions,
  ) {}

  static async open(options: StreamTransportOptions): Promise<StreamSipTransport> {
    let transport: StreamSipTransport | undefined;
    const onConnection = (socket: Socket): void => transport?.adopt(socket, { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 });
    const server = options.tls !== undefined ? createTlsServer(options.tls, onConnection) : createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    transport = new StreamSipTransport(options.tls !== undefined ? 'TLS' : 'TCP', server, { host: options.advertise ?? options.host, port }, options);
    return transport;
  }

  send(data: Uint8Array, to: SipAddress): void {
    if (this.closed) return;
    let socket = this.connections.get(addressKey(to));
    if (socket === undefined || socket.destroyed) {
      socket = this.options.tls !== undefined
        ? tlsConnect({ host: to.host, port: to.port, ...this.options.tls, rejectUnauthorized: this.options.tls.rejectUnauthorized ?? true })
        : tcpConnect({ host: to.host, port: to.port });
      this.adopt(socket, to);
    }
    socket.write(data);
  }

  onReceive(listener: (data: Uint8Array, from: SipAddress) => void): void {
    this.receive = listener;
  }

  onError(listener: (err: Error, to: SipAddress | undefined) => void): void {
    this.error = listener;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.connections.values()) s.destroy();
    this.connections.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private adopt(socket: Socket, peer: SipAddress): void {
    const key = addressKey(peer);
    this.connections.set(key, socket);
    const framer = new SipStreamFramer();
    socket.setNoDelay(true);
    socket.setTimeout(this.options.idleTimeoutMs ?? 10 * 60_000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      try {
        const { messages, pings } = framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        // RFC 5626 4.4.1: a CRLF CRLF ping is answered with one CRLF.
        if (pings > 0) socket.write('\r\n');
        for (const m of messages) this.receive(m, peer);
      } catch (err) {
        // A stream that cannot be framed cannot be resynchronized (18.3): drop the connection.
        if (err instanceof SipParseError) this.error(err, peer);
        socket.destroy();
      }
    });
    socket.on('error', (err) => this.error(err, peer));
    socket.on('close', () => {
      if (this.connections.get(key) === socket) this.connections.delete(key);
    });
  }
}
