/**
 * The few pieces of ASN.1 PER (X.691, ALIGNED variant) that T.38's IFP needs: single bits,
 * small bit fields, octet alignment, length determinants and octet runs. The reader checks
 * every read against the remaining length and throws only T38DecodeError.
 */
import { T38DecodeError } from './errors.ts';

export class PerReader {
  private bitPos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get bitOffset(): number {
    return this.bitPos;
  }

  /** Whole octets consumed so far, counting a partly read octet as consumed. */
  get octetsConsumed(): number {
    return Math.ceil(this.bitPos / 8);
  }

  readBits(count: number, what: string): number {
    if (this.bitPos + count > this.bytes.length * 8) {
      throw new T38DecodeError('T38_TRUNCATED', `IFP ended inside ${what}`, {
        at: this.bitPos >> 3,
        length: this.bytes.length,
      });
    }
    let value = 0;
    for (let i = 0; i < count; i++) {
      const byte = this.bytes[(this.bitPos >> 3)] ?? 0;
      value = (value << 1) | ((byte >> (7 - (this.bitPos & 7))) & 1);
      this.bitPos++;
    }
    return value;
  }

  readBit(what: string): boolean {
    return this.readBits(1, what) === 1;
  }

  align(): void {
    this.bitPos = (this.bitPos + 7) & ~7;
  }

  /** X.691 10.9: an unconstrained length determinant (octet-aligned); fragments are refused. */
  readLength(what: string): number {
    this.align();
    const first = this.readBits(8, what);
    if ((first & 0x80) === 0) return first;
    if ((first & 0x40) === 0) return ((first & 0x3f) << 8) | this.readBits(8, what);
    throw new T38DecodeError('T38_MALFORMED', `fragmented length in ${what}`, { at: (this.bitPos >> 3) - 1 });
  }

  /** X.691 10.6: a normally small non-negative whole number (used for extension indices). */
  readSmallNumber(what: string): number {
    if (!this.readBit(what)) return this.readBits(6, what);
    // Values of 64 and up are a semi-constrained number in its own octets; T.38 never needs
    // them, so they are read only to report the value.
    const n = this.readLength(what);
    if (n < 1 || n > 4) throw new T38DecodeError('T38_MALFORMED', `bad extension index length in ${what}`, { length: n });
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.readBits(8, what);
    return 64 + v;
  }

  readOctets(count: number, what: string): Uint8Array {
    this.align();
    const start = this.bitPos >> 3;
    if (start + count > this.bytes.length) {
      throw new T38DecodeError('T38_TRUNCATED', `IFP ended inside ${what}`, {
        at: start,
        need: count,
        length: this.bytes.length,
      });
    }
    this.bitPos += count * 8;
    return this.bytes.slice(start, start + count);
  }
}

export class PerWriter {
  private readonly out: number[] = [];
  private bitPos = 0;

  writeBits(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      const bit = (value >> i) & 1;
      const index = this.bitPos >> 3;
      if (index >= this.out.length) this.out.push(0);
      if (bit) this.out[index] = (this.out[index] ?? 0) | (0x80 >> (this.bitPos & 7));
      this.bitPos++;
    }
  }

  writeBit(bit: boolean): void {
    this.writeBits(bit ? 1 : 0, 1);
  }

  align(): void {
    this.bitPos = (this.bitPos + 7) & ~7;
    while (this.out.length < this.bitPos >> 3) this.out.push(0);
  }

  writeLength(n: number, what: string): void {
    this.align();
    if (n < 0x80) this.writeBits(n, 8);
    else if (n < 0x4000) this.writeBits(0x8000 | n, 16);
    else throw new T38DecodeError('T38_LIMIT_EXCEEDED', `${what} too long to encode without fragments`, { length: n });
  }

  writeSmallNumber(n: number): void {
    if (n > 63) throw new T38DecodeError('T38_UNKNOWN_VALUE', 'extension index out of range', { index: n });
    this.writeBits(0, 1);
    this.writeBits(n, 6);
  }

  writeOctets(bytes: Uint8Array): void {
    this.align();
    for (const b of bytes) this.out.push(b);
    this.bitPos += bytes.length * 8;
  }

  finish(): Uint8Array {
    this.align();
    return Uint8Array.from(this.out);
  }
}
