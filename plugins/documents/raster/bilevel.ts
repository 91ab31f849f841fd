/**
 * Gray to bilevel, and the last step of every renderer: surface -> portrait fax page.
 *
 * Every PDF page goes through here in a page worker, and fax pages are mostly white paper
 * with black marks, so both conversions pass over white quickly (a word of four 255s at a
 * time) and otherwise do exactly what the textbook versions do; test/unit/documents/raster
 * holds those as the reference, bit for bit. The plain per-pixel loops spent more time on a
 * text page's white than PDFium spent drawing it (error diffusion about twice as long).
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

/** Reading a Uint32Array puts the first byte in the low bits (true on every platform Node runs on but s390x). */
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Fixed threshold: value < t is black. */
export function threshold(gray: Gray, t: number): Bitmap {
  checkGray(gray);
  const { width, height, data } = gray;
  const out = createBitmap(width, height);
  // Whole rows of aligned words: only when every row starts on a word.
  const words = width % 8 === 0 && data.byteOffset % 4 === 0 && littleEndian ? new Int32Array(data.buffer, data.byteOffset, data.length >>> 2) : undefined;
  if (words !== undefined && t === 128) thresholdHalfWords(words, out.data);
  else if (words !== undefined && t <= 255) thresholdWords(data, words, t, out.data);
  else thresholdRows(gray, t, out);
  return out;
}

/**
 * t = 128, the mono default: a pixel is black exactly when its top bit is clear, so a word
 * of four pixels becomes four bits by arithmetic. (~w >>> 7) & 0x01010101 leaves pixel i's
 * bit at 8i; multiplying by 0x08040201 moves pixel i to bit 27 - i without carries (every
 * partial product lands on its own bit), so the top byte is the four pixels, first one high.
 */
function thresholdHalfWords(words: Int32Array, bits: Uint8Array): void {
  for (let w = 0, dst = 0; w < words.length; w += 2, dst++) {
    const a = words[w]!;
    const b = words[w + 1]!;
    if ((a & b) === -1) continue; // eight white pixels: createBitmap's zero byte stands
    bits[dst] = ((Math.imul((~a >>> 7) & 0x01010101, 0x08040201) >>> 24) << 4) | (Math.imul((~b >>> 7) & 0x01010101, 0x08040201) >>> 24);
  }
}

/** Any other t up to 255: eight white pixels are still white; the rest pixel by pixel. */
function thresholdWords(data: Uint8Array, words: Int32Array, t: number, bits: Uint8Array): void {
  for (let w = 0, dst = 0; w < words.length; w += 2, dst++) {
    if ((words[w]! & words[w + 1]!) === -1) continue;
    const src = w << 2;
    bits[dst] =
      ((data[src]! < t ? 1 : 0) << 7) |
      ((data[src + 1]! < t ? 1 : 0) << 6) |
      ((data[src + 2]! < t ? 1 : 0) << 5) |
      ((data[src + 3]! < t ? 1 : 0) << 4) |
      ((data[src + 4]! < t ? 1 : 0) << 3) |
      ((data[src + 5]! < t ? 1 : 0) << 2) |
      ((data[src + 6]! < t ? 1 : 0) << 1) |
      (data[src + 7]! < t ? 1 : 0);
  }
}

/** Any width, any alignment: row by row, the bits past the width left 0 (T.4 coders rely on it). */
function thresholdRows(gray: Gray, t: number, out: Bitmap): void {
  const { width, height, data } = gray;
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
}

/**
 * Floyd–Steinberg error diffusion (7/16 ahead, 3/16, 5/16, 1/16 below), serpentine: rows
 * alternate direction so the error does not drift into diagonal "worms". Errors are carried
 * in 1/16ths (no division in the loop) in two Int16 row buffers with a one-pixel guard at
 * each end: index x + 1 holds the error for pixel x.
 *
 * Paper and ink absorb error: a pure white (255) pixel is always white and a pure black (0)
 * one always black, and neither passes error on. In textbook diffusion the error left at the
 * edge of a gray area (a shaded heading, a photo) never dies on white paper: it is handed on
 * whole from pixel to pixel, down to the foot of the page, and sprinkles stray dots where it
 * builds up, or darkens text it meets. Here it stops at the paper, so text and rules stay
 * exactly as drawn and the background clean; tones strictly between black and white diffuse
 * as in the textbook. It also leaves a text page's rows, nearly all pure pixels, to a fast
 * path: four white pixels (one word of 255s) are passed over at once.
 */
export function errorDiffusion(gray: Gray): Bitmap {
  checkGray(gray);
  const { width, height, data } = gray;
  const out = createBitmap(width, height);
  const bits = out.data;
  const rb = out.rowBytes;
  const words = width % 4 === 0 && data.byteOffset % 4 === 0 ? new Int32Array(data.buffer, data.byteOffset, data.length >>> 2) : undefined;
  let cur = new Int16Array(width + 2);
  let next = new Int16Array(width + 2);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const dstRow = y * rb;
    const ltr = (y & 1) === 0;
    const step = ltr ? 1 : -1;
    let x = ltr ? 0 : width - 1;
    for (let n = 0; n < width; n++, x += step) {
      if (words !== undefined) {
        if (ltr) {
          if ((x & 3) === 0 && words[(row + x) >>> 2] === -1) {
            x += 3;
            n += 3;
            continue;
          }
        } else if ((x & 3) === 3 && words[(row + x - 3) >>> 2] === -1) {
          x -= 3;
          n += 3;
          continue;
        }
      }
      const px = data[row + x]!;
      if (px === 255) continue;
      if (px === 0) {
        bits[dstRow + (x >>> 3)]! |= 0x80 >>> (x & 7);
        continue;
      }
      const v = px + ((cur[x + 1]! + 8) >> 4);
      let err: number;
      if (v < 128) {
        bits[dstRow + (x >>> 3)]! |= 0x80 >>> (x & 7);
        err = v;
      } else {
        err = v - 255;
      }
      if (err === 0) continue;
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
