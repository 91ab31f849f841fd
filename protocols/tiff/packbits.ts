import { TiffError } from './errors.ts';

/**
 * PackBits (TIFF compression 32773), the Macintosh run-length scheme. A header byte n read
 * as signed: 0..127 copies the next n+1 bytes, -1..-127 repeats the next byte 1-n times,
 * -128 is a no-op. Decoding stops at `expected` bytes: scanners pad strips, and a corrupt
 * run must not grow the output past the page.
 */
export function unpackBits(src: Uint8Array, expected: number): { data: Uint8Array; produced: number } {
  const out = new Uint8Array(expected);
  let i = 0;
  let o = 0;
  while (o < expected && i < src.length) {
    const n = src[i++]!;
    if (n < 128) {
      const count = Math.min(n + 1, expected - o, src.length - i);
      out.set(src.subarray(i, i + count), o);
      i += n + 1;
      o += count;
    } else if (n > 128) {
      if (i >= src.length) break;
      const count = Math.min(257 - n, expected - o);
      out.fill(src[i++]!, o, o + count);
      o += count;
    }
  }
  return { data: out, produced: o };
}

/** PackBits encoder, one row at a time as libtiff does, so a row never spans a run. */
export function packBits(rows: Uint8Array, rowBytes: number): Uint8Array {
  if (rowBytes <= 0 || rows.length % rowBytes !== 0) {
    throw new TiffError('TIFF_BAD_ARGUMENT', 'packbits input is not whole rows', { length: rows.length, rowBytes });
  }
  // Worst case: one header byte per 128 literal bytes.
  const out = new Uint8Array(rows.length + Math.ceil(rows.length / 128) + rows.length / rowBytes);
  let o = 0;
  for (let start = 0; start < rows.length; start += rowBytes) {
    const end = start + rowBytes;
    let i = start;
    while (i < end) {
      let run = 1;
      while (i + run < end && run < 128 && rows[i + run] === rows[i]) run++;
      if (run >= 3) {
        out[o++] = 257 - run;
        out[o++] = rows[i]!;
        i += run;
        continue;
      }
      // A literal stretch ends where a run of three or more identical bytes begins.
      let lit = 0;
      while (i + lit < end && lit < 128) {
        const j = i + lit;
        if (j + 2 < end && rows[j] === rows[j + 1] && rows[j] === rows[j + 2]) break;
        lit++;
      }
      out[o++] = lit - 1;
      out.set(rows.subarray(i, i + lit), o);
      o += lit;
      i += lit;
    }
  }
  return out.slice(0, o);
}
