/** SIP over UDP (RFC 3261 18.1.1, 18.2.1): one socket for every peer. */
import { createSocket, type Socket } from 'node:dgram';
import type { SipAddress, SipTransport } from './transport.ts';

export class UdpSipTransport implements SipTransport {
  readonly protocol = 'UDP' as const;
  readonly reliable = false;
  private receive: (data: Uint8Array, from: SipAddress) => void = () => undefined;
  private error: (err: Error, to: SipAddress | undefined) => void = () => undefined;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    readonly local: SipAddress,
  ) {}

  /** Binds `host:port` (port 0: any free port); `advertise` is the host written in Via/Contact. */
  static async open(options: { host: string; port: number; advertise?: string }): Promise<UdpSipTransport> {
    const socket = createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port, options.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // RFC 3261 18.1.1 lets UDP messages reach 65535 bytes; default kernel buffers drop bursts under load.
    try {
      socket.setRecvBufferSize(4 * 1024 * 1024);
    } catch {
      // Not permitted in every container: the default buffer still works, only with more loss under load.
    }
    const t = new UdpSipTransport(socket, { host: options.advertise ?? options.host, port: socket.address().port });
    socket.on('message', (msg, rinfo) => {
      if (!t.closed) t.receive(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), { host: rinfo.address, port: rinfo.port });
    });
    socket.on('error', (err) => t.error(err, undefined));
    return t;
  }

  send(data: Uint8Array, to: SipAddress): void {
    if (this.closed) return;
    this.socket.send(data, to.port, to.host, (err) => {
      if (err) this.error(err, to);
    });
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
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
