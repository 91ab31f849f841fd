/**
 * Puts received RTP packets back in sequence order, tolerating the jitter of a real network:
 * a packet that arrives early waits (up to `depth` packets) for the ones before it; when
 * more than `depth` are waiting, the missing ones are declared lost and play skips them. A
 * duplicate, or a packet older than what was already played, is dropped. Sequence numbers
 * wrap at 2^16; a jump of more than `resyncGap` (a new source, a far end that restarted its
 * counter after a re-INVITE) starts over instead of waiting for thousands of packets.
 * Pure: no clock. The endpoint calls `flush()` when the stream pauses.
 */
import { seqDelta, type RtpPacket } from '../../protocols/rtp/index.ts';

export interface InOrderPacket {
  readonly packet: RtpPacket;
  /** Packets declared lost just before this one (a concealment hint: insert silence). */
  readonly lostBefore: number;
}

export interface ReorderStats {
  received: number;
  delivered: number;
  lost: number;
  duplicates: number;
  /** Arrived after their turn had passed (dropped). */
  late: number;
  /** Arrived out of order but in time, and were put back in place. */
  reordered: number;
  resyncs: number;
}

export interface ReorderOptions {
  /** Packets held while waiting for a gap to fill (3 = 60 ms at 20 ms ptime). */
  readonly depth?: number;
  readonly resyncGap?: number;
}

export class ReorderBuffer {
  private readonly depth: number;
  private readonly resyncGap: number;
  /** The next sequence number to deliver; undefined before the first packet. */
  private expected: number | undefined;
  private readonly held = new Map<number, RtpPacket>();
  /** The last few sequence numbers played, to tell a duplicate from a late packet. */
  private readonly recent: number[] = [];
  readonly stats: ReorderStats = { received: 0, delivered: 0, lost: 0, duplicates: 0, late: 0, reordered: 0, resyncs: 0 };

  constructor(options: ReorderOptions = {}) {
    this.depth = options.depth ?? 3;
    this.resyncGap = options.resyncGap ?? 1000;
  }

  /** Accepts one packet; returns what can now be played, in order. */
  push(packet: RtpPacket): InOrderPacket[] {
    this.stats.received++;
    const seq = packet.sequenceNumber;
    if (this.expected === undefined) this.expected = seq;
    const ahead = seqDelta(this.expected, seq);
    if (Math.abs(ahead) > this.resyncGap) {
      // RFC 3550 A.1 restarts its sequence state on a large jump; so does this buffer.
      this.stats.resyncs++;
      const out = this.drain(0);
      this.expected = seq;
      this.held.set(seq, packet);
      return [...out, ...this.drain(this.depth)];
    }
    if (ahead < 0) {
      if (this.recent.includes(seq)) this.stats.duplicates++;
      else this.stats.late++;
      return [];
    }
    if (this.held.has(seq)) {
      this.stats.duplicates++;
      return [];
    }
    // The packet that fills a gap others are waiting behind arrived out of order.
    if (ahead === 0 && this.held.size > 0) this.stats.reordered++;
    this.held.set(seq, packet);
    return this.drain(this.depth);
  }

  /** Plays everything held, declaring the gaps lost (the stream paused or ended). */
  flush(): InOrderPacket[] {
    return this.drain(0);
  }

  /**
   * Delivers in-order packets; while more than `keep` packets are held behind a gap, the
   * gap is given up as lost.
   */
  private drain(keep: number): InOrderPacket[] {
    const out: InOrderPacket[] = [];
    let lost = 0;
    while (this.held.size > 0 && this.expected !== undefined) {
      const p = this.held.get(this.expected);
      if (p !== undefined) {
        this.held.delete(this.expected);
        out.push({ packet: p, lostBefore: lost });
        this.stats.delivered++;
        this.recent.push(this.expected);
        if (this.recent.length > 32) this.recent.shift();
        lost = 0;
      } else if (this.held.size > keep) {
        lost++;
        this.stats.lost++;
      } else break;
      this.expected = (this.expected + 1) & 0xffff;
    }
    return out;
  }
}
