import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeContent } from '../../../plugins/documents/place.ts';
import { pageGeometry } from '../../../plugins/documents/raster/geometry.ts';

const a4fine = pageGeometry({ paper: 'A4', orientation: 'portrait', resolution: 'fine' });
const a4std = pageGeometry({ paper: 'A4', orientation: 'portrait', resolution: 'standard' });

test('an A4 page fits an A4 fax page exactly, at both resolutions', () => {
  for (const g of [a4fine, a4std]) {
    const p = placeContent({ widthMm: 210, heightMm: 297 }, g, 'fit');
    assert.deepEqual([p.rotation, p.x, p.y, p.width, p.height, p.cropped], [0, 0, 0, g.widthPx, g.heightPx, false]);
  }
});

test('a landscape page is turned and fills the page', () => {
  const p = placeContent({ widthMm: 297, heightMm: 210 }, a4fine, 'fit');
  assert.equal(p.rotation, 90);
  assert.equal(p.width, a4fine.widthPx);
  assert.equal(p.height, a4fine.heightPx);
});

test('fit keeps the aspect ratio on paper (anisotropic pixels) and centres', () => {
  // Letter is wider and shorter than A4: the width limits; equal margins top and bottom.
  const p = placeContent({ widthMm: 215.9, heightMm: 279.4 }, a4fine, 'fit');
  assert.equal(p.width, a4fine.widthPx);
  const heightMm = p.height / a4fine.pxPerMmY;
  const widthMm = p.width / a4fine.pxPerMmX;
  assert.ok(Math.abs(widthMm / heightMm - 215.9 / 279.4) < 0.002);
  assert.ok(Math.abs(p.y - (a4fine.heightPx - p.height - p.y)) <= 1);
});

test('none keeps the size: a small page is centred, a long one cut at the bottom', () => {
  const small = placeContent({ widthMm: 105, heightMm: 148 }, a4fine, 'none');
  assert.equal(small.scale, 1);
  assert.equal(small.width, Math.round(105 * a4fine.pxPerMmX));
  assert.equal(small.x, Math.round((a4fine.widthPx - small.width) / 2));
  assert.equal(small.cropped, false);
  const legal = placeContent({ widthMm: 215.9, heightMm: 355.6 }, a4fine, 'none');
  assert.equal(legal.y, 0);
  assert.equal(legal.cropped, true);
});
