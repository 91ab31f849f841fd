/**
 * Synthetic test pages: text-like, ordered-dither and error-diffusion halftones, patterns.
 * Deterministic from a seed so failures reproduce.
 */
import type { Bitmap } from '../../../../protocols/t4/index.ts';
import { createBitmap } from '../../../../protocols/t4/index.ts';

/** xorshift32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

function fillSpan(b: Bitmap, y: number, x0: number, x1: number): void {
  const off = y * b.rowBytes;
  for (let x = Math.max(0, x0); x < Math.min(b.width, x1); x++) {
    b.data[off + (x >>> 3)] = (b.data[off + (x >>> 3)] ?? 0) | (0x80 >>> (x & 7));
  }
}

/** Lines of "words" made of glyph-like strokes, with margins, like a typed letter. */
export function textPage(width: number, height: number, seed: number): Bitmap {
  const b = createBitmap(width, height);
  const r = rng(seed);
  const margin = Math.floor(width * 0.08);
  const lineHeight = 24 + Math.floor(r() * 10);
  for (let top = margin; top + lineHeight < height - margin; top += lineHeight) {
    if (r() < 0.1) continue; // paragraph break
    const xHeight = Math.floor(lineHeight * 0.45);
    const lineEnd = width - margin - Math.floor(r() * width * 0.3);
    let x = margin;
    while (x < lineEnd) {
      const word = 2 + Math.floor(r() * 8);
      for (let c = 0; c < word && x < lineEnd; c++) {
        const gw = 8 + Math.floor(r() * 6);
        const ascender = r() < 0.3 ? Math.floor(lineHeight * 0.3) : 0;
        const stroke = 2 + Math.floor(r() * 2);
        const y0 = top + lineHeight - xHeight - ascender - 4;
        const y1 = top + lineHeight - 4;
        // a glyph: two stems and a bar or a bowl-ish outline
        for (let y = y0; y < y1; y++) {
          fillSpan(b, y, x, x + stroke);
          if (r() < 0.5 || y < y0 + 2 + ascender) fillSpan(b, y, x + gw - stroke, x + gw);
        }
        const bar = y0 + ascender + Math.floor(r() * xHeight);
        for (let y = bar; y < bar + stroke; y++) fillSpan(b, y, x, x + gw);
        x += gw + 2;
      }
      x += 10 + Math.floor(r() * 6);
    }
  }
  return b;
}

/** A smooth "photo": a few radial blobs and a gradient, 0 (white) .. 1 (black). */
function tone(x: number, y: number, w: number, h: number, seed: number): number {
  const r = rng(seed);
  let v = (0.6 * x) / w + (0.2 * y) / h;
  for (let i = 0; i < 3; i++) {
    const cx = r() * w;
    const cy = r() * h;
    const rad = (0.15 + r() * 0.3) * w;
    const d = Math.hypot(x - cx, y - cy) / rad;
    v += 0.5 * Math.exp(-d * d);
  }
  return Math.min(1, Math.max(0, v * 0.8));
}

const BAYER8 = (() => {
  const m = [
    [0, 2],
    [3, 1],
  ];
  let cur = m;
  while (cur.length < 8) {
    const n = cur.length;
    const next: number[][] = Array.from({ length: n * 2 }, () => new Array<number>(n * 2).fill(0));
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) {
        const v = (cur[y]?.[x] ?? 0) * 4;
        next[y]![x] = v;
        next[y]![x + n] = v + 2;
        next[y + n]![x] = v + 3;
        next[y + n]![x + n] = v + 1;
      }
    cur = next;
  }
  return cur;
})();

