/**
 * A DatagramTransport over one UDP socket (node:dgram). With a remote address the socket is
 * connected to it at once (the kernel then filters other sources and sends skip the address
 * lookup); without one it replies to the source of the first datagram it receives, as a
 * called T.38 endpoint whose far end is known only from its media. Datagrams sent before
 * the far end is known are held (up to a small limit) and sent once the socket is connected to it.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { DatagramTransport } from '../t38/transport.ts';

export interface UdpEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface UdpTransportOptions {
  /** Port to bind; 0 lets the system pick. */
  readonly localPort: number;
  readonly localAddress?: string;
  /** The far end; absent: learnt from the first datagram received. */
  readonly remote?: UdpEndpoint;
  /** Datagrams kept while the far end is unknown. */
  readonly holdLimit?: number;
  /**
   * Without `remote`: learn the far end from the first datagram (default), or wait for
   * connectTo() (a SIP call: the SDP names the far end; anything arriving earlier is dropped).
   */
  readonly learnRemote?: boolean;
}

export class UdpTransport implements DatagramTransport {
  private listener: ((d: Uint8Array) => void) | undefined;
  private remoteEndpoint: UdpEndpoint | undefined;
  private held: Uint8Array[] = [];
  private closed = false;
  private connected = false;
  private markConnected: (remote: UdpEndpoint) => void = () => {};
  /** Resolves once the far end is known and the socket is connected to it. */
  readonly whenConnected = new Promise<UdpEndpoint>((resolve) => (this.markConnected = resolve));
  /** Sends that failed (ICMP unreachable reported by the kernel, buffers full). */
  sendErrors = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly holdLimit: number,
  ) {}

  static async open(options: UdpTransportOptions): Promise<UdpTransport> {
    const socket = createSocket({ type: 'udp4' });
    const t = new UdpTransport(socket, options.holdLimit ?? 64);
    const learn = options.learnRemote ?? true;
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.localPort, options.localAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // After bind, errors are per send (e.g. ECONNREFUSED from a connected socket): counted, not fatal.
    socket.on('error', () => t.sendErrors++);
    socket.on('message', (msg, rinfo) => {
      if (t.closed) return;
      if (t.remoteEndpoint === undefined) {
        if (!learn) return;
        t.learn({ host: rinfo.address, port: rinfo.port });
      }
      t.listener?.(msg);
    });
    if (options.remote !== undefined) t.learn(options.remote);
    return t;
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  get remote(): UdpEndpoint | undefined {
    return this.remoteEndpoint;
  }

  send(datagram: Uint8Array): void {
    if (this.closed) return;
    if (!this.connected) {
      if (this.held.length < this.holdLimit) this.held.push(datagram);
      return;
    }
    // No callback: a failed send is reported as an 'error' event (counted), and the hot path
    // saves a completion callback per datagram.
    this.socket.send(datagram);
  }

  onDatagram(listener: (d: Uint8Array) => void): void {
    this.listener = listener;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  /**
   * Points a transport opened before the far end was known (its port went into our SDP) at
   * the address the SDP exchange gave.
   */
  connectTo(remote: UdpEndpoint): void {
    if (this.remoteEndpoint === undefined && !this.closed) this.learn(remote);
  }

  private learn(remote: UdpEndpoint): void {
    this.remoteEndpoint = remote;
    // The short send(data) form needs a connected socket: hold sends until connect completes.
    this.socket.connect(remote.port, remote.host, () => {
      if (this.closed) return;
      this.connected = true;
      const held = this.held;
      this.held = [];
      for (const d of held) this.socket.send(d);
      this.markConnected(remote);
    });
  }
}

/** Parses `HOST:PORT` (IPv4 or a name; `[v6]:port` is not supported by this udp4 transport). */
export function parseEndpoint(text: string): UdpEndpoint | undefined {
  const m = /^([^:\s]+):(\d{1,5})$/.exec(text);
  if (m === null) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] as string, port };
}
