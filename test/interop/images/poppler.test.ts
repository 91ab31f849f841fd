/**
 * Poppler as the reference PDF reader. `pdfimages -tiff` runs Poppler's own CCITTFaxDecode
 * and writes the pixels uncompressed; we read those back and compare with the source
 * bitmaps. `pdfinfo` gives the page sizes, `pdftoppm` must render each page at the size
 * its resolution implies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFaxPdf } from '../../../protocols/pdf/index.ts';
import type { FaxPdfPage } from '../../../protocols/pdf/index.ts';
import { encodePage, firstDifference, getPixel } from '../../../protocols/t4/index.ts';
import type { Bitmap } from '../../../protocols/t4/index.ts';
import { readTiff, decodeTiffPage, tiffPageCoded, writeTiff } from '../../../protocols/tiff/index.ts';
import { faxWidths, ghostscriptTextPage, pageSet, parsePbm } from '../../support/pages.ts';
import type { NamedPage } from '../../support/pages.ts';
import { have, run, scratch } from './tools.ts';

const skip = have('pdfimages') && have('pdfinfo') && have('pdftoppm') ? false : 'poppler-utils not installed';

type Coding = 'mh' | 'mh-aligned' | 'mr' | 'mmr' | 'rle';
const codings: readonly Coding[] = ['mh', 'mh-aligned', 'mr', 'mmr', 'rle'];
const resolutions: readonly [number, number][] = [
  [204, 98],
  [204, 196],
  [204, 391],
  [300, 300],
];

/** A page coded as T.30 or a TIFF would hold it, described for the PDF writer. */
function codedPage(b: Bitmap, coding: Coding, [xDpi, yDpi]: [number, number]): FaxPdfPage {
  const base = { width: b.width, height: b.height, xDpi, yDpi };
  switch (coding) {
    case 'mh':
      return { ...base, k: 0, ccitt: encodePage(b, { scheme: 'mh' }) };
    case 'mh-aligned':
      return { ...base, k: 0, ccitt: encodePage(b, { scheme: 'mh', alignEol: true, rtc: false }) };
    case 'mr':
      return { ...base, k: 4, ccitt: encodePage(b, { scheme: 'mr', k: 4 }) };
    case 'mmr':
      return { ...base, k: -1, ccitt: encodePage(b, { scheme: 'mmr' }) };
    case 'rle':
      return { ...base, k: 0, endOfLine: false, encodedByteAlign: true, ccitt: encodePage(b, { scheme: 'mh', eol: false, byteAlignRows: true, rtc: false }) };
  }
}

let cached: NamedPage[] | undefined;
function pages(): NamedPage[] {
  if (cached === undefined) {
    cached = faxWidths.flatMap((w) => pageSet(w, 120));
    if (have('gs')) cached.push({ name: 'gs-text-1728x2200', bitmap: ghostscriptTextPage(1728, 2200, 204, 196) });
  }
  return cached;
}

/** Poppler's decode of every image in the PDF, in page order. */
function imagesViaPoppler(pdf: string, dir: string): Bitmap[] {
  run('pdfimages', ['-tiff', pdf, join(dir, 'img')]);
  const files = readdirSync(dir)
    .filter((f) => /^img-\d+\.tif$/.test(f))
    .sort();
  return files.map((f) => {
    const bytes = new Uint8Array(readFileSync(join(dir, f)));
    const file = readTiff(bytes);
    assert.equal(file.pages.length, 1);
    return decodeTiffPage(bytes, file.pages[0]!);
  });
}

/** Page sizes in points from pdfinfo. */
function pageSizes(pdf: string, n: number): [number, number][] {
  const out = run('pdfinfo', ['-f', '1', '-l', String(n), pdf]).stdout;
  return [...out.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m) => [Number(m[1]), Number(m[2])]);
}

test('Poppler decodes every page of our PDF to the source pixels (MH, MH aligned, MR, MMR, RLE)', { skip }, () => {
  const dir = scratch('pdf-pixels');
  const ps = pages();
  const pdfPages = ps.map((p, i) => codedPage(p.bitmap, codings[i % codings.length]!, resolutions[i % resolutions.length]!));
  const pdf = join(dir, 'fax.pdf');
  writeFileSync(pdf, writeFaxPdf(pdfPages));
  const images = imagesViaPoppler(pdf, dir);
  assert.equal(images.length, ps.length);
  ps.forEach((p, i) => {
    const d = firstDifference(images[i]!, p.bitmap);
    assert.equal(d, undefined, `page ${i + 1} (${p.name}, ${codings[i % codings.length]}): ${d?.message}`);
  });
  const sizes = pageSizes(pdf, ps.length);
  assert.equal(sizes.length, ps.length);
  pdfPages.forEach((p, i) => {
    const [w, h] = sizes[i]!;
    assert.ok(Math.abs(w - (p.width * 72) / p.xDpi) < 0.01 && Math.abs(h - (p.height * 72) / p.yDpi) < 0.01, `page ${i + 1} size ${w} x ${h}`);
  });
});

