/**
 * Damaged and foreign files: what libtiff writes but we do not read (deflate, tiles) gives
 * the right TiffError; libtiff's G3/G4 files with flipped bits, cut short or with bad
 * offsets give a TiffError or pages whose damaged rows are counted, never another
 * exception. Also CCITT RLE (compression 2), which tiffcp cannot write but reads: our
 * coding of it must decode in libtiff to the source pixels.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { T4DecodeError, encodePage, firstDifference } from '../../../protocols/t4/index.ts';
import { TiffError, decodeTiffPage, decodeTiffPageWithReport, readTiff, writeTiff } from '../../../protocols/tiff/index.ts';
import { halftonePage, prng, textPage, runLengthsPage, singlePixelPage } from '../../support/pages.ts';
import { have, run, scratch } from './tools.ts';

const skip = have('tiffcp') ? false : 'libtiff-tools not installed';
const sources = [textPage(1728, 200, 3), halftonePage(1728, 100), textPage(1000, 120, 4)];

function libtiffFile(dir: string, args: string[]): Uint8Array {
  const src = join(dir, 'src.tif');
  const out = join(dir, 'out.tif');
  writeFileSync(src, writeTiff(sources.map((bitmap) => ({ bitmap, xRes: 204, yRes: 196 })), { compression: 'none' }));
  run('tiffcp', [...args, src, out]);
  return new Uint8Array(readFileSync(out));
}

test('deflate and tiled files from libtiff are refused with their codes', { skip }, () => {
  const dir = scratch('foreign');
  assert.throws(() => readTiff(libtiffFile(dir, ['-c', 'zip'])), (e) => e instanceof TiffError && e.code === 'TIFF_UNSUPPORTED_COMPRESSION' && /deflate/.test(e.message));
  assert.throws(() => readTiff(libtiffFile(dir, ['-t', '-w', '64', '-l', '64', '-c', 'g4'])), (e) => e instanceof TiffError && e.code === 'TIFF_TILED');
});

test('CCITT RLE (compression 2) as we code it decodes in libtiff to the source', { skip }, () => {
  const dir = scratch('rle');
  const pages = [textPage(1728, 100), runLengthsPage(13, 30), singlePixelPage(1000, 9), halftonePage(2432, 40)];
  // Start from our MH file and swap each strip for RLE data and Compression 3 for 2.
  const strips = pages.map((b) => encodePage(b, { scheme: 'mh', eol: false, byteAlignRows: true, rtc: false }));
  const file = rleTiff(pages.map((b, i) => ({ width: b.width, height: b.height, strip: strips[i]! })));
  const path = join(dir, 'rle.tif');
  writeFileSync(path, file);
  const ours = readTiff(file);
  assert.ok(ours.pages.every((p) => p.compressionName === 'ccitt-rle'));
  ours.pages.forEach((p, i) => assert.equal(firstDifference(decodeTiffPage(file, p), pages[i]!), undefined, `ours, page ${i + 1}`));
  run('tiffcp', ['-c', 'none', path, join(dir, 'plain.tif')]);
  const plain = new Uint8Array(readFileSync(join(dir, 'plain.tif')));
  readTiff(plain).pages.forEach((p, i) => {
    const d = firstDifference(decodeTiffPage(plain, p), pages[i]!);
    assert.equal(d, undefined, `libtiff, page ${i + 1}: ${d?.message}`);
  });
});

/** A minimal little-endian TIFF with compression 2 pages, one strip each. */
function rleTiff(pages: { width: number; height: number; strip: Uint8Array }[]): Uint8Array {
  const parts: number[] = [0x49, 0x49, 42, 0, 0, 0, 0, 0];
  const u16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
  const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  let prevNextAt = 4;
  for (const p of pages) {
    const stripAt = parts.length;
    parts.push(...p.strip);
    if (parts.length & 1) parts.push(0);
    const ifdAt = parts.length;
    parts.splice(prevNextAt, 4, ...u32(ifdAt));
    const entries: [number, number, number][] = [
      [256, 4, p.width],
      [257, 4, p.height],
      [258, 3, 1],
      [259, 3, 2],
      [262, 3, 0],
      [273, 4, stripAt],
      [277, 3, 1],
      [278, 4, p.height],
      [279, 4, p.strip.length],
    ];
    parts.push(...u16(entries.length));
    for (const [tag, type, v] of entries) parts.push(...u16(tag), ...u16(type), ...u32(1), ...(type === 3 ? [...u16(v), 0, 0] : u32(v)));
    prevNextAt = parts.length;
    parts.push(0, 0, 0, 0);
  }
  return new Uint8Array(parts);
}

