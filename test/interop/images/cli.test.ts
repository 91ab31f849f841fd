/**
 * `faxgate image` end to end, through bin/faxgate.mjs as a user runs it, on files libtiff
 * wrote; outputs checked with libtiff and Poppler.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { createBitmap, firstDifference } from '../../../protocols/t4/index.ts';
import type { Bitmap } from '../../../protocols/t4/index.ts';
import { decodeTiffPage, readTiff, tiffPageStrips, writeTiff } from '../../../protocols/tiff/index.ts';
import { halftonePage, singlePixelPage, textPage } from '../../support/pages.ts';
import { have, run, scratch } from './tools.ts';

const bin = fileURLToPath(new URL('../../../bin/faxgate.mjs', import.meta.url));
const skip = have('tiffcp') && have('pdfimages') ? false : 'libtiff-tools and poppler-utils needed';

function faxgate(cwd: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'image', ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const sources: Bitmap[] = [textPage(1728, 300, 5), halftonePage(1728, 150), singlePixelPage(1000, 20), textPage(13, 40)];

/** A 4-page G4 TIFF written by libtiff, at 204 x 196 dpi. */
function libtiffG4(dir: string): string {
  const src = join(dir, 'src.tif');
  writeFileSync(src, writeTiff(sources.map((bitmap) => ({ bitmap, xRes: 204, yRes: 196 })), { compression: 'none' }));
  const out = join(dir, 'in.tif');
  run('tiffcp', ['-c', 'g4', '-r', '100000', src, out]);
  return out;
}

test('image info prints every page as JSON', { skip }, () => {
  const dir = scratch('cli-info');
  libtiffG4(dir);
  const r = faxgate(dir, 'info', 'in.tif');
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout) as { pages: Record<string, unknown>[] };
  assert.equal(info.pages.length, sources.length);
  info.pages.forEach((p, i) => {
    assert.deepEqual(
      [p.page, p.width, p.height, p.xRes, p.yRes, p.compression, p.photometric, p.fillOrder],
      [i + 1, sources[i]!.width, sources[i]!.height, 204, 196, 'g4', 'min-is-white', 1],
    );
    assert.ok(typeof p.bytes === 'number' && p.bytes > 0);
  });
});

test('image convert to PDF keeps the G4 data as coded, and Poppler gets the pixels back', { skip }, () => {
  const dir = scratch('cli-pdf');
  const tif = libtiffG4(dir);
  const r = faxgate(dir, 'convert', 'in.tif', 'out.pdf');
  assert.equal(r.status, 0, r.stderr);
  const pdf = readFileSync(join(dir, 'out.pdf'));
  const bytes = new Uint8Array(readFileSync(tif));
  for (const p of readTiff(bytes).pages) {
    assert.ok(pdf.includes(Buffer.from(tiffPageStrips(bytes, p)[0]!)), `page ${p.index + 1} strip embedded verbatim`);
  }
  run('pdfimages', ['-tiff', join(dir, 'out.pdf'), join(dir, 'img')]);
  const images = readdirSync(dir).filter((f) => /^img-\d+\.tif$/.test(f)).sort();
  assert.equal(images.length, sources.length);
  images.forEach((f, i) => {
    const b = new Uint8Array(readFileSync(join(dir, f)));
    const d = firstDifference(decodeTiffPage(b, readTiff(b).pages[0]!), sources[i]!);
    assert.equal(d, undefined, `page ${i + 1}: ${d?.message}`);
  });
});

test('image convert to TIFF MH and MR: libtiff reads the same pixels', { skip }, () => {
  const dir = scratch('cli-tiff');
  libtiffG4(dir);
  for (const c of ['mh', 'mr', 'packbits']) {
    const r = faxgate(dir, 'convert', 'in.tif', `out-${c}.tiff`, '--compression', c);
    assert.equal(r.status, 0, r.stderr);
    run('tiffcp', ['-c', 'none', join(dir, `out-${c}.tiff`), join(dir, 'plain.tif')]);
    const b = new Uint8Array(readFileSync(join(dir, 'plain.tif')));
    const pages = readTiff(b).pages;
    assert.equal(pages.length, sources.length);
    pages.forEach((p, i) => assert.equal(firstDifference(decodeTiffPage(b, p), sources[i]!), undefined, `${c} page ${i + 1}`));
    const ours = readTiff(new Uint8Array(readFileSync(join(dir, `out-${c}.tiff`)))).pages;
    assert.ok(ours.every((p) => p.compressionName === (c === 'packbits' ? 'packbits' : 'g3') && p.pageNumber?.[1] === sources.length));
  }
});

test('image convert to PNG writes the chosen page', { skip }, () => {
  const dir = scratch('cli-png');
  libtiffG4(dir);
  const r = faxgate(dir, 'convert', 'in.tif', 'p3.png', '--page', '3');
  assert.equal(r.status, 0, r.stderr);
  const d = firstDifference(readPng1(new Uint8Array(readFileSync(join(dir, 'p3.png')))), sources[2]!);
  assert.equal(d, undefined, d?.message);
  const preview = faxgate(dir, 'convert', 'in.tif', 'prev.png', '--preview', '200');
  assert.equal(preview.status, 0, preview.stderr);
  assert.equal(readFileSync(join(dir, 'prev.png')).readUInt32BE(16), 200, 'IHDR width');
});

test('image errors: one line with a code, non-zero exit', { skip }, () => {
  const dir = scratch('cli-errors');
  libtiffG4(dir);
  writeFileSync(join(dir, 'junk.tif'), 'not a tiff at all');
  const cases: [string[], number, RegExp][] = [
    [['info', 'missing.tif'], 1, /^faxgate image: IMAGE_IO_ENOENT /],
    [['info', 'junk.tif'], 1, /^faxgate image: TIFF_BAD_HEADER /],
    [['convert', 'in.tif', 'x.png', '--page', '9'], 1, /^faxgate image: IMAGE_NO_SUCH_PAGE /],
    [['convert', 'in.tif', 'x.pdf', '--compression', 'none'], 2, /--compression for pdf/],
    [['convert', 'in.tif', 'x.bmp'], 2, /cannot tell the format/],
    [['frobnicate'], 2, /unknown subcommand/],
  ];
  for (const [args, status, pattern] of cases) {
    const r = faxgate(dir, ...args);
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temporary files left');
  const help = faxgate(dir, '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /faxgate image convert IN OUT/);
});

/** Reads the 1-bit greyscale, filter-0 PNGs our encoder writes. */
function readPng1(png: Uint8Array): Bitmap {
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (at < png.length) {
    const len = dv.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (type === 'IHDR') {
      width = dv.getUint32(at + 8);
      height = dv.getUint32(at + 12);
      assert.equal(png[at + 16], 1, 'bit depth');
    }
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const b = createBitmap(width, height);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (b.rowBytes + 1)], 0);
    for (let i = 0; i < b.rowBytes; i++) b.data[y * b.rowBytes + i] = ~raw[y * (b.rowBytes + 1) + 1 + i]! & 0xff;
  }
  const tail = width & 7;
  if (tail !== 0) for (let i = b.rowBytes - 1; i < b.data.length; i += b.rowBytes) b.data[i]! &= (0xff00 >> tail) & 0xff;
  return b;
}
