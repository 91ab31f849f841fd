import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { encodePng, encodePreviewPng, downscale, crc32 } from '../../../../protocols/png/index.ts';
import { getPixel } from '../../../../protocols/t4/index.ts';
import { textPage, blackPage, whitePage, singlePixelPage, verticalStripesPage } from '../../../support/pages.ts';

interface Chunk {
  type: string;
  body: Uint8Array;
}

/** Splits a PNG into chunks, checking the signature and every CRC. */
function chunks(png: Uint8Array): Chunk[] {
  assert.deepEqual(Array.from(png.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: Chunk[] = [];
  let at = 8;
  while (at < png.length) {
    const len = dv.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const body = png.subarray(at + 8, at + 8 + len);
    assert.equal(dv.getUint32(at + 8 + len), crc32(png.subarray(at + 4, at + 8 + len)), `CRC of ${type}`);
    out.push({ type, body });
    at += 12 + len;
  }
  return out;
}

test('CRC-32 matches the check value of the PNG/zlib CRC', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('1-bit PNG: header, pHYs and pixels (0 = black in PNG)', () => {
  const b = textPage(203, 37);
  const png = encodePng(b, { xDpi: 204, yDpi: 98 });
  const cs = chunks(png);
  assert.deepEqual(cs.map((c) => c.type), ['IHDR', 'pHYs', 'IDAT', 'IEND']);
  const ihdr = new DataView(cs[0]!.body.buffer, cs[0]!.body.byteOffset);
  assert.deepEqual([ihdr.getUint32(0), ihdr.getUint32(4), cs[0]!.body[8], cs[0]!.body[9], cs[0]!.body[12]], [203, 37, 1, 0, 0]);
  const phys = new DataView(cs[1]!.body.buffer, cs[1]!.body.byteOffset);
  assert.deepEqual([phys.getUint32(0), phys.getUint32(4)], [Math.round(204 / 0.0254), Math.round(98 / 0.0254)]);
  const raw = inflateSync(cs[2]!.body);
  const stride = 1 + Math.ceil(203 / 8);
  assert.equal(raw.length, stride * 37);
  let black = 0;
  for (let y = 0; y < 37; y++) {
    assert.equal(raw[y * stride], 0, 'filter type');
    for (let x = 0; x < 203; x++) {
      const pngBit = (raw[y * stride + 1 + (x >> 3)]! >> (7 - (x & 7))) & 1;
      assert.equal(pngBit, 1 - getPixel(b, x, y), `pixel ${x},${y}`);
      black += 1 - pngBit;
    }
  }
  assert.ok(black > 0, 'the page has ink');
});

test('downscale averages coverage and corrects the aspect ratio', () => {
  // 204 x 98 dpi: a 1728 x 1100 page is 8.47 x 11.2 inches; 100 pixels wide -> 132 high.
  const g = downscale(whitePage(1728, 1100), { xDpi: 204, yDpi: 98, width: 100 });
  assert.deepEqual([g.width, g.height], [100, Math.round((100 * 1100) / 98 / (1728 / 204))]);
  assert.ok(g.data.every((v) => v === 255));
  const k = downscale(blackPage(400, 400), { xDpi: 200, yDpi: 200, width: 37 });
  assert.ok(k.data.every((v) => v === 0));
  // Alternate columns are 50 % grey at any scale factor.
  const s = downscale(verticalStripesPage(800, 200), { xDpi: 200, yDpi: 200, width: 100 });
  assert.ok(s.data.every((v) => Math.abs(v - 127.5) <= 1), `grey ${s.data[0]}`);
  // A single pixel still shows, attenuated by the area it covers.
  const p = downscale(singlePixelPage(80, 80, 40, 40), { xDpi: 100, yDpi: 100, width: 10 });
  const min = Math.min(...p.data);
  assert.equal(min, Math.round(255 * (1 - 1 / 64)));
});

test('preview PNG is 8-bit grey and inflates to the downscaled image', () => {
  const b = textPage(1728, 400);
  const png = encodePreviewPng(b, { xDpi: 204, yDpi: 196, width: 300 });
  const cs = chunks(png);
  const ih = cs[0]!.body;
  assert.equal(ih[8], 8);
  const g = downscale(b, { xDpi: 204, yDpi: 196, width: 300 });
  const raw = inflateSync(cs.find((c) => c.type === 'IDAT')!.body);
  // Undo the Up filter and compare.
  const prev = new Uint8Array(g.width);
  for (let y = 0; y < g.height; y++) {
    assert.equal(raw[y * (g.width + 1)], 2);
    for (let x = 0; x < g.width; x++) {
      const v = (raw[y * (g.width + 1) + 1 + x]! + prev[x]!) & 0xff;
      assert.equal(v, g.data[y * g.width + x]);
      prev[x] = v;
    }
  }
});
