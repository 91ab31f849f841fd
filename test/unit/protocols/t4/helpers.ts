/** Test helpers: bit strings written the way T.4 prints codes, and row builders. */
import type { Bitmap } from '../../../../protocols/t4/index.ts';
import { createBitmap, setPixel } from '../../../../protocols/t4/index.ts';

/** '0000 0000 0001 1' → bytes, MSB first, zero-filled to a byte boundary. Spaces and | are ignored. */
export function bits(s: string): Uint8Array {
  const b = s.replace(/[\s|]/g, '');
  if (!/^[01]*$/.test(b)) throw new Error(`not a bit string: ${s}`);
  const out = new Uint8Array(Math.ceil(b.length / 8));
  for (let i = 0; i < b.length; i++) if (b[i] === '1') out[i >>> 3]! |= 0x80 >>> (i & 7);
  return out;
}

/** Bytes → bit string, for readable assertion failures. */
export function toBits(a: Uint8Array): string {
  return [...a].map((x) => x.toString(2).padStart(8, '0')).join(' ');
}

/** A bitmap from rows of '.' (white) and '#' (black). */
export function picture(rows: readonly string[]): Bitmap {
  const width = rows[0]?.length ?? 0;
  const b = createBitmap(width, rows.length);
  rows.forEach((r, y) => {
    for (let x = 0; x < width; x++) if (r[x] === '#') setPixel(b, x, y, 1);
  });
  return b;
}

/** A bitmap of `height` copies of one row given as black spans [x0, x1). */
export function spans(width: number, height: number, black: ReadonlyArray<readonly [number, number]>): Bitmap {
  const b = createBitmap(width, height);
  for (let y = 0; y < height; y++) for (const [x0, x1] of black) for (let x = x0; x < x1; x++) setPixel(b, x, y, 1);
  return b;
}
