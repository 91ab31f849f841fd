/**
 * The UDPTL datagrams a terminal sends, built straight into one exactly-sized buffer: the
 * hot path of every T.38 call (one datagram per IFP, 30+ a second). It writes the same
 * octets as protocols/udptl's `UdptlSender` + `encodeUdptl` (checked byte for byte in the
 * tests) without their intermediate arrays; parity FEC is rare and stays with UdptlSender.
 *
 *   seq (2) | len primary | primary | 0x00 (redundancy) | count | (len ifp | ifp)...
 */
import { UdptlSender, type UdptlErrorCorrection } from '../../protocols/udptl/index.ts';

const HISTORY = 16;

export class UdptlWriter {
  private seq: number;
  private readonly depth: number;
  private readonly fec: UdptlSender | undefined;
  /** The last `HISTORY` IFPs sent, newest at `(head - 1) & (HISTORY - 1)`. */
  private readonly history: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(HISTORY).fill(undefined);
  private head = 0;
  private sent = 0;

  constructor(
    errorCorrection: UdptlErrorCorrection,
    startSeq: number,
    private readonly maxDatagramSize: number,
  ) {
    this.seq = startSeq & 0xffff;
    if (errorCorrection.mode === 'fec') {
      this.fec = new UdptlSender({ errorCorrection, startSeq, maxDatagramSize });
      this.depth = 0;
    } else {
      this.depth = errorCorrection.mode === 'redundancy' ? Math.min(HISTORY - 1, Math.max(0, errorCorrection.depth)) : 0;
    }
  }

  next(ifp: Uint8Array): Uint8Array {
    if (this.fec !== undefined) return this.fec.next(ifp);
    // How many previous IFPs fit, newest first (the primary always goes).
    let size = 2 + lengthSize(ifp.length) + ifp.length + 1 + 1;
    let count = 0;
    const available = Math.min(this.depth, this.sent);
    for (let i = 1; i <= available; i++) {
      const earlier = this.history[(this.head - i) & (HISTORY - 1)] as Uint8Array;
      const add = lengthSize(earlier.length) + earlier.length;
      if (size + add > this.maxDatagramSize) break;
      size += add;
      count++;
    }
    const out = new Uint8Array(size);
    out[0] = this.seq >> 8;
    out[1] = this.seq & 0xff;
    let at = writeLength(out, 2, ifp.length);
    out.set(ifp, at);
    at += ifp.length;
    out[at++] = 0x00;
    at = writeLength(out, at, count);
    for (let i = 1; i <= count; i++) {
      const earlier = this.history[(this.head - i) & (HISTORY - 1)] as Uint8Array;
      at = writeLength(out, at, earlier.length);
      out.set(earlier, at);
      at += earlier.length;
    }
    this.history[this.head] = ifp;
    this.head = (this.head + 1) & (HISTORY - 1);
    this.seq = (this.seq + 1) & 0xffff;
    this.sent++;
    return out;
  }
}

function lengthSize(n: number): number {
  return n < 0x80 ? 1 : 2;
}

function writeLength(out: Uint8Array, at: number, n: number): number {
  if (n < 0x80) {
    out[at] = n;
    return at + 1;
  }
  out[at] = 0x80 | (n >> 8);
  out[at + 1] = n & 0xff;
  return at + 2;
}
