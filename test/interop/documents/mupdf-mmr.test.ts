/**
 * The PDF helper codes its pages as T.6 itself (plugins/documents/pdf/mupdf/mmr.c), so its
 * coder must give exactly the bytes protocols/t4 gives, which the libtiff and SpanDSP tests
 * hold to the standard. Checked three ways:
 * - the coder alone (built here with a small driver, support/mmr-driver.c) on the test pages
 *   of protocols/t4 (text, dither, diffusion, noise, runs past every make-up code, solid,
 *   checkerboard) at widths from 1 to 65535, with garbage in the padding bits;
 * - the helper: each page asked for as MMR equals protocols/t4's coding of the same page asked
 *   for as bits, mono and halftone, with and without header rows put over its top;
 * - the pipeline: a PDF with a header line comes out as the page drawn by the helper with
 *   drawHeader over it, page numbers and all.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { drawHeader, drawHeaderStrip, formatHeader } from '../../../plugins/documents/header/index.ts';
import { openDocuments } from '../../../plugins/documents/pipeline.ts';
import { placeContent } from '../../../plugins/documents/place.ts';
import { pageGeometry } from '../../../plugins/documents/raster/geometry.ts';
import type { Bitmap } from '../../../plugins/documents/raster/types.ts';
import { Semaphore } from '../../../plugins/documents/semaphore.ts';
import { WorkerPool } from '../../../plugins/documents/worker/pool.ts';
import { choosePdfEngine, pdfRasterBinary } from '../../../plugins/documents/pdf/mupdf/engine.ts';
import { PdfRasterHelper } from '../../../plugins/documents/pdf/mupdf/helper.ts';
import type { RasterMode } from '../../../plugins/documents/pdf/mupdf/helper.ts';
import { placementMatrix } from '../../../plugins/documents/pdf/mupdf/matrix.ts';
import { decodePage, encodePage } from '../../../protocols/t4/index.ts';
import { rowBytesFor } from '../../../protocols/t4/bitmap.ts';
import { checkerPage, diffusionPage, ditherPage, noisePage, runsPage, solidPage, textPage } from '../../unit/protocols/t4/pages.ts';
import { textPdf, work } from './support.ts';

const built = choosePdfEngine({}) === 'mupdf';
const opts = { skip: built ? false : 'the MuPDF helper is not built (node scripts/build-native.mjs)' };

const shared = { pool: new WorkerPool(2), converters: new Semaphore(1) };
const helper = new PdfRasterHelper({ binary: pdfRasterBinary });
const savedEngine = process.env['FAXGATE_PDF_RENDERER'];
after(async () => {
  if (savedEngine === undefined) delete process.env['FAXGATE_PDF_RENDERER'];
  else process.env['FAXGATE_PDF_RENDERER'] = savedEngine;
  helper.dispose();
  await shared.pool.close();
  rmSync(work, { recursive: true, force: true });
});

const mmrOf = (b: Bitmap): Uint8Array => encodePage(b, { scheme: 'mmr', eofb: true });

/** Bits past the width set, as a renderer may leave them: the coder must ignore them. */
function withGarbagePadding(b: Bitmap): Bitmap {
  const pad = b.width & 7;
  if (pad === 0) return b;
  const data = b.data.slice();
  for (let y = 0; y < b.height; y++) data[y * b.rowBytes + b.rowBytes - 1]! |= 0xff >>> pad;
  return { ...b, data };
}

test('the helper’s MMR coder gives protocols/t4’s bytes on every kind of page and width', opts, () => {
  const driver = join(work, 'mmr-driver');
  const src = new URL('../../../plugins/documents/pdf/mupdf/mmr.c', import.meta.url).pathname;
  execFileSync('cc', ['-O2', '-o', driver, new URL('./support/mmr-driver.c', import.meta.url).pathname, src]);

  const pages: { name: string; page: Bitmap }[] = [];
  for (const width of [1, 7, 8, 13, 63, 64, 65, 1728, 2048, 2432, 2625, 5300]) {
    const h = width > 2500 ? 24 : 40;
    pages.push(
      { name: `text ${width}`, page: textPage(width, h, width) },
      { name: `dither ${width}`, page: ditherPage(width, h, width + 1) },
      { name: `diffusion ${width}`, page: diffusionPage(width, h, width + 2) },
      { name: `noise ${width}`, page: noisePage(width, h, width + 3) },
      { name: `runs ${width}`, page: runsPage(width, h, width + 4, 900) },
      { name: `black ${width}`, page: solidPage(width, 3, true) },
      { name: `white ${width}`, page: solidPage(width, 3, false) },
      { name: `checker ${width}`, page: checkerPage(width, 4) },
    );
  }
  // The widest line T.4's codes take: runs of 65535 need 25 make-up codes of 2560.
  pages.push({ name: 'black 65535', page: solidPage(65535, 2, true) }, { name: 'noise 65535', page: noisePage(65535, 2, 9) });

  const input = Buffer.concat(pages.flatMap(({ page }) => [Buffer.from(`${page.width} ${page.height}\n`), Buffer.from(withGarbagePadding(page).data)]));
  const out = execFileSync(driver, { input, maxBuffer: 1 << 28 });
  let at = 0;
  for (const { name, page } of pages) {
    const nl = out.indexOf(10, at);
    const n = Number(out.subarray(at, nl).toString());
    const coded = out.subarray(nl + 1, nl + 1 + n);
    at = nl + 1 + n;
    const expected = mmrOf(page);
    assert.ok(Buffer.from(expected).equals(coded), `${name}: ${n} bytes, protocols/t4 ${expected.length}`);
  }
  assert.equal(at, out.length, 'one answer per page');
});

