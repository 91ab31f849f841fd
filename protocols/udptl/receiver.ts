/**
 * Receiver side of UDPTL: puts IFPs back in sequence order, drops duplicates and late
 * copies, and rebuilds lost IFPs from the redundancy or parity FEC of later packets.
 * Pure: fed packets, it returns what to deliver; it has no timers. With `reorderDepth` 0
 * (the default, as SpanDSP and Asterisk behave) a gap is declared lost as soon as a later
 * packet cannot fill it; with a larger depth the caller should call `flush()` when the
 * stream goes quiet, or the packets behind a gap wait for the next datagram.
 *
 * Sequence numbers are 16-bit and wrap from 65535 to 0; the first packet may carry any
 * number (Cisco starts at 32768). A jump further than `window` either way is taken as a
 * restart of the stream.
 */
import { UdptlDecodeError } from './errors.ts';
import { fecCoveredSeqs, xorInto } from './fec.ts';
import { decodeUdptl, type UdptlLimits, type UdptlPacket } from './packet.ts';

export type UdptlDelivery =
  | { type: 'ifp'; seq: number; ifp: Uint8Array; source: 'primary' | 'redundancy' | 'fec' }
  /** `count` IFPs from `firstSeq` on were lost for good. */
  | { type: 'lost'; firstSeq: number; count: number };

export interface UdptlReceiverOptions {
  /** Later packets to wait for before giving up a gap. */
  reorderDepth?: number;
  /** How far (in packets) the sequence may move before it counts as a restart. */
  window?: number;
  limits?: Partial<UdptlLimits>;
}

export interface UdptlReceiverStats {
  packets: number;
  duplicates: number;
  late: number;
  recoveredByRedundancy: number;
  recoveredByFec: number;
  lost: number;
  restarts: number;
}

interface FecRecord {
  seq: number;
  span: number;
  entries: number;
  data: Uint8Array[];
}

// Packets kept after delivery, for FEC repair of their neighbours (span*entries <= 64).
const HISTORY = 128;

export class UdptlReceiver {
  private expected: number | undefined;
  /** How far past `expected` the newest packet seen is. */
  private highestAhead = -1;
  private readonly pending = new Map<number, { ifp: Uint8Array; source: 'primary' | 'redundancy' | 'fec' }>();
  private readonly history = new Map<number, Uint8Array>();
  private fecRecords: FecRecord[] = [];
  private readonly reorderDepth: number;
  private readonly window: number;
  private readonly limits: Partial<UdptlLimits>;
  readonly stats: UdptlReceiverStats = { packets: 0, duplicates: 0, late: 0, recoveredByRedundancy: 0, recoveredByFec: 0, lost: 0, restarts: 0 };

  constructor(options: UdptlReceiverOptions = {}) {
    this.reorderDepth = options.reorderDepth ?? 0;
    this.window = options.window ?? 2000;
    if (!Number.isInteger(this.reorderDepth) || this.reorderDepth < 0 || this.reorderDepth > 64) {
      throw new UdptlDecodeError('UDPTL_BAD_ARGUMENT', 'reorder depth out of range', { reorderDepth: this.reorderDepth });
    }
    if (!Number.isInteger(this.window) || this.window < 130 || this.window > 16384) {
      throw new UdptlDecodeError('UDPTL_BAD_ARGUMENT', 'window out of range', { window: this.window });
    }
    this.limits = options.limits ?? {};
  }

  /** Decodes a datagram and receives it; throws UdptlDecodeError on a malformed one. */
  receiveDatagram(bytes: Uint8Array): UdptlDelivery[] {
    return this.receive(decodeUdptl(bytes, this.limits));
  }

