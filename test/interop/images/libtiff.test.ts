/**
 * libtiff as the reference TIFF implementation: it must read every file we write with the
 * same pixels, and we must read what it writes (G3 1-D/2-D with and without fill bits, G4,
 * LZW, PackBits, both byte orders, both fill orders, several strips) with the same pixels.
 *
 * Pixels from libtiff are obtained by `tiffcp -c none` (libtiff decodes, we only copy
 * uncompressed rows); `tiffinfo -D` must decode our files without a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTiff, decodeTiffPage, decodeTiffPageWithReport, tiffPageStrips, writeTiff } from '../../../protocols/tiff/index.ts';
import type { TiffWritePage } from '../../../protocols/tiff/index.ts';
import type { Bitmap } from '../../../protocols/t4/index.ts';
import { firstDifference } from '../../../protocols/t4/index.ts';
import { faxWidths, ghostscriptTextPage, pageSet } from '../../support/pages.ts';
import type { NamedPage } from '../../support/pages.ts';
import { have, run, scratch } from './tools.ts';

const skip = have('tiffcp') && have('tiffinfo') ? false : 'libtiff-tools not installed';
const HEIGHT = 160;

let cached: NamedPage[] | undefined;
function pages(): NamedPage[] {
  if (cached === undefined) {
    cached = faxWidths.flatMap((w) => pageSet(w, HEIGHT));
    if (have('gs')) cached.push({ name: 'gs-text-1728x2200', bitmap: ghostscriptTextPage(1728, 2200, 204, 196) });
  }
  return cached;
}
const maxHeight = (): number => Math.max(...pages().map((p) => p.bitmap.height));

const asWritePages = (ps: readonly NamedPage[]): TiffWritePage[] => ps.map((p) => ({ bitmap: p.bitmap, xRes: 204, yRes: 196 }));

/** libtiff's decode of every page, via an uncompressed copy. */
function pixelsViaLibtiff(file: string, dir: string): Bitmap[] {
  const plain = join(dir, 'libtiff-plain.tif');
  run('tiffcp', ['-c', 'none', file, plain]);
  const bytes = new Uint8Array(readFileSync(plain));
  return readTiff(bytes).pages.map((p) => {
    assert.equal(p.compressionName, 'none');
    return decodeTiffPage(bytes, p);
  });
}

function assertSamePages(actual: readonly Bitmap[], expected: readonly NamedPage[], label: string): void {
  assert.equal(actual.length, expected.length, `${label}: page count`);
  expected.forEach((e, i) => {
    const d = firstDifference(actual[i]!, e.bitmap);
    assert.equal(d, undefined, `${label}, page ${i + 1} (${e.name}): ${d?.message}`);
  });
}

/**
 * libtiff's MH reader fails ("Fax3Decode1D: Buffer overflow at line 0") on rows of
 * one-pixel runs at 1728 pixels and wider, also on files libtiff itself wrote. For those
 * pages we check that our MH bytes equal libtiff's own encoding instead.
 */
const libtiffMhUnreadable = (p: NamedPage): boolean => /^(checker|vstripes)-(1728|2048|2432)$/.test(p.name);

for (const compression of ['none', 'packbits', 'mh', 'mr', 'mmr'] as const) {
  test(`libtiff reads our ${compression} TIFF pixel-identically`, { skip }, () => {
    const dir = scratch(`ours-${compression}`);
    const file = join(dir, 'ours.tif');
    const sel = compression === 'mh' ? pages().filter((p) => !libtiffMhUnreadable(p)) : pages();
    writeFileSync(file, writeTiff(asWritePages(sel), { compression, software: 'faxgate interop' }));
    const info = run('tiffinfo', ['-D', file]);
    assert.equal(info.stderr.trim(), '', 'tiffinfo -D warnings');
    assertSamePages(pixelsViaLibtiff(file, dir), sel, compression);
  });
}

test('our MH equals libtiff\'s own g3:1d:fill bytes on the pages libtiff cannot decode', { skip }, () => {
  const dir = scratch('mh-bytes');
  const sel = pages().filter(libtiffMhUnreadable);
  assert.ok(sel.length > 0);
  const src = join(dir, 'src.tif');
  const out = join(dir, 'libtiff.tif');
  writeFileSync(src, writeTiff(asWritePages(sel), { compression: 'none' }));
  run('tiffcp', ['-c', 'g3:1d:fill', '-r', String(maxHeight()), src, out]);
  const theirs = new Uint8Array(readFileSync(out));
  const ours = writeTiff(asWritePages(sel), { compression: 'mh' });
  const ourPages = readTiff(ours).pages;
  readTiff(theirs).pages.forEach((p, i) => {
    assert.deepEqual(Buffer.from(tiffPageStrips(ours, ourPages[i]!)[0]!), Buffer.from(tiffPageStrips(theirs, p)[0]!), sel[i]!.name);
  });
});

