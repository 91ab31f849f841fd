/**
 * Append-only MSB-first bit writer over a growable byte buffer.
 * Callers reserve room once per row (`reserve`) so `put` itself never checks capacity.
 */
export class BitWriter {
  buf: Uint8Array;
  /**
   * buf as a DataView: the encoders store the top 32 pending bits in one big-endian write
   * (setInt32) and count only the whole bytes among them; the rest is rewritten later.
   */
  view: DataView;
  /** complete bytes in buf */
  length = 0;
  /**
   * Pending bits, right-aligned, fewer than 8 between calls. Public so the encoders' hot loops
   * can hold the writer state in locals and store it back once per row.
   */
  acc = 0;
  accBits = 0;

  constructor(initialBytes = 4096) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
    this.view = new DataView(this.buf.buffer);
  }

  /** bytes handed out by drain() */
  private drained = 0;

  /** Bits written since creation (drained ones included), pending ones included. */
  get bitLength(): number {
    return (this.drained + this.length) * 8 + this.accBits;
  }

  /** Make room for `bytes` more bytes (and 8 past them, for the encoders' word stores). */
  reserve(bytes: number): void {
    const need = this.length + bytes + 8;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /**
   * Append the low `bits` bits of `code`; bits <= 25. Room must have been reserved.
   * Bits above the pending ones in `acc` are garbage that shifts out: only the low accBits count,
   * and byte stores truncate.
   */
  put(code: number, bits: number): void {
    const acc = (this.acc << bits) | code;
    let n = this.accBits + bits;
    const buf = this.buf;
    let len = this.length;
    while (n >= 8) {
      n -= 8;
      buf[len++] = acc >>> n;
    }
    this.length = len;
    this.acc = acc;
    this.accBits = n;
  }

  /** Append `count` zero bits (fill). */
  zeros(count: number): void {
    this.reserve((count >>> 3) + 2);
    while (count > 16) {
      this.put(0, 16);
      count -= 16;
    }
    if (count > 0) this.put(0, count);
  }

  /** Zero-fill up to the next byte boundary. */
  alignToByte(): void {
    if (this.accBits > 0) this.put(0, 8 - this.accBits);
    this.acc = 0;
  }

  /** Take the complete bytes written so far; pending bits stay. */
  drain(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    this.drained += this.length;
    this.length = 0;
    return out;
  }
}
