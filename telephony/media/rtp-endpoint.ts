/**
 * One RTP session over one UDP socket (node:dgram): the audio leg of a call before (or
 * instead of) T.38. It sends a frame every ptime (20 ms) on an injected Clock, pulling the
 * payload from a source (a tone generator, silence, a modem), and delivers received packets
 * in sequence order through a ReorderBuffer, with the count of packets lost before each.
 *
 * Addressing is symmetric RTP (RFC 4961), as SBCs and NATs expect: with no remote set, the
 * endpoint sends to where the first valid packet came from; with a remote from SDP it sends
 * there and accepts media from anywhere (an SBC may send from another port than it
 * announced). `lastPacketAt` (clock time) feeds the media watchdog.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import type { Clock, TimerId } from '../../core/clock.ts';
import { RtpDecodeError, decodeRtp, encodeRtp, looksLikeRtp, type RtpPacket } from '../../protocols/rtp/index.ts';
import { ReorderBuffer, type InOrderPacket, type ReorderStats } from './reorder-buffer.ts';

export interface RtpAddress {
  readonly host: string;
  readonly port: number;
}

export interface RtpEndpointOptions {
  readonly clock: Clock;
  /** Port to bind; 0 lets the system pick. */
  readonly localPort: number;
  readonly localAddress?: string;
  /** Far end from SDP; absent: learnt from the first packet (symmetric RTP). */
  readonly remote?: RtpAddress;
  /** RTP payload type sent (0 PCMU, 8 PCMA). */
  readonly payloadType: number;
  /** Packetization time; G.711's usual 20 ms. */
  readonly ptimeMs?: number;
  /** Media clock rate: 8,000 for G.711. */
  readonly clockRate?: number;
  /** Random when absent (RFC 3550 5.1: SSRC, sequence and timestamp start at random values). */
  readonly ssrc?: number;
  readonly initialSequence?: number;
  readonly initialTimestamp?: number;
  readonly reorderDepth?: number;
}

export interface RtpEndpointStats extends ReorderStats {
  sent: number;
  /** Datagrams that were not RTP (RTCP, STUN) or did not decode. */
  discarded: number;
  sendErrors: number;
}

/** Returns the next frame's payload, or undefined for none (silence suppressed: no packet). */
export type FrameSource = () => Uint8Array | undefined;

export class RtpEndpoint {
  private readonly ptimeMs: number;
  private readonly samplesPerFrame: number;
  private readonly ssrc: number;
  private sequence: number;
  private timestamp: number;
  /** The next packet starts a talkspurt (RFC 3551 4.1: marker after silence). */
  private markerNext = true;
  private remoteAddress: RtpAddress | undefined;
  private readonly reorder: ReorderBuffer;
  private listener: ((p: InOrderPacket) => void) | undefined;
  private timer: TimerId | undefined;
  private closed = false;
  private counters = { sent: 0, discarded: 0, sendErrors: 0 };
  /** Clock time of the last valid packet received; undefined before the first. */
  lastPacketAt: number | undefined;
  /** The payload type sent; an endpoint opened for an offer learns it from the answer. */
  payloadType: number;

  private constructor(
    private readonly socket: Socket,
    private readonly options: RtpEndpointOptions,
  ) {
    this.ptimeMs = options.ptimeMs ?? 20;
    this.samplesPerFrame = ((options.clockRate ?? 8000) * this.ptimeMs) / 1000;
    this.ssrc = options.ssrc ?? randomInt(0, 2 ** 32);
    this.sequence = options.initialSequence ?? randomInt(0, 2 ** 16);
    this.timestamp = options.initialTimestamp ?? randomInt(0, 2 ** 32);
    this.remoteAddress = options.remote;
    this.payloadType = options.payloadType;
    this.reorder = new ReorderBuffer(options.reorderDepth === undefined ? {} : { depth: options.reorderDepth });
  }

  static async open(options: RtpEndpointOptions): Promise<RtpEndpoint> {
    const socket = createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.localPort, options.localAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const endpoint = new RtpEndpoint(socket, options);
    socket.on('error', () => endpoint.counters.sendErrors++);
    socket.on('message', (msg, rinfo) => endpoint.receive(msg, rinfo));
    return endpoint;
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  get remote(): RtpAddress | undefined {
    return this.remoteAddress;
  }

  /** A re-INVITE moved the far end's media. */
  setRemote(remote: RtpAddress): void {
    this.remoteAddress = remote;
  }

  get stats(): RtpEndpointStats {
    return { ...this.reorder.stats, ...this.counters };
  }

  /** Received packets, in order; `lostBefore` counts packets skipped just before. */
  onPacket(listener: (p: InOrderPacket) => void): void {
    this.listener = listener;
  }

  /** Sends one frame now; the timestamp advances by one frame whether or not it is sent. */
  sendFrame(payload: Uint8Array | undefined): void {
    if (this.closed) return;
    if (payload !== undefined && this.remoteAddress !== undefined) {
      const packet: RtpPacket = {
        payloadType: this.payloadType,
        marker: this.markerNext,
        sequenceNumber: this.sequence,
        timestamp: this.timestamp,
        ssrc: this.ssrc,
        csrcs: [],
        payload,
        paddingLength: 0,
      };
      this.socket.send(encodeRtp(packet), this.remoteAddress.port, this.remoteAddress.host, this.onSent);
      this.sequence = (this.sequence + 1) & 0xffff;
      this.markerNext = false;
      this.counters.sent++;
    } else {
      this.markerNext = true;
    }
    this.timestamp = (this.timestamp + this.samplesPerFrame) >>> 0;
  }

  /**
   * Sends a frame from `source` every ptime until stopped. Deadlines are counted from the
   * start (start + n * ptime), so a late timer does not push every later packet back.
   */
  startSending(source: FrameSource): void {
    this.stopSending();
    const clock = this.options.clock;
    const start = clock.now();
    let n = 0;
    const tick = (): void => {
      if (this.closed) return;
      this.sendFrame(source());
      n++;
      this.timer = clock.setTimeout(tick, Math.max(0, start + n * this.ptimeMs - clock.now()));
    };
    tick();
  }

  stopSending(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Delivers what the reorder buffer still holds (the far end paused or the call ends). */
  flush(): void {
    for (const p of this.reorder.flush()) this.listener?.(p);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.stopSending();
    this.closed = true;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private readonly onSent = (err: Error | null): void => {
    if (err) this.counters.sendErrors++;
  };

  private receive(msg: Uint8Array, rinfo: { address: string; port: number }): void {
    if (this.closed) return;
    if (!looksLikeRtp(msg)) {
      this.counters.discarded++;
      return;
    }
    let packet: RtpPacket;
    try {
      packet = decodeRtp(msg);
    } catch (e) {
      if (!(e instanceof RtpDecodeError)) throw e;
      this.counters.discarded++;
      return;
    }
    this.remoteAddress ??= { host: rinfo.address, port: rinfo.port };
    this.lastPacketAt = this.options.clock.now();
    for (const p of this.reorder.push(packet)) this.listener?.(p);
  }
}
