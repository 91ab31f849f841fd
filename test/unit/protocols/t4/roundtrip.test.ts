/** encode → decode must give back every pixel, for every scheme, option set and width. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bitmap, DecodeOptions, EncodeOptions } from '../../../../protocols/t4/index.ts';
import { decodePage, encodePage, firstDifference } from '../../../../protocols/t4/index.ts';
import { checkerPage, diffusionPage, ditherPage, noisePage, runsPage, solidPage, textPage } from './pages.ts';
import { picture } from './helpers.ts';

interface Variant {
  readonly name: string;
  readonly enc: EncodeOptions;
  readonly dec: Omit<DecodeOptions, 'width'>;
  readonly end: string;
}

const VARIANTS: readonly Variant[] = [
  { name: 'MH + EOL + RTC', enc: { scheme: 'mh' }, dec: { scheme: 'mh' }, end: 'rtc' },
  { name: 'MH aligned EOL, no RTC', enc: { scheme: 'mh', alignEol: true, rtc: false }, dec: { scheme: 'mh' }, end: 'end-of-data' },
  { name: 'MH no EOL', enc: { scheme: 'mh', eol: false }, dec: { scheme: 'mh', eol: false }, end: 'end-of-data' },
  {
    name: 'MH byte-aligned rows (TIFF 2)',
    enc: { scheme: 'mh', eol: false, byteAlignRows: true },
    dec: { scheme: 'mh', eol: false, byteAlignRows: true },
    end: 'end-of-data',
  },
  { name: 'MR K=2 + RTC', enc: { scheme: 'mr', k: 2 }, dec: { scheme: 'mr' }, end: 'rtc' },
  { name: 'MR K=4 aligned', enc: { scheme: 'mr', k: 4, alignEol: true }, dec: { scheme: 'mr' }, end: 'rtc' },
  { name: 'MR K=4 min 96 bits/line', enc: { scheme: 'mr', k: 4, minBitsPerLine: 96 }, dec: { scheme: 'mr' }, end: 'rtc' },
  { name: 'MMR + EOFB', enc: { scheme: 'mmr' }, dec: { scheme: 'mmr' }, end: 'eofb' },
  { name: 'MMR no EOFB', enc: { scheme: 'mmr', eofb: false }, dec: { scheme: 'mmr' }, end: 'end-of-data' },
];

function roundTrip(page: Bitmap, v: Variant, withHeight = false): void {
  const coded = encodePage(page, v.enc);
  const r = decodePage(coded, { ...v.dec, width: page.width, ...(withHeight ? { height: page.height } : {}) });
  const diff = firstDifference(page, r.bitmap);
  assert.equal(diff?.message, undefined, `${v.name} ${page.width}x${page.height}`);
  assert.equal(r.badLines, 0, v.name);
  assert.equal(r.repairedLines, 0, v.name);
  assert.equal(r.lines, page.height, v.name);
  assert.equal(r.endedWith, withHeight ? 'height-reached' : v.end, v.name);
  const tail = page.width & 7;
  if (tail !== 0) {
    const mask = 0xff >>> tail;
    for (let y = 0; y < page.height; y++) {
      assert.equal((r.bitmap.data[(y + 1) * page.rowBytes - 1] ?? 0) & mask, 0, `padding bits of row ${y} must be 0`);
    }
  }
}

const WIDTHS = [1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 1215, 1728, 2048, 2432, 2560, 2561, 2623, 2624, 3456, 5000, 10000];

describe('round trips', () => {
  for (const v of VARIANTS) {
    it(`${v.name}: every width, random runs and noise`, () => {
      for (const [i, w] of WIDTHS.entries()) {
        roundTrip(runsPage(w, 12, 100 + i, 1 + (i % 5) * 30), v);
        roundTrip(noisePage(w, 6, 200 + i, 0.3), v, true);
      }
    });
    it(`${v.name}: all white, all black, single pixel, checkerboard`, () => {
      for (const w of [1, 9, 1728, 2432, 6000]) {
        roundTrip(solidPage(w, 5, false), v);
        roundTrip(solidPage(w, 5, true), v);
        roundTrip(checkerPage(w, 6), v);
      }
      roundTrip(picture(['#']), v);
      roundTrip(picture(['.', '#', '.']), v);
      roundTrip(picture(['........#', '.........', '#........']), v);
    });
  }

  it('text-like, ordered dither and error diffusion pages at fax size', () => {
    const pages = [textPage(1728, 600, 1), ditherPage(1728, 300, 2), diffusionPage(2048, 200, 3), textPage(2432, 400, 4)];
    for (const v of VARIANTS) for (const p of pages) roundTrip(p, v);
  });

  it('garbage in the padding bits past the width is ignored by the encoder', () => {
    const page = runsPage(1725, 20, 9);
    const dirty = { ...page, data: page.data.slice() };
    for (let y = 0; y < page.height; y++) dirty.data[y * page.rowBytes + page.rowBytes - 1]! |= 0x07;
    for (const v of VARIANTS) {
      const r = decodePage(encodePage(dirty, v.enc), { ...v.dec, width: page.width });
      assert.equal(firstDifference(page, r.bitmap)?.message, undefined, v.name);
    }
  });

  it('MR line types follow K: EOL+1 every K lines, EOL+0 between', () => {
    const page = solidPage(8, 9, false);
    for (const k of [1, 2, 4, 1000]) {
      // all-white row: 1-D = 10011 (white 8), 2-D = 1 (V0); EOL = 12 bits; no RTC
      const coded = encodePage(page, { scheme: 'mr', k, rtc: false });
      const oneD = Math.ceil(9 / k);
      const expectedBits = 9 * 13 + oneD * 5 + (9 - oneD) * 1;
      assert.equal(coded.length, Math.ceil(expectedBits / 8), `k=${k}`);
    }
  });
});
