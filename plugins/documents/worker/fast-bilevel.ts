import { createBitmap } from '../../../protocols/t4/bitmap.ts';
import { toBilevel } from '../raster/bilevel.ts';
import type { Bitmap, Gray, Quality } from '../raster/types.ts';

/**
 * Gray to bilevel for the page workers, bit for bit what raster/bilevel.ts's `toBilevel`
 * makes, but quicker on what fax pages mostly are: white paper with black marks. Every PDF
 * page goes through here, and the plain versions spent more time on the white than PDFium
 * spent drawing the page (halftone about twice as long).
 */
export function grayToBilevel(gray: Gray, quality: Quality): Bitmap {
  if (gray.data.length !== gray.width * gray.height) return toBilevel(gray, quality); // its RangeError
  return quality === 'mono' ? thresholdMostlyWhite(gray, 128) : diffuseMostlyFlat(gray);
}

/** value < t is black; eight white pixels (two 32-bit words of 255) make a zero byte at once. */
function thresholdMostlyWhite(gray: Gray, t: number): Bitmap {
  const { width, height, data } = gray;
  if (width % 8 !== 0 || data.byteOffset % 4 !== 0) return toBilevel(gray, 'mono', { threshold: t });
  const out = createBitmap(width, height);
  const bits = out.data;
  const words = new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2);
  // createBitmap is all white (zero bytes), so white octets need no store.
  for (let w = 0, dst = 0; w < words.length; w += 2, dst++) {
    if ((words[w]! & words[w + 1]!) === -1) continue; // & yields a signed 32-bit int
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
  return out;
}

/**
 * Serpentine Floyd–Steinberg exactly as `errorDiffusion` does it (errors in 1/16ths, the same
 * rounding), with two shortcuts. A pure white or pure black pixel whose carried error rounds to
 * nothing leaves no error behind, so it is settled without touching the error rows. And outside
 * the span of the row where the row above left errors, with no error carried from the pixel
 * before, four white pixels (one 32-bit word of 255s) are passed over at once.
 */
function diffuseMostlyFlat(gray: Gray): Bitmap {
  const { width, height, data } = gray;
  const out = createBitmap(width, height);
  const bits = out.data;
  const rb = out.rowBytes;
  const words = width % 4 === 0 && data.byteOffset % 4 === 0 ? new Int32Array(data.buffer, data.byteOffset, data.length >>> 2) : undefined;
  let cur = new Int16Array(width + 2);
  let next = new Int16Array(width + 2);
  // Indices of `cur` that may hold an error (empty when lo > hi).
  let curLo = width + 2;
  let curHi = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const dstRow = y * rb;
    const ltr = (y & 1) === 0;
    const step = ltr ? 1 : -1;
    let x = ltr ? 0 : width - 1;
    let nextLo = width + 2;
    let nextHi = -1;
    // The pixel before left an error in cur for this one.
    let carriedOn = false;
    for (let n = 0; n < width; n++, x += step) {
      if (words !== undefined && !carriedOn) {
        if (ltr) {
          if ((x & 3) === 0 && (x + 4 < curLo || x + 1 > curHi) && words[(row + x) >>> 2] === -1) {
            x += 3;
            n += 3;
            continue;
          }
        } else if ((x & 3) === 3 && (x + 1 < curLo || x - 2 > curHi) && words[(row + x - 3) >>> 2] === -1) {
          x -= 3;
          n += 3;
          continue;
        }
      }
      const px = data[row + x]!;
      const carried = (cur[x + 1]! + 8) >> 4;
      if (carried === 0) {
        if (px === 255) {
          carriedOn = false;
          continue;
        }
        if (px === 0) {
          bits[dstRow + (x >>> 3)]! |= 0x80 >>> (x & 7);
          carriedOn = false;
          continue;
        }
      }
      const v = px + carried;
      let err: number;
      if (v < 128) {
        bits[dstRow + (x >>> 3)]! |= 0x80 >>> (x & 7);
        err = v;
      } else {
        err = v - 255;
      }
      carriedOn = err !== 0;
      if (err === 0) continue;
      cur[x + 1 + step]! += err * 7;
      next[x + 1 - step]! += err * 3;
      next[x + 1]! += err * 5;
      next[x + 1 + step]! += err;
      if (x < nextLo) nextLo = x;
      if (x + 2 > nextHi) nextHi = x + 2;
    }
    const t = cur;
    cur = next;
    next = t;
    next.fill(0);
    curLo = nextLo;
    curHi = nextHi;
  }
  return out;
}