const g = pageGeometry({ paper: 'A4', orientation: 'portrait', resolution: 'fine' });
const rowBytes = rowBytesFor(g.widthPx);

async function draw(id: string, index: number, sizes: readonly { width: number; height: number }[], mode: RasterMode, output: 'bits' | 'mmr', top?: Uint8Array): Promise<Uint8Array> {
  const size = sizes[index]!;
  const place = placeContent({ widthMm: (size.width / 72) * 25.4, heightMm: (size.height / 72) * 25.4 }, g, 'fit');
  return helper.render(id, index, { width: g.widthPx, height: g.heightPx, clip: place, matrix: placementMatrix(size, place), mode, output, top, timeoutMs: 30_000 });
}

test('pages the helper codes are protocols/t4’s coding of the pages it draws, with header rows over the top', opts, async () => {
  const pdf = readFileSync(textPdf('mmr-pages.pdf', 3));
  const { sizes } = await helper.open('mmr', pdf, 30_000);
  const strip = await drawHeaderStrip(g.widthPx, g.heightPx, '宛先：+81312345678 Page: 2/ 3 2026/11/28 12:00', { resolution: 'fine' });
  assert.ok(strip.height > 20 && strip.data.some((b) => b !== 0), 'the header strip has rows and ink');
  for (const mode of ['mono', 'halftone'] as const) {
    for (let i = 0; i < sizes.length; i++) {
      const data = await draw('mmr', i, sizes, mode, 'bits');
      const bits: Bitmap = { width: g.widthPx, height: g.heightPx, rowBytes, data };
      const coded = await draw('mmr', i, sizes, mode, 'mmr');
      assert.ok(Buffer.from(mmrOf(bits)).equals(coded), `${mode} page ${i + 1}`);

      const withTop = await draw('mmr', i, sizes, mode, 'mmr', strip.data);
      const expected = data.slice();
      expected.set(strip.data, 0);
      assert.ok(Buffer.from(mmrOf({ ...bits, data: expected })).equals(withTop), `${mode} page ${i + 1} with header rows`);
      assert.ok(!Buffer.from(withTop).equals(coded), 'the header rows changed the page');
    }
  }
  // Rows that are not whole rows of the page, and a gray page asked for coded, are refused.
  await assert.rejects(draw('mmr', 0, sizes, 'mono', 'mmr', new Uint8Array(rowBytes + 1)), /refused a request/);
  await assert.rejects(draw('mmr', 0, sizes, 'gray', 'mmr'), /refused a request/);
  // And the helper is still in step after them.
  const again = await draw('mmr', 0, sizes, 'mono', 'bits');
  assert.equal(again.length, rowBytes * g.heightPx);
  await helper.close('mmr');
});

test('through the pipeline: each page is the helper’s drawing with its own header line over it', opts, async () => {
  process.env['FAXGATE_PDF_RENDERER'] = 'mupdf';
  const bytes = readFileSync(textPdf('mmr-header.pdf', 3));
  const modes = { quality: 'halftone' as const, header: '{to} {from} Page: {pagenumber}/{totalpages}', to: '+81312345678', from: 'FAXGATE', time: Date.UTC(2026, 10, 28, 3), timeZone: 'Asia/Tokyo' };
  const job = await openDocuments([{ name: 'h.pdf', bytes }], { modes, shared });
  const got: { mmr: Uint8Array; bitmap: Bitmap }[] = [];
  try {
    for await (const p of job.pages()) {
      assert.equal(p.width, g.widthPx);
      assert.equal(p.height, g.heightPx);
      got.push({ mmr: p.mmr, bitmap: p.bitmap });
    }
  } finally {
    await job.close();
  }
  assert.equal(got.length, 3);
  const { sizes } = await helper.open('pipe', bytes, 30_000);
  for (let i = 0; i < got.length; i++) {
    const data = await draw('pipe', i, sizes, 'halftone', 'bits');
    const text = formatHeader(modes.header, { to: modes.to, from: modes.from, pageNumber: i + 1, totalPages: 3, date: new Date(modes.time), timeZone: modes.timeZone });
    const expected = await drawHeader({ width: g.widthPx, height: g.heightPx, rowBytes, data }, text, { resolution: 'fine' });
    assert.ok(Buffer.from(mmrOf(expected)).equals(got[i]!.mmr), `page ${i + 1}`);
    // The bits the pipeline decodes for whoever asks are that page too.
    assert.deepEqual(got[i]!.bitmap.data, expected.data, `page ${i + 1} decoded`);
  }
  await helper.close('pipe');
  // The decoded bits are the MMR's, not a copy kept beside it.
  const first = got[0]!;
  assert.deepEqual(decodePage(first.mmr, { scheme: 'mmr', width: g.widthPx, height: g.heightPx }).bitmap.data, first.bitmap.data);
});
