import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutSurface, pageGeometry } from '../../../../plugins/documents/raster/geometry.ts';
import { orientations, papers } from '../../../../plugins/documents/raster/types.ts';

describe('pageGeometry', () => {
  // Expected rows: paper length in inches x 196 (fine) or 98 (standard), rounded.
  const cases = [
    { paper: 'A4', width: 1728, fine: 2292, standard: 1146 },
    { paper: 'B4', width: 2048, fine: 2809, standard: 1404 },
    { paper: 'Letter', width: 1728, fine: 2156, standard: 1078 },
    { paper: 'Legal', width: 1728, fine: 2744, standard: 1372 },
  ] as const;
  for (const c of cases) {
    it(`${c.paper}: ${c.width} x ${c.fine} fine, ${c.width} x ${c.standard} standard`, () => {
      const fine = pageGeometry({ paper: c.paper, orientation: 'portrait', resolution: 'fine' });
      const standard = pageGeometry({ paper: c.paper, orientation: 'portrait', resolution: 'standard' });
      assert.deepEqual([fine.widthPx, fine.heightPx, fine.xDpi, fine.yDpi], [c.width, c.fine, 204, 196]);
      assert.deepEqual([standard.widthPx, standard.heightPx, standard.yDpi], [c.width, c.standard, 98]);
      assert.ok(Math.abs(fine.pxPerMmY - 196 / 25.4) < 0.01);
      assert.equal(fine.pxPerMmX, c.width / fine.widthMm);
    });
  }

  it('is the same portrait page for landscape content (faxes are sent portrait)', () => {
    for (const paper of papers) {
      const p = pageGeometry({ paper, orientation: 'portrait', resolution: 'fine' });
      const l = pageGeometry({ paper, orientation: 'landscape', resolution: 'fine' });
      assert.deepEqual(l, p);
    }
  });
});

describe('layoutSurface', () => {
  it('is the page itself for portrait', () => {
    const s = layoutSurface({ paper: 'A4', orientation: 'portrait', resolution: 'fine' });
    assert.deepEqual([s.widthPx, s.heightPx, s.widthMm, s.heightMm, s.rotation], [1728, 2292, 210, 297, 0]);
  });

  it('is the page turned on its side for landscape, densities swapped with the axes', () => {
    for (const paper of papers) {
      for (const resolution of ['standard', 'fine'] as const) {
        const page = pageGeometry({ paper, orientation: 'landscape', resolution });
        const s = layoutSurface({ paper, orientation: 'landscape', resolution });
        assert.deepEqual(
          [s.widthPx, s.heightPx, s.widthMm, s.heightMm, s.pxPerMmX, s.pxPerMmY, s.rotation],
          [page.heightPx, page.widthPx, page.heightMm, page.widthMm, page.pxPerMmY, page.pxPerMmX, 90],
        );
      }
    }
  });

  it('covers every orientation', () => {
    assert.deepEqual([...orientations].sort(), ['landscape', 'portrait']);
  });
});
