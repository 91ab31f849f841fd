/**
 * Gray to bilevel, and the last step of every renderer: surface -> portrait fax page.
 *
 * Hot path (every PDF page goes through it): typed arrays only, no per-pixel allocation.
 */
import { createBitmap } from '../../../protocols/t4/bitmap.ts';
import type { Bitmap, Gray, LayoutSurface, Quality } from './types.ts';

export interface BilevelOptions {
  /** mono only: gray values below it become black. Default 128. */
  readonly threshold?: number;
}

export function toBilevel(gray: Gray, quality: Quality, options: BilevelOptions = {}): Bitmap {
  checkGray(gray);
  return quality === 'mono' ? threshold(gray, options.threshold ?? 128) : errorDiffusion(gray);
}

/** Fixed threshold: value < t is black. */
export function threshold(gray: Gray, t: number): Bitmap {
  const { width, height, data } = gray;
  const out = createBitmap(width, height);
  const bits = out.data;
  const rb = out.rowBytes;
  for (let y = 0; y < height; y++) {
    let src = y * width;
    let dst = y * rb;
    let x = 0;
    for (; x + 8 <= width; x += 8, src += 8) {
      bits[dst++] =
        ((data[src]! < t ? 1 : 0) << 7) |
        ((data[src + 1]! < t ? 1 : 0) << 6) |
        ((data[src + 2]! < t ? 1 : 0) << 5) |
        ((data[src + 3]! < t ? 1 : 0) << 4) |
        ((data[src + 4]! < t ? 1 : 0) << 3) |
        ((data[src + 5]! < t ? 1 : 0) << 2) |
        ((data[src + 6]! < t ? 1 : 0) << 1) |
        (data[src + 7]! < t ? 1 : 0);
    }
    if (x < width) {
      let byte = 0;
      for (let bit = 7; x < width; x++, src++, bit--) if (data[src]! < t) byte |= 1 << bit;
      bits[dst] = byte;
    }
  }
  return out;
}

/**
 * Floyd–Steinberg error diffusion (7/16 ahead, 3/16, 5/16, 1/16 below), serpentine: rows
 * alternate direction so the error does not drift into diagonal "worms". Errors are carried
 * in two Int16 row buffers with a one-pixel guard at each end.
 */
export function errorDiffusion(gray: Gray): Bitmap {
  const { width, height, data } = gray;
  const out = createBitmap(width, height);
  const bits = out.data;
  const rb = out.rowBytes;
  // Index i+1 holds the error for pixel i; 0 and width+1 are guards.
  let cur = new Int16Array(width + 2);
  let next = new Int16Array(width + 2);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const dstRow = y * rb;
    const ltr = (y & 1) === 0;
    const step = ltr ? 1 : -1;
    let x = ltr ? 0 : width - 1;
    for (let n = 0; n < width; n++, x += step) {
      const v = data[row + x]! + ((cur[x + 1]! + 8) >> 4);
      let err: number;
      if (v < 128) {
        bits[dstRow + (x >>> 3)]! |= 0x80 >>> (x & 7);
        err = v;
      } else {
        err = v - 255;
      }
      // Errors are kept in 1/16ths to avoid division in the loop.
      cur[x + 1 + step]! += err * 7;
      next[x + 1 - step]! += err * 3;
      next[x + 1]! += err * 5;
      next[x + 1 + step]! += err;
    }
    const t = cur;
    cur = next;
    next = t;
    next.fill(0);
  }
  return out;
}

/** Turn a gray image 90° counter-clockwise: the source's top row becomes the left column. */
export function rotateGrayCcw(gray: Gray): Gray {
  checkGray(gray);
  const { width: w, height: h, data } = gray;
  const out = new Uint8Array(w * h);
  // Destination is h wide and w tall; source (x, y) goes to (y, w - 1 - x).
  for (let y = 0; y < h; y++) {
    const src = y * w;
    for (let x = 0; x < w; x++) out[(w - 1 - x) * h + y] = data[src + x]!;
  }
  return { width: h, height: w, data: out };
}

/** A surface drawn for `layoutSurface(spec)` as the portrait bilevel fax page. */
export function toFaxPage(
  gray: Gray,
  surface: LayoutSurface,
  quality: Quality,
  options: BilevelOptions = {},
): Bitmap {
  if (gray.width !== surface.widthPx || gray.height !== surface.heightPx) {
    throw new RangeError(
      `gray image does not match the layout surface [gray:${gray.width}x${gray.height}, surface:${surface.widthPx}x${surface.heightPx}]`,
    );
  }
  const portrait = surface.rotation === 90 ? rotateGrayCcw(gray) : gray;
  return toBilevel(portrait, quality, options);
}

function checkGray(gray: Gray): void {
  if (gray.data.length !== gray.width * gray.height) {
    throw new RangeError(
      `gray data length does not match its size [width:${gray.width}, height:${gray.height}, length:${gray.data.length}]`,
    );
  }
}