  receive(packet: UdptlPacket): UdptlDelivery[] {
    this.stats.packets++;
    const out: UdptlDelivery[] = [];
    const seq = packet.seq & 0xffff;
    if (this.expected === undefined) this.expected = seq;
    let ahead = (seq - this.expected) & 0xffff;
    if (ahead >= this.window) {
      if (ahead > 0x10000 - this.window) {
        // Behind what was already delivered or given up.
        if (this.history.has(seq)) this.stats.duplicates++;
        else this.stats.late++;
        return out;
      }
      this.restart(seq, out);
      ahead = 0;
    }
    if (this.pending.has(seq)) {
      this.stats.duplicates++;
    } else {
      this.pending.set(seq, { ifp: packet.primary, source: 'primary' });
    }
    this.highestAhead = Math.max(this.highestAhead, ahead);

    packet.redundancy?.forEach((ifp, i) => {
      const s = (seq - 1 - i) & 0xffff;
      if (this.isWanted(s)) {
        this.pending.set(s, { ifp, source: 'redundancy' });
        this.stats.recoveredByRedundancy++;
      }
    });
    if (packet.fec !== undefined && packet.fec.data.length > 0 && packet.fec.npackets > 0) {
      this.fecRecords.push({ seq, span: packet.fec.npackets, entries: packet.fec.data.length, data: packet.fec.data });
      this.repairFromFec();
    }
    this.deliver(out);
    return out;
  }

  /** Gives up every gap now and delivers what is behind it (call when the stream goes quiet). */
  flush(): UdptlDelivery[] {
    const out: UdptlDelivery[] = [];
    this.deliver(out, true);
    return out;
  }

  /** Not yet delivered and not yet given up, and not already held. */
  private isWanted(s: number): boolean {
    if (this.expected === undefined || this.pending.has(s)) return false;
    return ((s - this.expected) & 0xffff) < this.window;
  }

  private known(s: number): Uint8Array | undefined {
    return this.pending.get(s)?.ifp ?? this.history.get(s);
  }

  private repairFromFec(): void {
    let progress = true;
    while (progress) {
      progress = false;
      for (const rec of this.fecRecords) {
        rec.data.forEach((parity, m) => {
          const group = fecCoveredSeqs(rec.seq, rec.span, rec.entries, m);
          const missing = group.filter((s) => this.known(s) === undefined);
          const only = missing[0];
          if (missing.length !== 1 || only === undefined || !this.isWanted(only)) return;
          const rebuilt = Uint8Array.from(parity);
          for (const s of group) if (s !== only) xorInto(rebuilt, this.known(s) ?? new Uint8Array(0));
          this.pending.set(only, { ifp: rebuilt, source: 'fec' });
          this.stats.recoveredByFec++;
          progress = true;
        });
      }
    }
  }

  private deliver(out: UdptlDelivery[], force = false): void {
    if (this.expected === undefined) return;
    for (;;) {
      const next = this.pending.get(this.expected);
      if (next !== undefined) {
        out.push({ type: 'ifp', seq: this.expected, ifp: next.ifp, source: next.source });
        this.pending.delete(this.expected);
        this.remember(this.expected, next.ifp);
        this.advance(1);
        continue;
      }
      if (this.pending.size === 0) return;
      // A gap with packets behind it: wait, unless enough later packets have arrived.
      if (!force && this.highestAhead < this.reorderDepth + 1) return;
      let count = 0;
      while (!this.pending.has((this.expected + count) & 0xffff)) count++;
      out.push({ type: 'lost', firstSeq: this.expected, count });
      this.stats.lost += count;
      this.advance(count);
    }
  }

  private advance(n: number): void {
    if (this.expected === undefined) return;
    this.expected = (this.expected + n) & 0xffff;
    this.highestAhead -= n;
    const expected = this.expected;
    // A FEC record covers at most 64 packets before its own: once its packet is that far
    // behind, every group it could repair is delivered or given up.
    this.fecRecords = this.fecRecords.filter((r) => {
      const behind = (expected - r.seq) & 0xffff;
      return behind <= HISTORY / 2 || ((r.seq - expected) & 0xffff) < this.window;
    });
  }

  private remember(seq: number, ifp: Uint8Array): void {
    this.history.set(seq, ifp);
    this.history.delete((seq - HISTORY) & 0xffff);
  }

  private restart(seq: number, out: UdptlDelivery[]): void {
    this.deliver(out, true);
    this.stats.restarts++;
    this.pending.clear();
    this.history.clear();
    this.fecRecords = [];
    this.expected = seq;
    this.highestAhead = -1;
  }
}
