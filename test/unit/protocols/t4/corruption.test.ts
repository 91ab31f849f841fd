/**
 * Damaged input: bad rows are counted and repaired (MH/MR) or end the page (MMR, no-EOL MH);
 * decoding always terminates quickly and throws nothing but T4DecodeError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bitmap, DecodeOptions, EncodeOptions } from '../../../../protocols/t4/index.ts';
import { LineEncoder, T4DecodeError, decodePage, encodePage, firstDifference, rowOf } from '../../../../protocols/t4/index.ts';
import { rng, runsPage, textPage } from './pages.ts';

/** Encode a page, noting the bit position where each row's EOL (or data) starts. */
function encodeWithOffsets(page: Bitmap, opts: EncodeOptions): { data: Uint8Array; rowStart: number[] } {
  const enc = new LineEncoder(page.width, opts);
  const rowStart: number[] = [];
  const parts: Uint8Array[] = [];
  for (let y = 0; y < page.height; y++) {
    rowStart.push(enc.bitLength);
    enc.encodeLine(rowOf(page, y));
  }
  parts.push(enc.finish());
  return { data: parts[0] ?? new Uint8Array(0), rowStart };
}

function overwriteBits(data: Uint8Array, at: number, pattern: string): Uint8Array {
  const out = data.slice();
  [...pattern].forEach((b, i) => {
    const p = at + i;
    const mask = 0x80 >>> (p & 7);
    out[p >>> 3] = b === '1' ? out[p >>> 3]! | mask : out[p >>> 3]! & ~mask;
  });
  return out;
}

function rowsEqual(a: Bitmap, ya: number, b: Bitmap, yb: number): boolean {
  const ra = rowOf(a, ya);
  const rb = rowOf(b, yb);
  return ra.every((v, i) => v === rb[i]);
}

// 8 zeros then a one: shorter than an EOL, and no run or mode code starts with 7 zeros.
const INVALID = '000000001';

describe('bad rows', () => {
  const page = runsPage(1728, 30, 11, 30);

  it('MH: the bad row is a copy of the previous one, decoding resumes at the next EOL', () => {
    const { data, rowStart } = encodeWithOffsets(page, { scheme: 'mh' });
    const bad = overwriteBits(data, (rowStart[10] ?? 0) + 12, INVALID);
    const r = decodePage(bad, { scheme: 'mh', width: 1728 });
    assert.equal(r.lines, 30);
    assert.equal(r.badLines, 1);
    assert.equal(r.repairedLines, 1);
    assert.equal(r.consecutiveBadLinesMax, 1);
    assert.equal(r.endedWith, 'rtc');
    assert.ok(rowsEqual(r.bitmap, 10, page, 9), 'row 10 repaired from row 9');
    for (let y = 0; y < 30; y++) if (y !== 10) assert.ok(rowsEqual(r.bitmap, y, page, y), `row ${y}`);
  });

  it('MR K=4: a bad 2-D row is repaired; rows after the next 1-D row are exact again', () => {
    const { data, rowStart } = encodeWithOffsets(page, { scheme: 'mr', k: 4 });
    const bad = overwriteBits(data, (rowStart[9] ?? 0) + 13, INVALID);
    const r = decodePage(bad, { scheme: 'mr', width: 1728 });
    assert.equal(r.lines, 30);
    assert.ok(r.badLines >= 1);
    assert.ok(rowsEqual(r.bitmap, 9, page, 8), 'row 9 repaired from row 8');
    for (let y = 0; y < 30; y++) if (y < 9 || y >= 12) assert.ok(rowsEqual(r.bitmap, y, page, y), `row ${y}`);
  });

  it('consecutive bad rows are counted as a run', () => {
    const { data, rowStart } = encodeWithOffsets(page, { scheme: 'mh' });
    let bad = data;
    for (const y of [4, 5, 6, 20]) bad = overwriteBits(bad, (rowStart[y] ?? 0) + 12, INVALID);
    const r = decodePage(bad, { scheme: 'mh', width: 1728 });
    assert.equal(r.badLines, 4);
    assert.equal(r.consecutiveBadLinesMax, 3);
    assert.ok(rowsEqual(r.bitmap, 6, page, 3));
  });

  it('a bad first row is white (nothing to copy) and not counted as repaired', () => {
    const { data, rowStart } = encodeWithOffsets(page, { scheme: 'mh' });
    const r = decodePage(overwriteBits(data, (rowStart[0] ?? 0) + 12, INVALID), { scheme: 'mh', width: 1728 });
    assert.equal(r.badLines, 1);
    assert.equal(r.repairedLines, 0);
    assert.ok(rowOf(r.bitmap, 0).every((b) => b === 0));
  });

  it('MMR: a bad row ends the page; rows before it are exact, the rest white', () => {
    const { data, rowStart } = encodeWithOffsets(page, { scheme: 'mmr' });
    const bad = overwriteBits(data, rowStart[10] ?? 0, INVALID);
    const r = decodePage(bad, { scheme: 'mmr', width: 1728, height: 30 });
    assert.equal(r.lines, 10);
    assert.equal(r.badLines, 1);
    assert.equal(r.endedWith, 'end-of-data');
    for (let y = 0; y < 10; y++) assert.ok(rowsEqual(r.bitmap, y, page, y), `row ${y}`);
    for (let y = 10; y < 30; y++) assert.ok(rowOf(r.bitmap, y).every((b) => b === 0), `row ${y} white`);
  });

  it('strict mode throws T4DecodeError instead of repairing', () => {
    const { data, rowStart } = encodeWithOffsets(page, { scheme: 'mh' });
    const bad = overwriteBits(data, (rowStart[3] ?? 0) + 12, INVALID);
    assert.throws(
      () => decodePage(bad, { scheme: 'mh', width: 1728, strict: true }),
      (e: unknown) => e instanceof T4DecodeError && e.code === 'T4_BAD_LINE' && e.line === 3,
    );
    const noEol = encodePage(page, { scheme: 'mh', eol: false });
    assert.throws(
      () => decodePage(noEol, { scheme: 'mh', width: 1728, strict: true }),
      (e: unknown) => e instanceof T4DecodeError && e.code === 'T4_MISSING_EOL',
    );
  });
});