/** tiffcp options -> what our reader must report. */
const libtiffVariants: { args: string[]; name: string; compression: string; only?: (p: NamedPage) => boolean }[] = [
  { name: 'g3:1d', args: ['-c', 'g3:1d'], compression: 'g3' },
  { name: 'g3:2d', args: ['-c', 'g3:2d'], compression: 'g3' },
  { name: 'g3:1d:fill', args: ['-c', 'g3:1d:fill'], compression: 'g3' },
  { name: 'g3:2d:fill', args: ['-c', 'g3:2d:fill'], compression: 'g3' },
  { name: 'g4', args: ['-c', 'g4'], compression: 'g4' },
  { name: 'lzw', args: ['-c', 'lzw'], compression: 'lzw' },
  { name: 'packbits', args: ['-c', 'packbits'], compression: 'packbits' },
  { name: 'g4 big-endian', args: ['-B', '-c', 'g4'], compression: 'g4' },
  { name: 'g3:2d big-endian', args: ['-B', '-c', 'g3:2d'], compression: 'g3' },
  { name: 'lzw big-endian', args: ['-B', '-c', 'lzw'], compression: 'lzw' },
  { name: 'g3:1d lsb2msb', args: ['-f', 'lsb2msb', '-c', 'g3:1d'], compression: 'g3' },
  { name: 'g4 lsb2msb', args: ['-f', 'lsb2msb', '-c', 'g4'], compression: 'g4' },
  { name: 'none lsb2msb', args: ['-f', 'lsb2msb', '-c', 'none'], compression: 'none' },
];

for (const v of libtiffVariants) {
  test(`we read libtiff's ${v.name} pixel-identically`, { skip }, () => {
    const dir = scratch(`libtiff-${v.name.replace(/[^a-z0-9]+/gi, '-')}`);
    const src = join(dir, 'src.tif');
    const out = join(dir, 'libtiff.tif');
    writeFileSync(src, writeTiff(asWritePages(pages()), { compression: 'none' }));
    // One strip per page: tiffcp's small MH strips of dense dithered pages are broken.
    run('tiffcp', [...v.args, '-r', String(maxHeight()), src, out]);
    const bytes = new Uint8Array(readFileSync(out));
    const file = readTiff(bytes);
    assert.equal(file.pages.length, pages().length);
    const decoded = file.pages.map((p) => {
      assert.equal(p.compressionName, v.compression);
      const r = decodeTiffPageWithReport(bytes, p);
      assert.equal(r.badLines, 0, `${v.name} page ${p.index + 1}: bad lines`);
      return r.bitmap;
    });
    assertSamePages(decoded, pages(), v.name);
  });
}

for (const c of ['g3:1d', 'g3:2d:fill', 'g4', 'lzw', 'packbits', 'none']) {
  test(`we read libtiff's ${c} in strips of 16 rows`, { skip }, () => {
    const dir = scratch(`strips-${c.replace(/:/g, '-')}`);
    // Sparse pages only for the CCITT schemes (see the note on tiffcp above).
    const ccitt = c.startsWith('g');
    const sel = pages().filter((p) => !ccitt || /^(text|white|black|pixel|hstripes|gs-text)/.test(p.name));
    const src = join(dir, 'src.tif');
    const out = join(dir, 'libtiff.tif');
    writeFileSync(src, writeTiff(asWritePages(sel), { compression: 'none' }));
    run('tiffcp', ['-c', c, '-r', '16', src, out]);
    const bytes = new Uint8Array(readFileSync(out));
    const file = readTiff(bytes);
    assert.ok(file.pages.every((p) => p.strips.length === Math.ceil(p.height / 16)));
    assertSamePages(file.pages.map((p) => decodeTiffPage(bytes, p)), sel, `${c} strips`);
  });
}

test('BlackIsZero pages: libtiff and we agree on what is black', { skip }, () => {
  const dir = scratch('min-is-black');
  const sel = pages().filter((p) => /^(text|halftone|pixel)-(1728|13)$/.test(p.name));
  // Our uncompressed file, rewritten as PhotometricInterpretation 1 with inverted bits.
  const ours = writeTiff(asWritePages(sel), { compression: 'none' });
  const file = readTiff(ours);
  const flipped = ours.slice();
  for (const p of file.pages) {
    for (const s of p.strips) for (let i = s.offset; i < s.offset + s.byteCount; i++) flipped[i] = ~flipped[i]! & 0xff;
    const dv = new DataView(flipped.buffer);
    const n = dv.getUint16(p.ifdOffset, true);
    for (let e = 0; e < n; e++) if (dv.getUint16(p.ifdOffset + 2 + e * 12, true) === 262) dv.setUint16(p.ifdOffset + 10 + e * 12, 1, true);
  }
  const src = join(dir, 'src.tif');
  writeFileSync(src, flipped);
  for (const c of ['g4', 'g3:2d', 'none']) {
    const out = join(dir, `${c.replace(/:/g, '-')}.tif`);
    run('tiffcp', ['-c', c, '-r', String(maxHeight()), src, out]);
    const bytes = new Uint8Array(readFileSync(out));
    const pagesRead = readTiff(bytes).pages;
    assert.ok(pagesRead.every((p) => p.photometric === 1));
    assertSamePages(pagesRead.map((p) => decodeTiffPage(bytes, p)), sel, `min-is-black ${c}`);
  }
});