/** Every outcome must be a TiffError, or decoded pages; the count of each is returned. */
function survive(bytes: Uint8Array): 'error' | { badLines: number } {
  try {
    const file = readTiff(bytes);
    let badLines = 0;
    for (const p of file.pages) badLines += decodeTiffPageWithReport(bytes, p).badLines;
    return { badLines };
  } catch (err) {
    if (err instanceof TiffError || err instanceof T4DecodeError) return 'error';
    throw err;
  }
}

for (const [name, args] of [
  ['g3:1d', ['-c', 'g3:1d']],
  ['g3:2d:fill', ['-c', 'g3:2d:fill']],
  ['g4', ['-c', 'g4']],
  ['lzw', ['-c', 'lzw']],
  ['packbits', ['-c', 'packbits']],
] as const) {
  test(`damaged libtiff ${name} files: TiffError or damaged rows reported`, { skip }, () => {
    const dir = scratch(`damaged-${name.replace(/:/g, '-')}`);
    const good = libtiffFile(dir, [...args, '-r', '100000']);
    const file = readTiff(good);
    const rnd = prng(name.length * 31);
    let reported = 0;
    let trials = 0;
    // Bit flips inside the coded data: the codec must notice some of them.
    for (let t = 0; t < 40; t++) {
      const b = good.slice();
      const page = file.pages[t % file.pages.length]!;
      const s = page.strips[0]!;
      for (let k = 0; k < 3; k++) b[s.offset + Math.floor(rnd() * s.byteCount)]! ^= 1 << Math.floor(rnd() * 8);
      const r = survive(b);
      trials++;
      if (r === 'error' || r.badLines > 0) reported++;
    }
    if (name.startsWith('g')) assert.ok(reported >= trials / 2, `${name}: ${reported}/${trials} bit-flipped files reported damage`);
    // Truncation: strips cut short lose rows, and say so.
    const lastStrip = file.pages.at(-1)!.strips[0]!;
    const cutAt = lastStrip.offset + (lastStrip.byteCount >> 1);
    const truncated = good.slice(0, cutAt);
    assert.equal(survive(truncated), 'error', 'StripByteCounts past the end of the file');
    // The same damage with the byte count adjusted to what is left: rows are missing.
    const shortened = good.slice();
    const ifd = file.pages.at(-1)!.ifdOffset;
    const dv = new DataView(shortened.buffer);
    for (let e = 0; e < dv.getUint16(ifd, true); e++) {
      const at = ifd + 2 + e * 12;
      if (dv.getUint16(at, true) === 279) dv.setUint32(at + 8, lastStrip.byteCount >> 1, true);
    }
    const r = survive(shortened);
    assert.ok(r !== 'error' && r.badLines > 0, `${name}: half a strip gives missing rows (${JSON.stringify(r)})`);
    // Bad offsets everywhere in every IFD entry value: only TiffErrors or decoded pages.
    for (const p of file.pages) {
      const n = new DataView(good.buffer).getUint16(p.ifdOffset, true);
      for (let e = 0; e < n; e++) {
        for (const v of [0, good.length, 0xffffffff, 1]) {
          const b = good.slice();
          new DataView(b.buffer).setUint32(p.ifdOffset + 2 + e * 12 + 8, v, true);
          survive(b);
        }
      }
    }
  });
}
