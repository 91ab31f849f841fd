import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { firstDifference } from '../../../../protocols/t4/index.ts';
import { toBilevel } from '../../../../plugins/documents/raster/bilevel.ts';
import type { Gray } from '../../../../plugins/documents/raster/types.ts';
import { grayToBilevel } from '../../../../plugins/documents/worker/fast-bilevel.ts';

/** A page-like image: white paper, black "glyph" blocks, a gray bar, a gradient, and noise. */
function pageLike(width: number, height: number, seed: number): Gray {
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const data = new Uint8Array(width * height).fill(255);
  for (let i = 0; i < 300; i++) {
    const x0 = Math.floor(rand() * width);
    const y0 = Math.floor(rand() * height);
    const w = 1 + Math.floor(rand() * 12);
    const h = 1 + Math.floor(rand() * 16);
    const v = rand() < 0.7 ? 0 : Math.floor(rand() * 256);
    for (let y = y0; y < Math.min(height, y0 + h); y++) data.fill(v, y * width + x0, y * width + Math.min(width, x0 + w));
  }
  for (let y = Math.floor(height * 0.8); y < Math.floor(height * 0.85); y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = Math.floor((x / width) * 255);
  }
  for (let y = Math.floor(height * 0.9); y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = Math.floor(rand() * 256);
  return { width, height, data };
}

describe('grayToBilevel (page workers)', () => {
  for (const quality of ['mono', 'halftone'] as const) {
    it(`${quality}: the same bits as toBilevel on page-like images`, () => {
      for (const [w, h, seed] of [[1728, 300, 1], [864, 200, 2], [1723, 97, 3], [8, 8, 4]] as const) {
        const g = pageLike(w, h, seed);
        const diff = firstDifference(grayToBilevel(g, quality), toBilevel(g, quality));
        assert.equal(diff, undefined, `${w}x${h}: ${JSON.stringify(diff)}`);
      }
    });
  }

  it('a view at an odd offset (not word-aligned) still matches', () => {
    const g = pageLike(1728, 50, 7);
    const shifted = new Uint8Array(g.data.length + 1);
    shifted.set(g.data, 1);
    const view: Gray = { width: g.width, height: g.height, data: shifted.subarray(1) };
    for (const quality of ['mono', 'halftone'] as const) assert.equal(firstDifference(grayToBilevel(view, quality), toBilevel(g, quality)), undefined, quality);
  });

  it('rejects data that does not match the size', () => {
    assert.throws(() => grayToBilevel({ width: 10, height: 10, data: new Uint8Array(99) }, 'halftone'), RangeError);
  });
});