describe('truncation and end of page', () => {
  const page = textPage(1728, 400, 12);

  /** A row with at least `bits` bits of code, and a cut position in its middle (bytes). */
  function cutInsideLongRow(rowStart: number[], bits: number): { y: number; cut: number } {
    for (let y = 150; y + 1 < rowStart.length; y++) {
      const a = rowStart[y] ?? 0;
      const b = rowStart[y + 1] ?? 0;
      if (b - a >= bits) return { y, cut: (a + b) >>> 4 };
    }
    throw new Error('no long row');
  }

  it('MH cut inside a row: that row counts as bad, the rest of the page is lost', () => {
    const { data, rowStart } = encodeWithOffsets(page, { scheme: 'mh' });
    const { y, cut } = cutInsideLongRow(rowStart, 200);
    const r = decodePage(data.subarray(0, cut), { scheme: 'mh', width: 1728 });
    assert.equal(r.endedWith, 'end-of-data');
    assert.equal(r.lines, y + 1);
    assert.equal(r.badLines, 1);
    assert.ok(rowsEqual(r.bitmap, y, page, y - 1), 'the cut row is repaired');
    for (let k = 0; k < y; k++) assert.ok(rowsEqual(r.bitmap, k, page, k), `row ${k}`);
  });

  it('MMR cut inside a row: rows before it are exact', () => {
    const { data, rowStart } = encodeWithOffsets(page, { scheme: 'mmr' });
    const { y, cut } = cutInsideLongRow(rowStart, 200);
    const r = decodePage(data.subarray(0, cut), { scheme: 'mmr', width: 1728, height: 400 });
    assert.equal(r.lines, y);
    assert.equal(r.badLines, 1);
    for (let k = 0; k < y; k++) assert.ok(rowsEqual(r.bitmap, k, page, k), `row ${k}`);
  });

  it('MR: a white 2-D row whose single V0 bit flipped (EOL 0 EOL) is one bad row, not RTC', () => {
    const white = runsPage(1728, 12, 3);
    white.data.fill(0, 4 * white.rowBytes, 8 * white.rowBytes); // rows 4..7 white
    const { data, rowStart } = encodeWithOffsets(white, { scheme: 'mr', k: 4 });
    // row 5 is 2-D against white row 4: EOL, tag 0, V0 '1'
    const bad = overwriteBits(data, (rowStart[5] ?? 0) + 13, '0');
    const r = decodePage(bad, { scheme: 'mr', width: 1728 });
    assert.equal(r.endedWith, 'rtc');
    assert.equal(r.lines, 12);
    assert.equal(r.badLines, 1);
    assert.equal(firstDifference(white, r.bitmap)?.message, undefined);
  });

  it('empty input and zero fill only: no rows', () => {
    for (const scheme of ['mh', 'mr', 'mmr'] as const) {
      for (const data of [new Uint8Array(0), new Uint8Array(100)]) {
        const r = decodePage(data, { scheme, width: 1728 });
        assert.equal(r.lines, 0);
        assert.equal(r.badLines, 0);
        assert.equal(r.endedWith, 'end-of-data');
      }
    }
  });

  it('extra EOLs before the first row are tolerated; data after RTC is ignored', () => {
    const coded = encodePage(page, { scheme: 'mh' });
    const lead = new Uint8Array([0x00, 0x10, 0x01]); // EOL EOL
    const trail = new Uint8Array([0xde, 0xad, 0xbe, 0xef]);
    const data = new Uint8Array([...lead, ...coded, ...trail]);
    const r = decodePage(data, { scheme: 'mh', width: 1728 });
    assert.equal(r.endedWith, 'rtc');
    assert.equal(r.badLines, 0);
    assert.equal(firstDifference(page, r.bitmap)?.message, undefined);
  });
});

