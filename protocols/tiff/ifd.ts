import { TiffError } from './errors.ts';

/**
 * The TIFF container: header, chain of image file directories (IFDs), tag values. Knows
 * nothing about images; every read is checked against the file length.
 */

export interface TiffLimits {
  /** Pages read before TIFF_TOO_MANY_PAGES. A fax is at most a few hundred pages. */
  readonly maxPages: number;
  /** Entries in one IFD; a real page has about twenty. */
  readonly maxIfdEntries: number;
  readonly maxWidth: number;
  readonly maxHeight: number;
}

export const defaultTiffLimits: TiffLimits = {
  maxPages: 1000,
  maxIfdEntries: 1000,
  // A3 at 600 dpi is 7016 x 9921; leave room for long scans but keep one page under 64 MB.
  maxWidth: 16384,
  maxHeight: 32768,
};

export type ByteOrder = 'II' | 'MM';

export interface IfdEntry {
  readonly tag: number;
  readonly type: number;
  readonly count: number;
  /** Where the value bytes are: inline in the entry, or at the offset it holds. */
  readonly valueOffset: number;
}

export interface Ifd {
  readonly offset: number;
  readonly entries: ReadonlyMap<number, IfdEntry>;
}

/** Bytes per value for each TIFF field type (TIFF 6.0 section 2, plus IFD = 13). */
const typeSize: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

export class TiffView {
  readonly order: ByteOrder;
  private readonly view: DataView;
  private readonly le: boolean;

  constructor(readonly bytes: Uint8Array) {
    if (bytes.length < 8) throw new TiffError('TIFF_BAD_HEADER', 'file shorter than a TIFF header', { length: bytes.length });
    const b0 = bytes[0];
    const b1 = bytes[1];
    if (b0 === 0x49 && b1 === 0x49) this.order = 'II';
    else if (b0 === 0x4d && b1 === 0x4d) this.order = 'MM';
    else throw new TiffError('TIFF_BAD_HEADER', 'no TIFF byte-order mark', { first: hex(bytes.subarray(0, 4)) });
    this.le = this.order === 'II';
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const magic = this.u16(2);
    if (magic === 43) throw new TiffError('TIFF_UNSUPPORTED_BIGTIFF', 'BigTIFF files are not supported');
    if (magic !== 42) throw new TiffError('TIFF_BAD_HEADER', 'bad TIFF magic number', { magic });
  }

  get firstIfdOffset(): number {
    return this.u32(4);
  }

  u16(at: number): number {
    this.check(at, 2);
    return this.view.getUint16(at, this.le);
  }

  u32(at: number): number {
    this.check(at, 4);
    return this.view.getUint32(at, this.le);
  }

  check(at: number, size: number): void {
    if (!Number.isInteger(at) || at < 0 || size < 0 || at + size > this.bytes.length) {
      throw new TiffError('TIFF_OUT_OF_BOUNDS', 'offset outside the file', { offset: at, size, length: this.bytes.length });
    }
  }

  /** TIFF 6.0 asks for IFDs on word boundaries; libtiff reads odd offsets, and so do we. */
  readIfd(offset: number, limits: TiffLimits): { ifd: Ifd; next: number } {
    const count = this.u16(offset);
    if (count === 0) throw new TiffError('TIFF_BAD_IFD', 'IFD with no entries', { offset });
    if (count > limits.maxIfdEntries) throw new TiffError('TIFF_BAD_IFD', 'IFD has too many entries', { offset, count, max: limits.maxIfdEntries });
    this.check(offset + 2, count * 12 + 4);
    const entries = new Map<number, IfdEntry>();
    for (let i = 0; i < count; i++) {
      const at = offset + 2 + i * 12;
      const tag = this.u16(at);
      const type = this.u16(at + 2);
      const n = this.u32(at + 4);
      const size = typeSize[type];
      // Unknown field types are skipped, as TIFF 6.0 tells readers to do.
      if (size === undefined) continue;
      const total = size * n;
      const valueOffset = total <= 4 ? at + 8 : this.u32(at + 8);
      // Values of tags we never read may point anywhere; only check the ones we use, on read.
      if (!entries.has(tag)) entries.set(tag, { tag, type, count: n, valueOffset });
    }
    return { ifd: { offset, entries }, next: this.u32(offset + 2 + count * 12) };
  }

  /** All values of a numeric tag, as numbers (rationals as their quotient). */
  values(entry: IfdEntry, max: number): number[] {
    if (entry.count > max) throw new TiffError('TIFF_BAD_IFD', 'tag has too many values', { tag: entry.tag, count: entry.count, max });
    const size = typeSize[entry.type]!;
    this.check(entry.valueOffset, size * entry.count);
    const out: number[] = [];
    for (let i = 0; i < entry.count; i++) {
      const at = entry.valueOffset + i * size;
      switch (entry.type) {
        case 1:
        case 7:
          out.push(this.view.getUint8(at));
          break;
        case 6:
          out.push(this.view.getInt8(at));
          break;
        case 3:
          out.push(this.view.getUint16(at, this.le));
          break;
        case 8:
          out.push(this.view.getInt16(at, this.le));
          break;
        case 4:
        case 13:
          out.push(this.view.getUint32(at, this.le));
          break;
        case 9:
          out.push(this.view.getInt32(at, this.le));
          break;
        case 5: {
          const den = this.view.getUint32(at + 4, this.le);
          out.push(den === 0 ? 0 : this.view.getUint32(at, this.le) / den);
          break;
        }
        case 10: {
          const den = this.view.getInt32(at + 4, this.le);
          out.push(den === 0 ? 0 : this.view.getInt32(at, this.le) / den);
          break;
        }
        case 11:
          out.push(this.view.getFloat32(at, this.le));
          break;
        case 12:
          out.push(this.view.getFloat64(at, this.le));
          break;
        default:
          throw new TiffError('TIFF_BAD_IFD', 'tag has a non-numeric type', { tag: entry.tag, type: entry.type });
      }
    }
    return out;
  }

  ascii(entry: IfdEntry, max: number): string {
    if (entry.type !== 2) throw new TiffError('TIFF_BAD_IFD', 'text tag is not ASCII', { tag: entry.tag, type: entry.type });
    const n = Math.min(entry.count, max);
    this.check(entry.valueOffset, n);
    let s = '';
    for (let i = 0; i < n; i++) {
      const c = this.bytes[entry.valueOffset + i]!;
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  }
}

/** Walks the IFD chain, refusing cycles and chains longer than the page limit. */
export function readIfdChain(view: TiffView, limits: TiffLimits): Ifd[] {
  const seen = new Set<number>();
  const out: Ifd[] = [];
  let offset = view.firstIfdOffset;
  while (offset !== 0) {
    if (seen.has(offset)) throw new TiffError('TIFF_IFD_LOOP', 'IFD chain loops back', { offset, ifds: out.length });
    seen.add(offset);
    if (out.length >= limits.maxPages) throw new TiffError('TIFF_TOO_MANY_PAGES', 'more pages than allowed', { max: limits.maxPages });
    const { ifd, next } = view.readIfd(offset, limits);
    out.push(ifd);
    offset = next;
  }
  if (out.length === 0) throw new TiffError('TIFF_NO_PAGES', 'TIFF has no image directory');
  return out;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
