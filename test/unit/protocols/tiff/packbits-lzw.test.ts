import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packBits, unpackBits } from '../../../../protocols/tiff/packbits.ts';
import { lzwDecode } from '../../../../protocols/tiff/lzw.ts';
import { TiffError } from '../../../../protocols/tiff/index.ts';
import { prng } from '../../../support/pages.ts';

test('PackBits: the TIFF 6.0 example decodes', () => {
  const packed = new Uint8Array([
    0xfe, 0xaa, //             -2: repeat 0xAA 3 times
    0x02, 0x80, 0x00, 0x2a, //  2: 3 literal bytes
    0xfd, 0xaa, //             -3: repeat 0xAA 4 times
    0x03, 0x80, 0x00, 0x2a, 0x22, // 3: 4 literal bytes
    0xf7, 0xaa, //             -9: repeat 0xAA 10 times
  ]);
  const expected = [0xaa, 0xaa, 0xaa, 0x80, 0x00, 0x2a, 0xaa, 0xaa, 0xaa, 0xaa, 0x80, 0x00, 0x2a, 0x22, ...Array<number>(10).fill(0xaa)];
  const r = unpackBits(packed, expected.length);
  assert.deepEqual(Array.from(r.data), expected);
  assert.equal(r.produced, expected.length);
});

test('PackBits: -128 is a no-op, output is clipped, truncation is reported', () => {
  assert.deepEqual(Array.from(unpackBits(new Uint8Array([0x80, 0x00, 0x07]), 1).data), [0x07]);
  const clipped = unpackBits(new Uint8Array([0x81, 0xff]), 4); // a run of 128 into 4 bytes
  assert.deepEqual(Array.from(clipped.data), [0xff, 0xff, 0xff, 0xff]);
  const short = unpackBits(new Uint8Array([0x05, 1, 2]), 6); // literal of 6, only 2 present
  assert.equal(short.produced, 2);
});

test('PackBits: encode/decode round trip on random rows with runs', () => {
  const rnd = prng(3);
  for (let trial = 0; trial < 50; trial++) {
    const rowBytes = 1 + Math.floor(rnd() * 400);
    const rows = 1 + Math.floor(rnd() * 5);
    const data = new Uint8Array(rowBytes * rows);
    for (let i = 0; i < data.length; ) {
      const run = 1 + Math.floor(rnd() * (rnd() < 0.5 ? 3 : 300));
      const v = Math.floor(rnd() * 4) * 85;
      data.fill(v, i, i + run);
      i += run;
    }
    const packed = packBits(data, rowBytes);
    const r = unpackBits(packed, data.length);
    assert.deepEqual(r.data, data);
    assert.ok(packed.length <= data.length + Math.ceil(data.length / 128) + rows);
  }
});

/** A straightforward TIFF LZW encoder (TIFF 6.0 section 13), only here to exercise the decoder. */
function lzwEncode(data: Uint8Array): Uint8Array {
  const bits: number[] = [];
  let width = 9;
  const put = (code: number): void => {
    for (let b = width - 1; b >= 0; b--) bits.push((code >> b) & 1);
  };
  let table = new Map<string, number>();
  let next = 258;
  put(256);
  let w = '';
  for (const byte of data) {
    const wc = w === '' ? String(byte) : `${w},${byte}`;
    if (w === '' || table.has(wc)) {
      w = wc;
      continue;
    }
    put(w.includes(',') ? table.get(w)! : Number(w));
    table.set(wc, next++);
    // The encoder is one entry ahead of the decoder, so it widens at 512 where the decoder
    // (the "early change") widens at 511.
    if (next === 512 || next === 1024 || next === 2048) width++;
    if (next === 4094) {
      put(256);
      table = new Map();
      next = 258;
      width = 9;
    }
    w = String(byte);
  }
  if (w !== '') put(w.includes(',') ? table.get(w)! : Number(w));
  // The encoder may have just widened the code for a table entry it will never use.
  put(257);
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) out[i >> 3]! |= 0x80 >> (i & 7);
  });
  return out;
}

test('LZW: decodes streams that cross every code width and a table reset', () => {
  const rnd = prng(9);
  const data = new Uint8Array(60000);
  // Few distinct byte values in runs, like bilevel rows: fills the table fast.
  for (let i = 0; i < data.length; i++) data[i] = rnd() < 0.8 ? 0 : Math.floor(rnd() * 6);
  const enc = lzwEncode(data);
  const r = lzwDecode(enc, data.length);
  assert.equal(r.produced, data.length);
  assert.deepEqual(r.data, data);
});

test('LZW: KwKwK codes, truncation and garbage', () => {
  const data = new Uint8Array(3000).fill(0x55);
  const r = lzwDecode(lzwEncode(data), data.length);
  assert.deepEqual(r.data, data);
  const enc = lzwEncode(data);
  const cut = lzwDecode(enc.subarray(0, enc.length >> 1), data.length);
  assert.ok(cut.produced > 0 && cut.produced < data.length);
  assert.throws(() => lzwDecode(new Uint8Array([0x00, 0x01, 0x02]), 10), (e) => e instanceof TiffError && e.code === 'TIFF_UNSUPPORTED_COMPRESSION');
  assert.throws(() => lzwDecode(new Uint8Array([0x80, 0x7f, 0xff, 0xff]), 10), (e) => e instanceof TiffError && e.code === 'TIFF_CORRUPT_DATA');
});
