import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTiff, decodeTiffPage, decodeTiffPageWithReport, writeTiff, TiffStreamWriter, TiffError, tiffPageStrips } from '../../../../protocols/tiff/index.ts';
import { firstDifference } from '../../../../protocols/t4/index.ts';
import { textPage, halftonePage, singlePixelPage, checkerboardPage } from '../../../support/pages.ts';
import { le, be, assertTiffError, patchTag } from './tiff-builder.ts';

test('reads a hand-made big-endian, FillOrder 2, BlackIsZero page', () => {
  // 10 x 2 pixels, uncompressed. Pixel rows (1 = black):
  //   row 0: 1 0 0 0 0 0 0 1 | 1 1
  //   row 1: 0 1 1 1 1 1 1 0 | 0 0
  // Stored BlackIsZero (bit 1 = white), so inverted, and FillOrder 2 (LSB first), so each
  // byte bit-reversed; the 6 padding bits of each row are stored as 0, which inverts to 1
  // and must not survive into the bitmap.
  const rows = [
    [0b10000001, 0b11000000],
    [0b01111110, 0b00000000],
  ];
  const stored = rows.flat().map((b, i) => reverse8(~b & 0xff) & (i % 2 === 1 ? reverse8(0xc0) : 0xff));
  const entries: [number, number, number, number][] = [
    [256, 3, 1, 10], // ImageWidth SHORT 10
    [257, 3, 1, 2], // ImageLength 2
    [258, 3, 1, 1], // BitsPerSample 1
    [259, 3, 1, 1], // Compression none
    [262, 3, 1, 1], // Photometric BlackIsZero
    [266, 3, 1, 2], // FillOrder LSB first
    [273, 4, 1, 8], // StripOffsets: right after the header
    [278, 3, 1, 2], // RowsPerStrip
    [279, 4, 1, 4], // StripByteCounts
  ];
  const ifdAt = 8 + 4;
  const bytes = [...be.header(ifdAt), ...stored, ...be.ifd(entries, 0)];
  const file = readTiff(new Uint8Array(bytes));
  assert.equal(file.byteOrder, 'MM');
  const [page] = file.pages;
  assert.ok(page);
  assert.deepEqual([page.width, page.height, page.photometric, page.fillOrder, page.compressionName], [10, 2, 1, 2, 'none']);
  const bmp = decodeTiffPage(new Uint8Array(bytes), page);
  assert.deepEqual(Array.from(bmp.data), rows.flat(), 'pixels, with padding bits past the width cleared');
});

test('none and packbits round trip, with Class F tags', () => {
  const pages = [
    { bitmap: textPage(1728, 300), xRes: 204, yRes: 196 },
    { bitmap: halftonePage(1000, 120), xRes: 204, yRes: 98 },
    { bitmap: singlePixelPage(13, 7), xRes: 300, yRes: 300 },
    { bitmap: checkerboardPage(2432, 40), xRes: 204, yRes: 391 },
  ];
  for (const compression of ['none', 'packbits'] as const) {
    const bytes = writeTiff(pages, { compression, software: 'faxgate test' });
    const file = readTiff(bytes);
    assert.equal(file.pages.length, pages.length);
    file.pages.forEach((info, i) => {
      const src = pages[i]!;
      assert.equal(info.compressionName, compression);
      assert.deepEqual([info.xDpi, info.yDpi, info.resolutionUnit], [src.xRes, src.yRes, 2]);
      assert.deepEqual(info.pageNumber, [i, pages.length]);
      assert.equal(info.software, 'faxgate test');
      assert.equal(info.strips.length, 1);
      assert.equal(info.photometric, 0);
      const diff = firstDifference(decodeTiffPage(bytes, info), src.bitmap);
      assert.equal(diff, undefined, `${compression} page ${i}: ${diff?.message}`);
    });
    if (compression === 'packbits') assert.ok(file.pages[0]!.bytes < (1728 / 8) * 300 / 3, 'text page compresses');
  }
});

test('the stream writer produces the same file as writeTiff', () => {
  const pages = [textPage(1728, 100, 1), textPage(1728, 101, 2), singlePixelPage(13, 3)].map((bitmap) => ({ bitmap, xRes: 204, yRes: 98 }));
  const whole = writeTiff(pages, { compression: 'packbits' });
  const w = new TiffStreamWriter({ compression: 'packbits', totalPages: pages.length });
  const chunks = pages.map((p) => w.addPage(p));
  chunks.push(w.finish());
  assert.deepEqual(Buffer.concat(chunks), Buffer.from(whole));
  assert.throws(() => w.addPage(pages[0]!), (e) => e instanceof TiffError && e.code === 'TIFF_BAD_ARGUMENT');
});

test('short strips decode with the missing rows reported', () => {
  const bmp = textPage(200, 40);
  const bytes = writeTiff([{ bitmap: bmp, xRes: 204, yRes: 98 }], { compression: 'none' });
  const info = readTiff(bytes).pages[0]!;
  const rb = bmp.rowBytes;
  // Claim 10 rows fewer in StripByteCounts.
  const cut = patchTag(bytes, 279, info.bytes - 10 * rb);
  const r = decodeTiffPageWithReport(cut, readTiff(cut).pages[0]!);
  assert.equal(r.badLines, 10);
  assert.equal(firstDifference({ ...r.bitmap, height: 30 }, { ...bmp, height: 30 }), undefined);
});

