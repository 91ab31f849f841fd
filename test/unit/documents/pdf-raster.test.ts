/**
 * The TypeScript side of the MuPDF helper that needs no process: the matrix that puts a PDF
 * page where placeContent placed it (the helper draws through it), and the engine choice.
 * The helper itself is tested against PDFium in test/interop/documents/mupdf-raster.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeContent } from '../../../plugins/documents/place.ts';
import { pageGeometry } from '../../../plugins/documents/raster/geometry.ts';
import { applyAffine, placementMatrix } from '../../../plugins/documents/pdf/mupdf/matrix.ts';
import { choosePdfEngine } from '../../../plugins/documents/pdf/mupdf/engine.ts';

const a4fine = pageGeometry({ paper: 'A4', orientation: 'portrait', resolution: 'fine' });
const a4std = pageGeometry({ paper: 'A4', orientation: 'portrait', resolution: 'standard' });
const mm = (pt: number): number => (pt / 72) * 25.4;

function near(actual: [number, number], expected: [number, number], what: string): void {
  assert.ok(Math.abs(actual[0] - expected[0]) < 1e-9 && Math.abs(actual[1] - expected[1]) < 1e-9, `${what}: ${actual.join(',')} != ${expected.join(',')}`);
}

test('portrait A4 fills the fax page: corners to corners, anisotropic scale at both resolutions', () => {
  for (const g of [a4fine, a4std]) {
    const size = { width: 595.28, height: 841.89 };
    const place = placeContent({ widthMm: mm(size.width), heightMm: mm(size.height) }, g, 'fit');
    const m = placementMatrix(size, place);
    near(applyAffine(m, 0, 0), [0, 0], 'top-left');
    near(applyAffine(m, size.width, size.height), [g.widthPx, g.heightPx], 'bottom-right');
    // The fax line across the paper's width (1728 px over 210 mm), 196 or 98 lpi down.
    assert.ok(Math.abs(m[0] - (g.pxPerMmX * 25.4) / 72) < 0.001, `x scale ${m[0]}`);
    assert.ok(Math.abs(m[3] - g.yDpi / 72) < 0.01, `y scale ${m[3]}`);
    assert.equal(m[1], 0);
    assert.equal(m[2], 0);
  }
});

test('a smaller page is centred at its own size with scale none', () => {
  const size = { width: 420, height: 595 }; // A5
  const place = placeContent({ widthMm: mm(size.width), heightMm: mm(size.height) }, a4fine, 'none');
  const m = placementMatrix(size, place);
  near(applyAffine(m, 0, 0), [place.x, place.y], 'top-left');
  near(applyAffine(m, size.width, size.height), [place.x + place.width, place.y + place.height], 'bottom-right');
  assert.ok(place.x > 200 && place.y > 300, `centred: ${place.x},${place.y}`);
});

test('a landscape page turns counter-clockwise: its top edge down the left side, as PDFium rotate=3', () => {
  const size = { width: 841.89, height: 595.28 };
  const place = placeContent({ widthMm: mm(size.width), heightMm: mm(size.height) }, a4fine, 'fit');
  assert.equal(place.rotation, 90);
  const m = placementMatrix(size, place);
  const { x, y, width, height } = place;
  near(applyAffine(m, 0, 0), [x, y + height], "page's top-left at the rectangle's bottom-left");
  near(applyAffine(m, size.width, 0), [x, y], "page's top-right at the top-left");
  near(applyAffine(m, 0, size.height), [x + width, y + height], "page's bottom-left at the bottom-right");
  near(applyAffine(m, size.width, size.height), [x + width, y], "page's bottom-right at the top-right");
});

test('a page without a size is refused before it reaches the helper', () => {
  const place = placeContent({ widthMm: 210, heightMm: 297 }, a4fine, 'fit');
  assert.throws(() => placementMatrix({ width: 0, height: 842 }, place), RangeError);
});

test('FAXGATE_PDF_RENDERER forces an engine, and a wrong value is an error naming it', () => {
  assert.equal(choosePdfEngine({ FAXGATE_PDF_RENDERER: 'pdfium' }), 'pdfium');
  assert.throws(() => choosePdfEngine({ FAXGATE_PDF_RENDERER: 'ghostscript' }), /pdfium or mupdf \[value:ghostscript\]/);
  const auto = choosePdfEngine({});
  assert.ok(auto === 'mupdf' || auto === 'pdfium');
  // Forcing MuPDF gives MuPDF when built, else says how to build it (never PDFium quietly).
  try {
    assert.equal(choosePdfEngine({ FAXGATE_PDF_RENDERER: 'mupdf' }), 'mupdf');
    assert.equal(auto, 'mupdf');
  } catch (err) {
    assert.match(String(err), /build-native/);
    assert.equal(auto, 'pdfium');
  }
});