describe('limits and options', () => {
  it('unusable options throw T4DecodeError T4_BAD_OPTIONS', () => {
    const bad: DecodeOptions[] = [
      { scheme: 'mh', width: 0 },
      { scheme: 'mh', width: 70000 },
      { scheme: 'mh', width: 1.5 },
      { scheme: 'mr', width: 1728, eol: false },
      { scheme: 'mmr', width: 1728, height: 100, maxLines: 50 },
      { scheme: 'mmr', width: 1728, maxLines: -1 },
      { scheme: 'mmr', width: 60000, maxLines: 1e9 },
      { scheme: 'mh', width: 1728, height: 5e6, maxLines: 1e7 },
      { scheme: 'jbig' as never, width: 1728 },
    ];
    for (const o of bad) {
      assert.throws(
        () => decodePage(new Uint8Array(10), o),
        (e: unknown) => e instanceof T4DecodeError && e.code === 'T4_BAD_OPTIONS',
        JSON.stringify(o),
      );
    }
  });

  it('random bit flips: counters consistent, never more rows than the limit, fast', () => {
    const page = textPage(1728, 150, 13);
    const r = rng(5);
    const schemes: EncodeOptions[] = [{ scheme: 'mh' }, { scheme: 'mr', k: 4 }, { scheme: 'mmr' }];
    const t0 = performance.now();
    for (const enc of schemes) {
      const coded = encodePage(page, enc);
      for (let trial = 0; trial < 40; trial++) {
        const data = coded.slice();
        const flips = 1 + Math.floor(r() * 20);
        for (let f = 0; f < flips; f++) data[Math.floor(r() * data.length)]! ^= 0x80 >>> Math.floor(r() * 8);
        const res = decodePage(data, { scheme: enc.scheme, width: 1728, maxLines: 400 });
        assert.ok(res.lines <= 400);
        assert.ok(res.repairedLines <= res.badLines);
        assert.ok(res.consecutiveBadLinesMax <= res.badLines);
        assert.equal(res.bitmap.data.length, res.bitmap.height * res.bitmap.rowBytes);
        // each flip costs a few rows at most, never the rest of the page
        if (enc.scheme !== 'mmr') assert.ok(res.lines >= 150 - 4 * flips, `${enc.scheme}: ${res.lines} rows survive ${flips} flips`);
      }
    }
    assert.ok(performance.now() - t0 < 10000);
  });
});
