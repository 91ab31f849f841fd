import { TiffError } from './errors.ts';

const CLEAR = 256;
const EOI = 257;
const FIRST_FREE = 258;
const MAX_CODES = 4096;

/**
 * TIFF LZW decoder (compression 5, TIFF 6.0 section 13): codes MSB-first, 9 to 12 bits,
 * with the "early change" the spec's encoder makes (the code width grows one code before
 * the table is full). Output stops at `expected` bytes; a truncated stream returns what
 * it had, with `produced` short of `expected`, so the caller can report the missing rows.
 */
export function lzwDecode(src: Uint8Array, expected: number): { data: Uint8Array; produced: number } {
  if (src.length >= 2 && src[0] === 0 && (src[1]! & 1) === 1) {
    // libtiff's reader tells the pre-6.0 LSB-first variant apart by these bits.
    throw new TiffError('TIFF_UNSUPPORTED_COMPRESSION', 'old-style (pre TIFF 6.0) LZW is not supported');
  }
  const out = new Uint8Array(expected);
  const prefix = new Uint16Array(MAX_CODES);
  const suffix = new Uint8Array(MAX_CODES);
  const length = new Uint16Array(MAX_CODES);
  for (let c = 0; c < 256; c++) {
    suffix[c] = c;
    length[c] = 1;
  }
  let next = FIRST_FREE;
  let width = 9;
  let old = -1;
  let o = 0;
  let bitPos = 0;
  const totalBits = src.length * 8;

  const readCode = (): number => {
    if (bitPos + width > totalBits) return EOI;
    let v = 0;
    for (let n = 0; n < width; n++) {
      const bit = (src[(bitPos + n) >> 3]! >> (7 - ((bitPos + n) & 7))) & 1;
      v = (v << 1) | bit;
    }
    bitPos += width;
    return v;
  };
  /** Writes code's string at o (clipped to the output), returns its first byte. */
  const emit = (code: number): number => {
    const len = length[code]!;
    let c = code;
    for (let k = len - 1; k >= 0; k--) {
      if (o + k < expected) out[o + k] = suffix[c]!;
      if (k === 0) break;
      c = prefix[c]!;
    }
    o += len;
    return suffix[c]!;
  };

  while (o < expected) {
    const code = readCode();
    if (code === EOI) break;
    if (code === CLEAR) {
      next = FIRST_FREE;
      width = 9;
      old = -1;
      continue;
    }
    if (old === -1) {
      if (code >= 256) throw new TiffError('TIFF_CORRUPT_DATA', 'LZW stream starts with a table code', { code });
      emit(code);
      old = code;
      continue;
    }
    let first: number;
    if (code < next) {
      first = emit(code);
    } else if (code === next) {
      // The KwKwK case: the code being defined is old's string plus its own first byte.
      const oldFirst = firstByte(prefix, suffix, length, old);
      if (next < MAX_CODES) {
        prefix[next] = old;
        suffix[next] = oldFirst;
        length[next] = length[old]! + 1;
      }
      emit(code);
      first = oldFirst;
      old = code;
      next++;
      if (next + 1 >= 1 << width && width < 12) width++;
      continue;
    } else {
      throw new TiffError('TIFF_CORRUPT_DATA', 'LZW code beyond the table', { code, next });
    }
    if (next < MAX_CODES) {
      prefix[next] = old;
      suffix[next] = first;
      length[next] = length[old]! + 1;
      next++;
      if (next + 1 >= 1 << width && width < 12) width++;
    }
    old = code;
  }
  return { data: out, produced: Math.min(o, expected) };
}

function firstByte(prefix: Uint16Array, _suffix: Uint8Array, length: Uint16Array, code: number): number {
  let c = code;
  for (let k = length[c]! - 1; k > 0; k--) c = prefix[c]!;
  return _suffix[c]!;
}