/** Ordered (Bayer 8×8) dither of a smooth image: regular small runs, MR/MMR-friendly. */
export function ditherPage(width: number, height: number, seed: number): Bitmap {
  const b = createBitmap(width, height);
  // The tone field is smooth: sample it on a coarse grid and interpolate rows cheaply.
  const step = 16;
  const gw = Math.ceil(width / step) + 1;
  const gh = Math.ceil(height / step) + 1;
  const grid = new Float64Array(gw * gh);
  for (let gy = 0; gy < gh; gy++) for (let gx = 0; gx < gw; gx++) grid[gy * gw + gx] = tone(gx * step, gy * step, width, height, seed);
  for (let y = 0; y < height; y++) {
    const gy = Math.floor(y / step);
    const fy = (y % step) / step;
    const brow = BAYER8[y & 7] ?? [];
    for (let x = 0; x < width; x++) {
      const gx = Math.floor(x / step);
      const fx = (x % step) / step;
      const v00 = grid[gy * gw + gx] ?? 0;
      const v10 = grid[gy * gw + gx + 1] ?? 0;
      const v01 = grid[(gy + 1) * gw + gx] ?? 0;
      const v11 = grid[(gy + 1) * gw + gx + 1] ?? 0;
      const v = (v00 * (1 - fx) + v10 * fx) * (1 - fy) + (v01 * (1 - fx) + v11 * fx) * fy;
      if (v * 64 > (brow[x & 7] ?? 0) + 0.5) b.data[y * b.rowBytes + (x >>> 3)]! |= 0x80 >>> (x & 7);
    }
  }
  return b;
}

/** Floyd–Steinberg error diffusion: irregular short runs, the hardest realistic case. */
export function diffusionPage(width: number, height: number, seed: number): Bitmap {
  const b = createBitmap(width, height);
  const step = 16;
  const gw = Math.ceil(width / step) + 1;
  const gh = Math.ceil(height / step) + 1;
  const grid = new Float64Array(gw * gh);
  for (let gy = 0; gy < gh; gy++) for (let gx = 0; gx < gw; gx++) grid[gy * gw + gx] = tone(gx * step, gy * step, width, height, seed);
  let err = new Float64Array(width + 2);
  let next = new Float64Array(width + 2);
  for (let y = 0; y < height; y++) {
    next.fill(0);
    const gy = Math.floor(y / step);
    const fy = (y % step) / step;
    for (let x = 0; x < width; x++) {
      const gx = Math.floor(x / step);
      const fx = (x % step) / step;
      const v00 = grid[gy * gw + gx] ?? 0;
      const v10 = grid[gy * gw + gx + 1] ?? 0;
      const v01 = grid[(gy + 1) * gw + gx] ?? 0;
      const v11 = grid[(gy + 1) * gw + gx + 1] ?? 0;
      const v = (v00 * (1 - fx) + v10 * fx) * (1 - fy) + (v01 * (1 - fx) + v11 * fx) * fy + (err[x + 1] ?? 0);
      const out = v > 0.5 ? 1 : 0;
      if (out) b.data[y * b.rowBytes + (x >>> 3)]! |= 0x80 >>> (x & 7);
      const e = v - out;
      err[x + 2] = (err[x + 2] ?? 0) + (e * 7) / 16;
      next[x] = (next[x] ?? 0) + (e * 3) / 16;
      next[x + 1] = (next[x + 1] ?? 0) + (e * 5) / 16;
      next[x + 2] = (next[x + 2] ?? 0) + e / 16;
    }
    const t = err;
    err = next;
    next = t;
  }
  return b;
}

/** Independent random pixels with the given black probability. */
export function noisePage(width: number, height: number, seed: number, black = 0.5): Bitmap {
  const b = createBitmap(width, height);
  const r = rng(seed);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) if (r() < black) b.data[y * b.rowBytes + (x >>> 3)]! |= 0x80 >>> (x & 7);
  return b;
}

/** Random runs with geometric lengths: many run lengths including make-up codes. */
export function runsPage(width: number, height: number, seed: number, meanRun = 40): Bitmap {
  const b = createBitmap(width, height);
  const r = rng(seed);
  for (let y = 0; y < height; y++) {
    let x = 0;
    let black = false;
    while (x < width) {
      const len = 1 + Math.floor(-Math.log(1 - r()) * meanRun);
      if (black) fillSpan(b, y, x, x + len);
      x += len;
      black = !black;
    }
  }
  return b;
}

export function solidPage(width: number, height: number, black: boolean): Bitmap {
  const b = createBitmap(width, height);
  if (black) for (let y = 0; y < height; y++) fillSpan(b, y, 0, width);
  return b;
}

/** Alternating pixels, shifted by one each row: every pixel a change (worst case). */
export function checkerPage(width: number, height: number): Bitmap {
  const b = createBitmap(width, height);
  for (let y = 0; y < height; y++) for (let x = y & 1; x < width; x += 2) b.data[y * b.rowBytes + (x >>> 3)]! |= 0x80 >>> (x & 7);
  return b;
}
