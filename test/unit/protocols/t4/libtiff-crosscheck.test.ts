/**
 * Our coded data through libtiff's decoder, and libtiff's coded data through ours, pixel for
 * pixel (tiffcp from libtiff-tools; skipped when it is missing). One strip per page: libtiff
 * codes each strip on its own, a TIFF reader must decode strips separately.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Bitmap, DecodeOptions, EncodeOptions } from '../../../../protocols/t4/index.ts';
import { decodePage, encodePage, firstDifference } from '../../../../protocols/t4/index.ts';
import { readMiniTiff, writeMiniTiff } from './mini-tiff.ts';
import { ditherPage, runsPage, textPage } from './pages.ts';

function hasTiffcp(): boolean {
  try {
    execFileSync('tiffcp', [], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // tiffcp without arguments prints usage and exits 1: present
    return (e as { status?: number }).status === 1;
  }
}

const skip = hasTiffcp() ? false : 'tiffcp (libtiff-tools) not installed';
const dir = mkdtempSync(join(tmpdir(), 't4-libtiff-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const pages: Bitmap[] = [textPage(1728, 300, 21), runsPage(37, 50, 22), runsPage(5000, 40, 23, 300), ditherPage(2048, 60, 24)];

function asBitmap(p: { width: number; height: number; photometric: number; data: Uint8Array }): Bitmap {
  // libtiff keeps our WhiteIsZero; invert if it ever chose BlackIsZero
  const data = p.photometric === 0 ? p.data : p.data.map((b) => ~b & 0xff);
  return { width: p.width, height: p.height, rowBytes: (p.width + 7) >>> 3, data };
}

describe('libtiff cross-check', { skip }, () => {
  const ours: Array<{ name: string; compression: 2 | 3 | 4; t4Options: number; enc: EncodeOptions }> = [
    { name: 'G3 1-D', compression: 3, t4Options: 0, enc: { scheme: 'mh', rtc: false } },
    { name: 'G3 1-D aligned EOL', compression: 3, t4Options: 4, enc: { scheme: 'mh', rtc: false, alignEol: true } },
    { name: 'G3 2-D K=4 with RTC', compression: 3, t4Options: 1, enc: { scheme: 'mr', k: 4 } },
    { name: 'CCITT RLE', compression: 2, t4Options: 0, enc: { scheme: 'mh', eol: false, byteAlignRows: true } },
    { name: 'G4', compression: 4, t4Options: 0, enc: { scheme: 'mmr' } },
  ];
  for (const v of ours) {
    it(`libtiff decodes our ${v.name}`, () => {
      const src = join(dir, `ours-${v.compression}-${v.t4Options}.tif`);
      const out = join(dir, `ours-${v.compression}-${v.t4Options}-raw.tif`);
      writeFileSync(
        src,
        writeMiniTiff(pages.map((p) => ({ ...p, compression: v.compression, t4Options: v.t4Options, data: encodePage(p, v.enc) }))),
      );
      execFileSync('tiffcp', ['-c', 'none', src, out], { stdio: 'pipe' });
      const back = readMiniTiff(readFileSync(out));
      assert.equal(back.length, pages.length);
      back.forEach((p, i) => assert.equal(firstDifference(pages[i] as Bitmap, asBitmap(p))?.message, undefined, `page ${i}`));
    });
  }

  const theirs: Array<{ codec: string; dec: Omit<DecodeOptions, 'width'> }> = [
    { codec: 'g3:1d', dec: { scheme: 'mh' } },
    { codec: 'g3:1d:fill', dec: { scheme: 'mh' } },
    { codec: 'g3:2d', dec: { scheme: 'mr' } },
    { codec: 'g4', dec: { scheme: 'mmr' } },
  ];
  for (const v of theirs) {
    it(`we decode libtiff's ${v.codec}`, () => {
      const src = join(dir, 'raw.tif');
      const out = join(dir, `lt-${v.codec.replace(/:/g, '-')}.tif`);
      writeFileSync(src, writeMiniTiff(pages.map((p) => ({ ...p, compression: 1 }))));
      execFileSync('tiffcp', ['-r', '100000', '-c', v.codec, src, out], { stdio: 'pipe' });
      readMiniTiff(readFileSync(out)).forEach((p, i) => {
        const r = decodePage(p.data, { ...v.dec, width: p.width, height: p.height });
        assert.equal(r.badLines, 0);
        assert.equal(firstDifference(pages[i] as Bitmap, r.bitmap)?.message, undefined, `page ${i}`);
      });
    });
  }

  it('our MH and MMR coding is bit-identical to libtiff (both follow the T.4 procedure exactly)', () => {
    const src = join(dir, 'raw1.tif');
    writeFileSync(src, writeMiniTiff(pages.map((p) => ({ ...p, compression: 1 }))));
    for (const [codec, enc] of [
      ['g3:1d', { scheme: 'mh', rtc: false }],
      ['g4', { scheme: 'mmr' }],
    ] as const) {
      const out = join(dir, `same-${codec}.tif`);
      execFileSync('tiffcp', ['-r', '100000', '-c', codec, src, out], { stdio: 'pipe' });
      readMiniTiff(readFileSync(out)).forEach((p, i) => {
        assert.deepEqual(encodePage(pages[i] as Bitmap, enc), p.data, `${codec} page ${i}`);
      });
    }
  });
});
