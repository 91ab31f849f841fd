/**
 * The media sockets of one fax call, opened before the SDP that announces them: a UDPTL
 * socket for T.38 and, when the call may start with audio, an RTP socket for G.711. Opening
 * first and writing the bound ports into SDP afterwards means no port is ever announced and
 * then found taken. Ports come from the configured range (what carriers' firewalls are
 * opened for) or from the system.
 */
import { networkInterfaces } from 'node:os';
import type { Clock } from '../../core/clock.ts';
import type { AudioCodecName, LocalMedia, T38Capabilities } from '../../protocols/sdp/index.ts';
import { RtpEndpoint } from '../media/rtp-endpoint.ts';
import { UdpTransport } from '../udp/udp-transport.ts';

export interface MediaPortRange {
  readonly min: number;
  readonly max: number;
}

export interface CallMediaOptions {
  /** Our media address, written in c= (what the far end sends to). */
  readonly address: string;
  /** Where the sockets bind (default: `address`; `0.0.0.0` behind NAT with `address` public). */
  readonly bindAddress?: string;
  readonly clock: Clock;
  /** Open an RTP socket too: the call may start with audio. */
  readonly audio: boolean;
  readonly t38: T38Capabilities;
  readonly audioCodecs?: readonly AudioCodecName[];
  readonly ports?: MediaPortRange;
}

/** The address a far end can reach us at when bound to a wildcard: the first external IPv4 address (else loopback). */
export function firstExternalIPv4(): string {
  for (const list of Object.values(networkInterfaces())) {
    const external = list?.find((i) => i.family === 'IPv4' && !i.internal);
    if (external !== undefined) return external.address;
  }
  return '127.0.0.1';
}

/** Round-robin cursor per range, so a port just closed is not reused by the next call at once. */
const cursors = new Map<string, number>();

export class CallMedia {
  private version = 0;
  private closed = false;
  readonly sessionId = String(Date.now() * 1000 + Math.floor(Math.random() * 1000));

  private constructor(
    private readonly options: CallMediaOptions,
    readonly udptl: UdpTransport,
    readonly rtp: RtpEndpoint | undefined,
  ) {}

  static async open(options: CallMediaOptions): Promise<CallMedia> {
    const bind = options.bindAddress ?? options.address;
    const udptl = await bindFromRange(options.ports, 1, (port) => UdpTransport.open({ localPort: port, localAddress: bind, learnRemote: false }));
    let rtp: RtpEndpoint | undefined;
    try {
      // RTP takes an even port (RFC 3550 11); the payload type is set once the answer is known.
      if (options.audio) rtp = await bindFromRange(options.ports, 2, (port) => RtpEndpoint.open({ clock: options.clock, localPort: port, localAddress: bind, payloadType: 0 }));
    } catch (err) {
      await udptl.close();
      throw err;
    }
    return new CallMedia(options, udptl, rtp);
  }

  /** Our side for the next offer or answer: each one carries a new o= version (RFC 3264 8). */
  nextLocal(): LocalMedia {
    this.version++;
    return this.localAt(this.version);
  }

  /** Our side as last sent (for reading the answer to it). */
  current(): LocalMedia {
    return this.localAt(Math.max(1, this.version));
  }

  private localAt(version: number): LocalMedia {
    return {
      address: this.options.address,
      sessionId: this.sessionId,
      sessionVersion: version,
      ...(this.rtp === undefined ? {} : { audio: { port: this.rtp.localPort, codecs: this.options.audioCodecs ?? ['PCMU', 'PCMA'] } }),
      image: { port: this.udptl.localPort, t38: this.options.t38 },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.udptl.close(), this.rtp?.close()]);
  }
}

async function bindFromRange<T>(range: MediaPortRange | undefined, step: 1 | 2, open: (port: number) => Promise<T>): Promise<T> {
  if (range === undefined) return open(0);
  const key = `${range.min}-${range.max}`;
  const first = range.min + (range.min % step);
  const count = Math.floor((range.max - first) / step) + 1;
  const cursor = cursors.get(key) ?? 0;
  for (let tried = 0; tried < count; tried++) {
    const port = first + ((cursor + tried) % count) * step;
    try {
      const opened = await open(port);
      cursors.set(key, cursor + tried + 1);
      return opened;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  throw Object.assign(new Error(`no free media port in ${range.min}-${range.max}`), { code: 'MEDIA_PORTS_EXHAUSTED' });
}
