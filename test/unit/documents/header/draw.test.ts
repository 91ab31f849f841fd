import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBitmap, getPixel, setPixel } from '../../../../protocols/t4/bitmap.ts';
import type { Bitmap } from '../../../../protocols/t4/bitmap.ts';
import { drawHeader, headerStripMm } from '../../../../plugins/documents/header/draw.ts';
import { pageGeometry } from '../../../../plugins/documents/raster/geometry.ts';

function blackPage(width: number, height: number): Bitmap {
  const b = createBitmap(width, height);
  b.data.fill(0xff);
  return b;
}

function blackIn(b: Bitmap, y0: number, y1: number, x0 = 0, x1 = b.width): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) n += getPixel(b, x, y);
  return n;
}

describe('drawHeader', () => {
  for (const resolution of ['fine', 'standard'] as const) {
    it(`${resolution}: overwrites the top ${headerStripMm} mm strip and leaves the rest of the page alone`, async () => {
      const g = pageGeometry({ paper: 'A4', orientation: 'portrait', resolution });
      const page = blackPage(g.widthPx, g.heightPx);
      const strip = Math.round((headerStripMm * g.yDpi) / 25.4);
      const out = await drawHeader(page, '宛先：+81363684300 Page: 1/ 1', { resolution });
      assert.deepEqual([out.width, out.height], [page.width, page.height]);
      // Below the strip: untouched (all black here).
      assert.equal(blackIn(out, strip, out.height), out.width * (out.height - strip));
      // In the strip: cleared, then the line's ink, only at the left where the text is.
      const ink = blackIn(out, 0, strip);
      assert.ok(ink > 200 && ink < out.width * strip * 0.3, `ink ${ink}`);
      assert.equal(blackIn(out, 0, strip, Math.round(out.width / 2)), 0);
      // The input is not modified.
      assert.equal(blackIn(page, 0, strip), page.width * strip);
    });
  }

  it('draws different text differently and cuts text wider than the page', async () => {
    const page = createBitmap(1728, 300);
    const a = await drawHeader(page, 'Page: 1/ 2', { resolution: 'fine' });
    const b = await drawHeader(page, 'Page: 2/ 2', { resolution: 'fine' });
    assert.notDeepEqual(a.data, b.data);
    const long = await drawHeader(page, 'W'.repeat(400), { resolution: 'fine' });
    // Ink right up to the 5 mm right margin, none in it.
    const margin = Math.round((5 * 204) / 25.4);
    assert.ok(blackIn(long, 0, 30, 1728 - margin - 40, 1728 - margin) > 0);
    assert.equal(blackIn(long, 0, 30, 1728 - margin + 2), 0);
  });

  it('keeps a page narrower than a byte row intact', async () => {
    const page = createBitmap(13, 100);
    setPixel(page, 12, 99, 1);
    const out = await drawHeader(page, 'x', { resolution: 'standard' });
    assert.equal(getPixel(out, 12, 99), 1);
  });
});