test('several strips per page, and raw strip access', () => {
  const bmp = halftonePage(300, 50);
  const rb = bmp.rowBytes;
  // Rebuild the page as 4 strips of 16, 16, 16 and 2 rows stored in reverse order in the file.
  const stripRows = [16, 16, 16, 2];
  const data = stripRows.map((rows, i) => bmp.data.slice(i * 16 * rb, (i * 16 + rows) * rb));
  const order = [3, 2, 1, 0];
  const blob: number[] = [];
  const offsets: number[] = [];
  let at = 8;
  for (const i of order) {
    offsets[i] = at;
    blob.push(...data[i]!);
    at += data[i]!.length;
  }
  const ifdAt = at + (at & 1);
  if (at & 1) blob.push(0);
  const entriesAt = ifdAt + 2 + 9 * 12 + 4;
  const arrays = [...le.u32s(offsets), ...le.u32s(data.map((d) => d.length))];
  const entries: [number, number, number, number][] = [
    [256, 4, 1, 300],
    [257, 4, 1, 50],
    [258, 3, 1, 1],
    [259, 3, 1, 1],
    [262, 3, 1, 0],
    [273, 4, 4, entriesAt],
    [277, 3, 1, 1],
    [278, 4, 1, 16],
    [279, 4, 4, entriesAt + 16],
  ];
  const file = new Uint8Array([...le.header(ifdAt), ...blob, ...le.ifd(entries, 0), ...arrays]);
  const info = readTiff(file).pages[0]!;
  assert.equal(info.strips.length, 4);
  assert.equal(info.rowsPerStrip, 16);
  assert.deepEqual(tiffPageStrips(file, info).map((s) => s.length), data.map((d) => d.length));
  assert.equal(firstDifference(decodeTiffPage(file, info), bmp), undefined);
});

test('unsupported and malformed files give TiffError codes', () => {
  const good = writeTiff([{ bitmap: textPage(64, 8), xRes: 204, yRes: 98 }], { compression: 'none' });
  assertTiffError(() => readTiff(new Uint8Array([1, 2, 3])), 'TIFF_BAD_HEADER');
  assertTiffError(() => readTiff(new Uint8Array([0x49, 0x49, 43, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), 'TIFF_UNSUPPORTED_BIGTIFF');
  assertTiffError(() => readTiff(new Uint8Array([0x49, 0x49, 42, 0, 0xff, 0xff, 0, 0])), 'TIFF_OUT_OF_BOUNDS');
  assertTiffError(() => readTiff(patchTag(good, 259, 7)), 'TIFF_UNSUPPORTED_COMPRESSION');
  assertTiffError(() => readTiff(patchTag(good, 258, 8)), 'TIFF_UNSUPPORTED_FORMAT');
  assertTiffError(() => readTiff(patchTag(good, 262, 2)), 'TIFF_UNSUPPORTED_FORMAT');
  assertTiffError(() => readTiff(patchTag(good, 277, 3)), 'TIFF_UNSUPPORTED_FORMAT');
  assertTiffError(() => readTiff(patchTag(good, 273, good.length - 2)), 'TIFF_OUT_OF_BOUNDS');
  assertTiffError(() => readTiff(patchTag(good, 256, 20000)), 'TIFF_TOO_LARGE');
  assertTiffError(() => readTiff(patchTag(good, 322, 16)), 'TIFF_TILED');
  assertTiffError(() => readTiff(good, { maxPages: 1, maxIfdEntries: 10, maxWidth: 100, maxHeight: 100 }), 'TIFF_BAD_IFD');

  // An IFD whose next-IFD pointer points back at itself.
  const firstIfd = new DataView(good.buffer, good.byteOffset).getUint32(4, true);
  const loop = good.slice();
  const n = new DataView(loop.buffer).getUint16(firstIfd, true);
  new DataView(loop.buffer).setUint32(firstIfd + 2 + n * 12, firstIfd, true);
  assertTiffError(() => readTiff(loop), 'TIFF_IFD_LOOP');

  const three = writeTiff([1, 2, 3].map((s) => ({ bitmap: textPage(64, 8, s), xRes: 204, yRes: 98 })), { compression: 'none' });
  assertTiffError(() => readTiff(three, { maxPages: 2, maxIfdEntries: 100, maxWidth: 100, maxHeight: 100 }), 'TIFF_TOO_MANY_PAGES');
  assert.equal(readTiff(three).pages.length, 3);
});

test('reduced-resolution subfiles are skipped, not counted as pages', () => {
  const bytes = writeTiff([textPage(64, 8, 1), textPage(64, 8, 2)].map((bitmap) => ({ bitmap, xRes: 204, yRes: 98 })), { compression: 'none' });
  const thumb = patchTag(bytes, 254, 1, 0);
  const file = readTiff(thumb);
  assert.equal(file.pages.length, 1);
  assert.deepEqual(file.pages[0]!.pageNumber, [1, 2]);
});

function reverse8(b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) if (b & (1 << i)) r |= 0x80 >> i;
  return r;
}
