import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstDifference, getPixel, createBitmap, setPixel } from '../../../../protocols/t4/bitmap.ts';
import type { Bitmap } from '../../../../protocols/t4/bitmap.ts';
import { errorDiffusion, rotateGrayCcw, threshold, toBilevel, toFaxPage } from '../../../../plugins/documents/raster/bilevel.ts';
import { layoutSurface } from '../../../../plugins/documents/raster/geometry.ts';
import type { Gray } from '../../../../plugins/documents/raster/types.ts';
import { prng } from '../../../support/pages.ts';

function grayOf(width: number, height: number, f: (x: number, y: number) => number): Gray {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y);
  return { width, height, data };
}

function blackCount(b: Bitmap): number {
  let n = 0;
  for (let y = 0; y < b.height; y++) for (let x = 0; x < b.width; x++) n += getPixel(b, x, y);
  return n;
}

/** A page-like image: white paper, black "glyph" blocks, gray blocks, a gradient bar, and noise. */
function pageLike(width: number, height: number, seed: number): Gray {
  const rnd = prng(seed);
  const data = new Uint8Array(width * height).fill(255);
  for (let i = 0; i < 300; i++) {
    const x0 = Math.floor(rnd() * width);
    const y0 = Math.floor(rnd() * height);
    const w = 1 + Math.floor(rnd() * 12);
    const h = 1 + Math.floor(rnd() * 16);
    const v = rnd() < 0.7 ? 0 : Math.floor(rnd() * 256);
    for (let y = y0; y < Math.min(height, y0 + h); y++) data.fill(v, y * width + x0, y * width + Math.min(width, x0 + w));
  }
  for (let y = Math.floor(height * 0.8); y < Math.floor(height * 0.85); y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = Math.floor((x / width) * 255);
  }
  for (let y = Math.floor(height * 0.9); y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = Math.floor(rnd() * 256);
  return { width, height, data };
}

/** The same image seen through a view that starts `shift` bytes into its buffer (PDFium's memory is one). */
function shifted(g: Gray, shift: number): Gray {
  const buf = new Uint8Array(g.data.length + shift);
  buf.set(g.data, shift);
  return { width: g.width, height: g.height, data: buf.subarray(shift) };
}

/** Thresholding as the definition says: pixel by pixel, value < t is black. */
function referenceThreshold(g: Gray, t: number): Bitmap {
  const out = createBitmap(g.width, g.height);
  for (let y = 0; y < g.height; y++) for (let x = 0; x < g.width; x++) if (g.data[y * g.width + x]! < t) setPixel(out, x, y, 1);
  return out;
}

const pageSizes = [[1728, 300, 1], [864, 200, 2], [1723, 97, 3], [1724, 40, 5], [8, 8, 4]] as const;

/** Floyd–Steinberg as the textbook writes it: a 2-D error array, serpentine, 1/16ths rounded the same way. */
function referenceDiffusion(g: Gray): Bitmap {
  const out = createBitmap(g.width, g.height);
  const err = new Int32Array((g.width + 2) * (g.height + 1));
  const at = (x: number, y: number): number => y * (g.width + 2) + x + 1;
  for (let y = 0; y < g.height; y++) {
    const ltr = y % 2 === 0;
    for (let n = 0; n < g.width; n++) {
      const x = ltr ? n : g.width - 1 - n;
      const d = ltr ? 1 : -1;
      const px = g.data[y * g.width + x]!;
      // Paper and ink take no error and pass none on.
      if (px === 0) setPixel(out, x, y, 1);
      if (px === 0 || px === 255) continue;
      const v = px + ((err[at(x, y)]! + 8) >> 4);
      const black = v < 128;
      if (black) setPixel(out, x, y, 1);
      const e = black ? v : v - 255;
      err[at(x + d, y)]! += 7 * e;
      err[at(x - d, y + 1)]! += 3 * e;
      err[at(x, y + 1)]! += 5 * e;
      err[at(x + d, y + 1)]! += e;
    }
  }
  return out;
}

describe('threshold (mono)', () => {
  it('makes exactly the pixels below the threshold black, at every width including partial bytes', () => {
    const rnd = prng(7);
    for (const width of [1, 7, 8, 9, 13, 1728]) {
      const g = grayOf(width, 5, () => Math.floor(rnd() * 256));
      const b = threshold(g, 128);
      assert.equal(b.rowBytes, Math.ceil(width / 8));
      for (let y = 0; y < 5; y++) {
        for (let x = 0; x < width; x++) assert.equal(getPixel(b, x, y), g.data[y * width + x]! < 128 ? 1 : 0, `x:${x} y:${y} width:${width}`);
        // Bits past the width stay 0 (T.4 encoders rely on it).
        const last = b.data[y * b.rowBytes + b.rowBytes - 1]!;
        const tail = width % 8;
        if (tail !== 0) assert.equal(last & (0xff >> tail), 0);
      }
    }
  });

  it('matches the definition on page-like images, every threshold, width and alignment', () => {
    for (const [w, h, seed] of pageSizes) {
      const g = pageLike(w, h, seed);
      for (const t of [0, 1, 100, 128, 129, 255, 256]) {
        const want = referenceThreshold(g, t);
        for (const view of [g, shifted(g, 1), shifted(g, 4)]) {
          const diff = firstDifference(threshold(view, t), want);
          assert.equal(diff, undefined, `${w}x${h} t:${t} offset:${view.data.byteOffset}: ${diff?.message}`);
        }
      }
    }
  });

  it('toBilevel mono defaults to 128 and honours another threshold', () => {
    const g = grayOf(3, 1, (x) => [127, 128, 170][x]!);
    const d = toBilevel(g, 'mono');
    assert.deepEqual([0, 1, 2].map((x) => getPixel(d, x, 0)), [1, 0, 0]);
    const t = toBilevel(g, 'mono', { threshold: 171 });
    assert.deepEqual([0, 1, 2].map((x) => getPixel(t, x, 0)), [1, 1, 1]);
  });

  it('refuses gray data that does not match its size', () => {
    for (const quality of ['mono', 'halftone'] as const) assert.throws(() => toBilevel({ width: 10, height: 10, data: new Uint8Array(99) }, quality), RangeError);
  });
});

describe('errorDiffusion (halftone)', () => {
  it('matches a textbook serpentine Floyd–Steinberg pixel for pixel', () => {
    const rnd = prng(11);
    const g = grayOf(203, 61, (x, y) => Math.max(0, Math.min(255, Math.round(((x + y) / 264) * 255 + (rnd() - 0.5) * 40))));
    const diff = firstDifference(errorDiffusion(g), referenceDiffusion(g));
    assert.equal(diff, undefined, diff?.message);
  });

  it('matches the textbook on page-like images (white paper, marks, gradients, noise), at any alignment', () => {
    for (const [w, h, seed] of pageSizes) {
      const g = pageLike(w, h, seed);
      const want = referenceDiffusion(g);
      for (const view of [g, shifted(g, 1), shifted(g, 4)]) {
        const diff = firstDifference(errorDiffusion(view), want);
        assert.equal(diff, undefined, `${w}x${h} offset:${view.data.byteOffset}: ${diff?.message}`);
      }
    }
  });

  it('keeps the mean gray of flat areas (black share ~ 1 - level/255)', () => {
    for (const level of [16, 64, 128, 192, 240]) {
      const b = toBilevel(grayOf(400, 200, () => level), 'halftone');
      const share = blackCount(b) / (400 * 200);
      assert.ok(Math.abs(share - (1 - level / 255)) < 0.01, `level:${level} share:${share}`);
    }
  });

  it('stops error at white paper: the dots of a gray area do not depend on another area across a white gap', () => {
    // Two shaded areas with one white row between them. In textbook diffusion the upper
    // area's leftover error crosses the white row and reshuffles the lower one's dots (and on
    // a real page travels on to the foot of it); here white paper takes it and passes none on.
    const w = 240;
    const lower = (x: number, y: number): number => 60 + ((x * 3 + y * 5) % 120);
    const both = grayOf(w, 61, (x, y) => (y < 30 ? 180 + (x % 40) : y === 30 ? 255 : lower(x, y)));
    const alone = grayOf(w, 61, (x, y) => (y <= 30 ? 255 : lower(x, y)));
    const a = errorDiffusion(both);
    const b = errorDiffusion(alone);
    for (let y = 30; y < 61; y++) for (let x = 0; x < w; x++) assert.equal(getPixel(a, x, y), getPixel(b, x, y), `x:${x} y:${y}`);
    assert.ok(blackCount(a) > blackCount(b), 'the upper area has its own dots');
  });

  it('keeps pure black and pure white exact', () => {
    assert.equal(blackCount(errorDiffusion(grayOf(50, 20, () => 0))), 1000);
    assert.equal(blackCount(errorDiffusion(grayOf(50, 20, () => 255))), 0);
  });

  it('is fast enough for every PDF page (A4 fine, both modes)', () => {
    const g = grayOf(1728, 2292, (x, y) => (x * 7 + y * 3) & 255);
    const t0 = performance.now();
    toBilevel(g, 'mono');
    const t1 = performance.now();
    toBilevel(g, 'halftone');
    const t2 = performance.now();
    console.log(`A4 fine page: threshold ${(t1 - t0).toFixed(1)} ms, error diffusion ${(t2 - t1).toFixed(1)} ms`);
    // Generous bound for a shared 2-core machine; typical figures are printed above.
    assert.ok(t2 - t1 < 1000 && t1 - t0 < 500);
  });
});

describe('rotation into the portrait page', () => {
  it('turns gray counter-clockwise: the top row becomes the left column, read bottom-up', () => {
    const g = grayOf(3, 2, (x, y) => y * 3 + x); // rows [0 1 2] [3 4 5]
    const r = rotateGrayCcw(g);
    assert.deepEqual([r.width, r.height], [2, 3]);
    assert.deepEqual([...r.data], [2, 5, 1, 4, 0, 3]);
  });

  it('toFaxPage puts the top-left of landscape content at the bottom-left of the page', () => {
    const spec = { paper: 'A4', orientation: 'landscape', resolution: 'standard' } as const;
    const s = layoutSurface(spec);
    const g = grayOf(s.widthPx, s.heightPx, (x, y) => (x < 20 && y < 10 ? 0 : 255));
    const page = toFaxPage(g, s, 'mono');
    assert.deepEqual([page.width, page.height], [1728, 1146]);
    assert.equal(getPixel(page, 5, page.height - 5), 1);
    assert.equal(getPixel(page, 5, 5), 0);
    assert.equal(blackCount(page), 200);
  });

  it('toFaxPage refuses gray that is not the surface size', () => {
    const s = layoutSurface({ paper: 'A4', orientation: 'portrait', resolution: 'fine' });
    assert.throws(() => toFaxPage(grayOf(10, 10, () => 255), s, 'mono'), /does not match the layout surface/);
  });
});