test('a 1728-pixel page at 204 dpi is 609.9 pt wide', { skip }, () => {
  const dir = scratch('pdf-a4');
  const b = ps1728();
  const pdf = join(dir, 'a4.pdf');
  writeFileSync(pdf, writeFaxPdf([codedPage(b, 'mmr', [204, 196])]));
  const [[w, h]] = pageSizes(pdf, 1) as [[number, number]];
  assert.equal(w.toFixed(1), '609.9');
  assert.equal(h.toFixed(1), ((b.height * 72) / 196).toFixed(1));
});

function ps1728(): Bitmap {
  return pages().find((p) => p.name === 'text-1728')!.bitmap;
}

test('pdftoppm renders pages at the size their resolution implies', { skip }, () => {
  const dir = scratch('pdf-render');
  const sel = pages().filter((p) => /^(text-(1728|2432|1000)|gs-text|white-1728|black-2048)/.test(p.name));
  const res = (i: number): [number, number] => resolutions[i % resolutions.length]!;
  const pdfPages = sel.map((p, i) => codedPage(p.bitmap, codings[i % codings.length]!, res(i)));
  const pdf = join(dir, 'fax.pdf');
  writeFileSync(pdf, writeFaxPdf(pdfPages));
  sel.forEach((p, i) => {
    const [xDpi, yDpi] = res(i);
    const prefix = join(dir, `r${i}`);
    const r = run('pdftoppm', ['-f', String(i + 1), '-l', String(i + 1), '-rx', String(xDpi), '-ry', String(yDpi), '-mono', '-singlefile', pdf, prefix]);
    assert.equal(r.stderr.trim(), '', `pdftoppm page ${i + 1}`);
    const raster = parsePbm(new Uint8Array(readFileSync(`${prefix}.pbm`)));
    // Poppler rounds the page size up to whole pixels.
    assert.ok(raster.width - p.bitmap.width >= 0 && raster.width - p.bitmap.width <= 1, `${p.name} rendered width ${raster.width}`);
    assert.ok(raster.height - p.bitmap.height >= 0 && raster.height - p.bitmap.height <= 1, `${p.name} rendered height ${raster.height}`);
    // Rendering resamples, so compare ink rather than pixels: a page drawn blank, inverted
    // or garbled is far off; the right page is within a few per cent.
    const ink = (b: Bitmap): number => {
      let n = 0;
      for (let y = 0; y < p.bitmap.height; y++) for (let x = 0; x < p.bitmap.width; x++) n += getPixel(b, x, y);
      return n / (p.bitmap.width * p.bitmap.height);
    };
    const [a, b] = [ink(raster), ink(p.bitmap)];
    assert.ok(Math.abs(a - b) <= 0.01 + 0.2 * b, `${p.name}: rendered ink ${a.toFixed(4)}, source ${b.toFixed(4)}`);
  });
});

test('G3/G4 pages from libtiff TIFFs go into the PDF without re-encoding', { skip: skip || (have('tiffcp') ? false : 'libtiff-tools not installed') }, () => {
  const dir = scratch('pdf-from-tiff');
  const sel = pages().filter((p) => /^(text|halftone|pixel|runs)-(1728|13)$/.test(p.name) || p.name.startsWith('gs-text'));
  const src = join(dir, 'src.tif');
  writeFileSync(src, writeTiff(sel.map((p) => ({ bitmap: p.bitmap, xRes: 204, yRes: 196 })), { compression: 'none' }));
  const variants = [
    ['-c', 'g3:1d'],
    ['-c', 'g3:2d:fill'],
    ['-c', 'g4'],
    ['-f', 'lsb2msb', '-c', 'g3:2d'],
  ];
  for (const args of variants) {
    const tif = join(dir, 'libtiff.tif');
    run('tiffcp', [...args, '-r', '100000', src, tif]);
    const bytes = new Uint8Array(readFileSync(tif));
    const pdfPages: FaxPdfPage[] = readTiff(bytes).pages.map((p) => {
      const coded = tiffPageCoded(bytes, p);
      assert.ok(coded, `page ${p.index + 1} is CCITT`);
      return { width: coded.width, height: coded.height, xDpi: p.xDpi ?? 204, yDpi: p.yDpi ?? 196, ccitt: coded.data, k: coded.k, endOfLine: coded.eol, encodedByteAlign: coded.byteAlignRows, blackIs1: coded.blackIs1 };
    });
    const pdf = join(dir, 'fax.pdf');
    writeFileSync(pdf, writeFaxPdf(pdfPages));
    const out = scratch(`pdf-from-tiff-img`);
    const images = imagesViaPoppler(pdf, out);
    sel.forEach((p, i) => {
      const d = firstDifference(images[i]!, p.bitmap);
      assert.equal(d, undefined, `${args.join(' ')} page ${i + 1} (${p.name}): ${d?.message}`);
    });
  }
});
