/**
 * Rows as lists of changing elements (T.4 4.2.1.3.1): the positions x where pixel x differs
 * from pixel x-1, starting from an imaginary white pixel left of the row. Even indexes start
 * black runs, odd indexes start white runs. Lists are followed by SENTINELS copies of the width
 * so b1/b2 lookups never run off the end.
 */
import { LEADING_ZEROS } from './tables.ts';

export const SENTINELS = 3;

/** Room a changes list needs for a row of this width. */
export function changesCapacity(width: number): number {
  return width + SENTINELS + 1;
}

/**
 * Write the changing elements of the packed row at data[off..] into `out`; returns their count.
 * Skips whole bytes of the current colour, then finds the edge in the byte by table lookup.
 */
export function findChanges(data: Uint8Array, off: number, width: number, out: Int32Array): number {
  let n = 0;
  let x = 0;
  const end = off + ((width + 7) >>> 3);
  for (;;) {
    // Looking for the next black pixel from x.
    let i = off + (x >>> 3);
    let b = ((data[i] ?? 0) << (x & 7)) & 0xff;
    if (b !== 0) {
      x += LEADING_ZEROS[b] ?? 0;
    } else {
      i++;
      while (i < end && data[i] === 0) i++;
      if (i >= end) break;
      x = (i - off) * 8 + (LEADING_ZEROS[data[i] ?? 0] ?? 0);
    }
    if (x >= width) break;
    out[n++] = x;
    // Looking for the next white pixel from x.
    i = off + (x >>> 3);
    b = (~(data[i] ?? 0) << (x & 7)) & 0xff;
    if (b !== 0) {
      x += LEADING_ZEROS[b] ?? 0;
    } else {
      i++;
      while (i < end && data[i] === 0xff) i++;
      if (i >= end) break;
      x = (i - off) * 8 + (LEADING_ZEROS[~(data[i] ?? 0) & 0xff] ?? 0);
    }
    if (x >= width) break;
    out[n++] = x;
  }
  out[n] = width;
  out[n + 1] = width;
  out[n + 2] = width;
  return n;
}

/** Paint the row at data[off..off+rowBytes) from a changes list: zero it, then fill black spans. */
export function renderRow(changes: Int32Array, n: number, width: number, data: Uint8Array, off: number): void {
  const rowBytes = (width + 7) >>> 3;
  data.fill(0, off, off + rowBytes);
  for (let i = 0; i < n; i += 2) {
    const s = changes[i] ?? width;
    const e = i + 1 < n ? (changes[i + 1] ?? width) : width;
    if (e <= s) continue;
    const sb = off + (s >>> 3);
    const eb = off + ((e - 1) >>> 3);
    const head = 0xff >>> (s & 7);
    const tail = (0xff << (7 - ((e - 1) & 7))) & 0xff;
    if (sb === eb) {
      data[sb] = (data[sb] ?? 0) | (head & tail);
    } else {
      data[sb] = (data[sb] ?? 0) | head;
      if (eb - sb > 16) data.fill(0xff, sb + 1, eb);
      else for (let k = sb + 1; k < eb; k++) data[k] = 0xff;
      data[eb] = tail;
    }
  }
}
