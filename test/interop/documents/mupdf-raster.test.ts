/**
 * The MuPDF helper (plugins/documents/pdf/mupdf/pdf-raster.c) against the PDFium path, which
 * it replaces when built: the same pages, placed the same way (portrait, landscape, /Rotate,
 * CropBox, mixed sizes, scale none and fit, the cropped warning), pixels close (the two glyph
 * rasterisers differ a little at edges); its halftone bit for bit errorDiffusion() and its
 * mono bit for bit threshold() on the gray it draws; and its failures typed: encrypted,
 * corrupt and truncated files, a helper killed mid-page, a page past its time limit, a page
 * past its address-space limit.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { DocumentError } from '../../../plugins/documents/errors.ts';
import { openDocuments } from '../../../plugins/documents/pipeline.ts';
import type { FaxModes } from '../../../plugins/documents/options.ts';
import { placeContent } from '../../../plugins/documents/place.ts';
import { errorDiffusion, threshold } from '../../../plugins/documents/raster/bilevel.ts';
import { pageGeometry } from '../../../plugins/documents/raster/geometry.ts';
import type { Bitmap, PageGeometry } from '../../../plugins/documents/raster/types.ts';
import { Semaphore } from '../../../plugins/documents/semaphore.ts';
import { WorkerPool } from '../../../plugins/documents/worker/pool.ts';
import { choosePdfEngine, pdfRasterBinary } from '../../../plugins/documents/pdf/mupdf/engine.ts';
import { PdfRasterHelper } from '../../../plugins/documents/pdf/mupdf/helper.ts';
import type { DrawRequest } from '../../../plugins/documents/pdf/mupdf/helper.ts';
import { placementMatrix } from '../../../plugins/documents/pdf/mupdf/matrix.ts';
import { rowBytesFor } from '../../../protocols/t4/bitmap.ts';
import { encryptedPdf, ink, textPdf, work } from './support.ts';

// The helper is built by `npm test` (scripts/build-native.mjs); without MuPDF there is nothing to test.
const built = choosePdfEngine({}) === 'mupdf';
const opts = { skip: built ? false : 'the MuPDF helper is not built (node scripts/build-native.mjs)' };

const shared = { pool: new WorkerPool(2), converters: new Semaphore(1) };
const helpers: PdfRasterHelper[] = [];
const savedEngine = process.env['FAXGATE_PDF_RENDERER'];
after(async () => {
  if (savedEngine === undefined) delete process.env['FAXGATE_PDF_RENDERER'];
  else process.env['FAXGATE_PDF_RENDERER'] = savedEngine;
  for (const h of helpers) h.dispose();
  await shared.pool.close();
  rmSync(work, { recursive: true, force: true });
});

function newHelper(): PdfRasterHelper {
  const h = new PdfRasterHelper({ binary: pdfRasterBinary, maxMemoryMb: 2048 });
  helpers.push(h);
  return h;
}

// --- PDFs written here, so each page's boxes and marks are known exactly -------------------

interface PageSpec {
  readonly media: readonly [number, number, number, number];
  readonly crop?: readonly [number, number, number, number];
  readonly rotate?: number;
  readonly content: string;
}

/** A PDF of the given pages (Helvetica as /F1); the cross-reference table computed. */
function pdfOf(pages: readonly PageSpec[], extra: readonly string[] = []): Uint8Array {
  const objs: string[] = [];
  const first = 4 + extra.length;
  const kids = pages.map((_, i) => `${first + 2 * i} 0 R`).join(' ');
  objs.push('<< /Type /Catalog /Pages 2 0 R >>');
  objs.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  objs.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  objs.push(...extra);
  pages.forEach((p, i) => {
    const crop = p.crop === undefined ? '' : ` /CropBox [${p.crop.join(' ')}]`;
    const rot = p.rotate === undefined ? '' : ` /Rotate ${p.rotate}`;
    const xobjects = extra.length === 0 ? '' : ` /XObject << ${extra.map((_, k) => `/Im${k} ${4 + k} 0 R`).join(' ')} >>`;
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [${p.media.join(' ')}]${crop}${rot} /Resources << /Font << /F1 3 0 R >>${xobjects} >> /Contents ${first + 2 * i + 1} 0 R >>`);
    objs.push(`<< /Length ${Buffer.byteLength(p.content, 'latin1')} >>\nstream\n${p.content}\nendstream`);
  });
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/**
 * Marks that show placement: a 10 pt frame on the box's edges, a solid block in its top-left
 * corner (rotation shows), a line of text, and (outside the crop box, when there is one) a bar
 * that must not be drawn.
 */
function marks(box: readonly [number, number, number, number]): string {
  const [x0, y0, x1, y1] = box;
  const w = x1 - x0;
  const h = y1 - y0;
  return [
    `0 g ${x0} ${y0} ${w} 10 re f ${x0} ${y1 - 10} ${w} 10 re f ${x0} ${y0} 10 ${h} re f ${x1 - 10} ${y0} 10 ${h} re f`,
    `${x0 + 30} ${y1 - 90} 120 60 re f`,
    `BT /F1 24 Tf ${x0 + 40} ${y0 + h / 2} Td (Placement 0123456789) Tj ET`,
  ].join('\n');
}

const a4: [number, number, number, number] = [0, 0, 595, 842];
const geometryPdf = pdfOf([
  { media: a4, content: marks(a4) },
  { media: [0, 0, 842, 595], content: marks([0, 0, 842, 595]) },
  { media: [0, 0, 612, 792], content: marks([0, 0, 612, 792]) },
  { media: [0, 0, 420, 595], content: marks([0, 0, 420, 595]) },
  // Portrait media turned by /Rotate: seen landscape, so turned back onto the fax page.
  { media: a4, rotate: 90, content: marks(a4) },
  // A crop box inside a larger media box; the bar in the margin is outside the page (and, at
  // scale none, where the white around the centred page is: it must stay white).
  { media: [0, 0, 500, 700], crop: [50, 60, 450, 640], content: `${marks([50, 60, 450, 640])}\n0 g 0 0 40 700 re f` },
  // A3 at its own size does not fit A4: cropped.
  { media: [0, 0, 842, 1191], content: marks([0, 0, 842, 1191]) },
]);

async function renderWith(engine: 'mupdf' | 'pdfium', bytes: Uint8Array, modes: Partial<FaxModes>): Promise<{ pages: Bitmap[]; warnings: string[] }> {
  process.env['FAXGATE_PDF_RENDERER'] = engine;
  const job = await openDocuments([{ name: 'test.pdf', bytes }], { modes, shared });
  try {
    const pages: Bitmap[] = [];
    for await (const p of job.pages()) pages.push(p.bitmap);
    return { pages, warnings: [...job.warnings] };
  } finally {
    await job.close();
  }
}

interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

function inkBox(b: Bitmap): Box {
  let x0 = b.width;
  let y0 = b.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < b.height; y++) {
    for (let x = 0; x < b.width; x++) {
      if ((b.data[y * b.rowBytes + (x >>> 3)]! >>> (7 - (x & 7))) & 1) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return { x0, y0, x1, y1 };
}

function differing(a: Bitmap, b: Bitmap): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i++) {
    let v = a.data[i]! ^ b.data[i]!;
    while (v !== 0) {
      v &= v - 1;
      n++;
    }
  }
  return n;
}

/** Black in the block of the given page-relative fractions (which corner the solid block went to). */
function inkAt(b: Bitmap, fx0: number, fy0: number, fx1: number, fy1: number): number {
  let n = 0;
  for (let y = Math.floor(fy0 * b.height); y < fy1 * b.height; y++) {
    for (let x = Math.floor(fx0 * b.width); x < fx1 * b.width; x++) n += (b.data[y * b.rowBytes + (x >>> 3)]! >>> (7 - (x & 7))) & 1;
  }
  return n;
}

for (const scale of ['fit', 'none'] as const) {
  test(`same geometry as PDFium, pixels close: portrait, landscape, Letter, A5, /Rotate, CropBox, A3 (scale ${scale})`, opts, async (t) => {
    let worst = 0;
    for (const resolution of ['fine', 'standard'] as const) {
      const modes: Partial<FaxModes> = { quality: 'mono', resolution, scale };
      const mu = await renderWith('mupdf', geometryPdf, modes);
      const pd = await renderWith('pdfium', geometryPdf, modes);
      assert.equal(mu.pages.length, 7);
      assert.deepEqual(mu.warnings, pd.warnings, 'the same cropped warnings');
      // At its own size, A3 does not fit A4, nor does Letter (5.9 mm wider).
      assert.equal(mu.warnings.length, scale === 'none' ? 2 : 0);
      mu.pages.forEach((m, i) => {
        const p = pd.pages[i]!;
        assert.deepEqual([m.width, m.height], [p.width, p.height]);
        const bm = inkBox(m);
        const bp = inkBox(p);
        const off = Math.max(Math.abs(bm.x0 - bp.x0), Math.abs(bm.y0 - bp.y0), Math.abs(bm.x1 - bp.x1), Math.abs(bm.y1 - bp.y1));
        assert.ok(off <= 2, `page ${i + 1} ${resolution}: ink box ${JSON.stringify(bm)} vs PDFium ${JSON.stringify(bp)}`);
        const diff = differing(m, p);
        worst = Math.max(worst, diff / Math.max(1, ink(m), ink(p)));
        const inked = Math.max(ink(m), ink(p));
        assert.ok(diff <= inked * 0.06, `page ${i + 1} ${resolution}: ${diff} pixels differ of ${inked} black`);
      });
      // The landscape page's top-left block lies at the fax page's bottom-left once turned.
      const land = mu.pages[1]!;
      assert.ok(inkAt(land, 0.03, 0.7, 0.15, 0.95) > inkAt(land, 0.03, 0.05, 0.15, 0.3) * 5, 'landscape turned counter-clockwise');
      // The bar outside the crop box is not drawn in the white left of the centred page.
      if (scale === 'none') assert.equal(inkAt(mu.pages[5]!, 0, 0, 0.15, 1), 0, 'nothing left of the crop box');
    }
    t.diagnostic(`most differing pixels on a page: ${(worst * 100).toFixed(1)}% of its black pixels`);
  });
}

/** Black pixels of `a` with no black pixel of `b` at or next to them (3 x 3). */
function unmatched(a: Bitmap, b: Bitmap): number {
  const black = (m: Bitmap, x: number, y: number): boolean => x >= 0 && y >= 0 && x < m.width && y < m.height && ((m.data[y * m.rowBytes + (x >>> 3)]! >>> (7 - (x & 7))) & 1) === 1;
  let n = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (!black(a, x, y)) continue;
      let near = false;
      for (let dy = -1; dy <= 1 && !near; dy++) for (let dx = -1; dx <= 1 && !near; dx++) near = black(b, x + dx, y + dy);
      if (!near) n++;
    }
  }
  return n;
}

test('text pages: the same glyphs in the same places as PDFium, a little heavier (ink spread)', opts, async (t) => {
  const bytes = readFileSync(textPdf('mupdf-text.pdf', 2));
  const mu = await renderWith('mupdf', bytes, { quality: 'mono' });
  const pd = await renderWith('pdfium', bytes, { quality: 'mono' });
  for (let i = 0; i < 2; i++) {
    const m = mu.pages[i]!;
    const p = pd.pages[i]!;
    const ratio = ink(m) / ink(p);
    t.diagnostic(`page ${i + 1}: MuPDF ink ${(ratio * 100).toFixed(0)}% of PDFium's; ${unmatched(p, m)} of PDFium's ${ink(p)} black pixels without a MuPDF one beside them, ${unmatched(m, p)} of MuPDF's ${ink(m)} the other way`);
    assert.ok(ratio > 1 && ratio < 1.6, `ink ratio ${ratio}`);
    // Every glyph stroke of one is within a pixel of the other's.
    assert.ok(unmatched(p, m) < ink(p) * 0.01, 'PDFium ink where MuPDF has none');
    assert.ok(unmatched(m, p) < ink(m) * 0.05, 'MuPDF ink where PDFium has none');
  }
});

// --- bilevel output bit for bit the TypeScript reference ------------------------------------

/** Gray ramps, a noise image (every gray level, errors everywhere), text and solid black. */
function grayPdf(): Uint8Array {
  const w = 160;
  const h = 120;
  const noise = Buffer.alloc(w * h);
  let seed = 12345;
  for (let i = 0; i < noise.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    noise[i] = seed >>> 24;
  }
  const image = `<< /Type /XObject /Subtype /Image /Width ${w} /Height ${h} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${noise.length} >>\nstream\n${noise.toString('latin1')}\nendstream`;
  const ramp = Array.from({ length: 64 }, (_, i) => `${(i / 63).toFixed(3)} g ${40 + i * 8} 700 8 100 re f`).join('\n');
  const content = [ramp, 'q 400 0 0 300 100 300 cm /Im0 Do Q', '0.3 g 40 100 500 80 re f', marks([0, 0, 595, 842])].join('\n');
  return pdfOf([{ media: a4, content }, { media: [0, 0, 842, 595], content }], [image]);
}

async function draw(h: PdfRasterHelper, doc: string, size: { width: number; height: number }, index: number, g: PageGeometry, mode: DrawRequest['mode'], t?: number): Promise<Uint8Array> {
  const place = placeContent({ widthMm: (size.width / 72) * 25.4, heightMm: (size.height / 72) * 25.4 }, g, 'fit');
  return h.render(doc, index, {
    width: g.widthPx,
    height: g.heightPx,
    clip: { x: place.x, y: place.y, width: place.width, height: place.height },
    matrix: placementMatrix(size, place),
    mode,
    ...(t === undefined ? {} : { threshold: t }),
    timeoutMs: 30_000,
  });
}

test('halftone is errorDiffusion() and mono is threshold(), bit for bit, on the gray the helper draws', opts, async () => {
  const h = newHelper();
  const opened = await h.open('gray', grayPdf(), 30_000);
  assert.equal(opened.pageCount, 2);
  for (const resolution of ['fine', 'standard'] as const) {
    const g = pageGeometry({ paper: resolution === 'fine' ? 'A4' : 'B4', orientation: 'portrait', resolution });
    for (let i = 0; i < 2; i++) {
      const size = opened.sizes[i]!;
      const gray = { width: g.widthPx, height: g.heightPx, data: await draw(h, 'gray', size, i, g, 'gray') };
      assert.equal(gray.data.length, g.widthPx * g.heightPx);
      const levels = new Set(gray.data).size;
      assert.ok(levels > 200, `the page has gray to diffuse (${levels} levels)`);
      const half = await draw(h, 'gray', size, i, g, 'halftone');
      const ref = errorDiffusion(gray);
      assert.equal(half.length, ref.data.length);
      assert.equal(differing({ ...ref, data: half }, ref), 0, `halftone page ${i + 1} ${resolution}`);
      assert.ok(Buffer.from(half).equals(Buffer.from(ref.data)), 'padding bits too');
      for (const t of [128, 200, 1]) {
        const mono = await draw(h, 'gray', size, i, g, 'mono', t);
        assert.ok(Buffer.from(mono).equals(Buffer.from(threshold(gray, t).data)), `mono t=${t} page ${i + 1} ${resolution}`);
      }
    }
  }
  await h.close('gray');
});

// --- failures ---------------------------------------------------------------------------------

async function failure(bytes: Uint8Array, modes: Partial<FaxModes> = {}, limits = {}): Promise<DocumentError | undefined> {
  process.env['FAXGATE_PDF_RENDERER'] = 'mupdf';
  try {
    const job = await openDocuments([{ name: 'bad.pdf', bytes }], { modes, limits, shared });
    try {
      for await (const _ of job.pages());
    } finally {
      await job.close();
    }
    return undefined;
  } catch (err) {
    if (err instanceof DocumentError) return err;
    throw err;
  }
}

test('encrypted, corrupt and truncated PDFs give typed errors', opts, async () => {
  assert.equal((await failure(readFileSync(encryptedPdf('mupdf-secret.pdf'))))?.code, 'DOC_PASSWORD_PROTECTED');
  assert.equal((await failure(Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref\n')))?.code, 'DOC_CORRUPT');
  const good = readFileSync(textPdf('mupdf-trunc.pdf', 3));
  assert.equal((await failure(good.subarray(0, 40)))?.code, 'DOC_CORRUPT');
  // Cut anywhere else, MuPDF repairs what it can: pages, or a typed error, never a crash or a hang.
  for (const cut of [0.2, 0.5, 0.8, 0.95]) {
    const err = await failure(good.subarray(0, Math.floor(good.length * cut)));
    assert.ok(err === undefined || err.code === 'DOC_CORRUPT' || err.code === 'DOC_EMPTY', `cut at ${cut}: ${err?.code}`);
  }
  // The pool is still serving.
  assert.equal(await failure(geometryPdf), undefined);
});

/** A page that takes MuPDF a while: thousands of thick random strokes. */
function heavyPdf(pages = 1): Uint8Array {
  let seed = 7;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % 842;
  };
  const strokes = Array.from({ length: 5_000 }, () => `${rnd()} ${rnd()} m ${rnd()} ${rnd()} l`).join('\n');
  return pdfOf(Array.from({ length: pages }, () => ({ media: a4, content: `9 w 0.5 g\n${strokes}\nS` })));
}

const a4g = pageGeometry({ paper: 'A4', orientation: 'portrait', resolution: 'fine' });

test('a helper killed mid-page fails that page (typed, with its number); the next request gets a fresh helper', opts, async () => {
  const h = newHelper();
  const heavy = await h.open('heavy', heavyPdf(), 30_000);
  const started = performance.now();
  const killed = draw(h, 'heavy', heavy.sizes[0]!, 0, a4g, 'mono');
  const behind = draw(h, 'heavy', heavy.sizes[0]!, 0, a4g, 'mono');
  setTimeout(() => h.kill(), 30);
  await assert.rejects(killed, (err: unknown) => err instanceof DocumentError && err.code === 'DOC_CORRUPT' && err.details['page'] === 1 && err.details['reason'] === 'PDF renderer crashed');
  assert.ok(performance.now() - started < 2000, 'failed at once');
  // The request queued behind it went to a fresh helper, which reopened the document.
  const bits = await behind;
  assert.equal(bits.length, rowBytesFor(a4g.widthPx) * a4g.heightPx);
  assert.equal(h.started, 2);
  await h.close('heavy');
});

test('a page past its time limit is DOC_CONVERTER_TIMEOUT, and the helper is replaced', opts, async () => {
  const h = newHelper();
  const heavy = await h.open('slow', heavyPdf(), 30_000);
  const place = placeContent({ widthMm: 210, heightMm: 297 }, a4g, 'fit');
  const req: DrawRequest = { width: a4g.widthPx, height: a4g.heightPx, clip: place, matrix: placementMatrix(heavy.sizes[0]!, place), mode: 'mono', timeoutMs: 5 };
  await assert.rejects(h.render('slow', 0, req), (err: unknown) => err instanceof DocumentError && err.code === 'DOC_CONVERTER_TIMEOUT' && err.details['page'] === 1);
  const bits = await h.render('slow', 0, { ...req, timeoutMs: 30_000 });
  assert.ok(bits.length > 0);
  assert.equal(h.started, 2);
  await h.close('slow');
});

/** The helpers this process started (children named after the binary). */
function helperPids(): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && stat.includes('(faxgate-pdf-ra')) pids.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

test('through the pool: a helper killed while a job renders fails the job, typed; the workers and the next job are fine', opts, async () => {
  process.env['FAXGATE_PDF_RENDERER'] = 'mupdf';
  const job = await openDocuments([{ name: 'heavy.pdf', bytes: heavyPdf(6) }], { modes: { quality: 'mono' }, shared });
  const pages = (async () => {
    for await (const _ of job.pages());
  })();
  // Once the helpers are drawing (a heavy page takes them a few hundred ms).
  await new Promise((r) => setTimeout(r, 150));
  for (const pid of helperPids()) process.kill(pid, 'SIGKILL');
  await assert.rejects(pages, (err: unknown) => err instanceof DocumentError && err.code === 'DOC_CORRUPT' && typeof err.details['page'] === 'number');
  await job.close();
  const ok = await renderWith('mupdf', geometryPdf, { quality: 'halftone' });
  assert.equal(ok.pages.length, 7);
});

test('past its address-space limit the helper answers DOC_TOO_LARGE for that page and goes on', opts, async () => {
  const h = new PdfRasterHelper({ binary: pdfRasterBinary, maxMemoryMb: 100 });
  helpers.push(h);
  const opened = await h.open('mem', geometryPdf, 30_000);
  const size = opened.sizes[0]!;
  // 64 M pixels of gray: more than the helper may map.
  const big: DrawRequest = { width: 8000, height: 8000, clip: { x: 0, y: 0, width: 8000, height: 8000 }, matrix: [8000 / size.width, 0, 0, 8000 / size.height, 0, 0], mode: 'mono', timeoutMs: 30_000 };
  await assert.rejects(h.render('mem', 0, big), (err: unknown) => err instanceof DocumentError && err.code === 'DOC_TOO_LARGE' && err.details['page'] === 1);
  const bits = await draw(h, 'mem', size, 0, a4g, 'mono');
  assert.equal(bits.length, rowBytesFor(a4g.widthPx) * a4g.heightPx);
  assert.equal(h.started, 1, 'the same helper answered both');
  await h.close('mem');
});

test('many pages asked at once: each answer is its own page, through the shared file or, past its slots, the pipe', opts, async () => {
  const pages = 20;
  const bytes = readFileSync(textPdf('mupdf-many.pdf', pages));
  const one = newHelper();
  const opened = await one.open('many', bytes, 30_000);
  // One at a time: every reply read before the next request is made.
  const alone: Uint8Array[] = [];
  for (let i = 0; i < pages; i++) alone.push(await draw(one, 'many', opened.sizes[i]!, i, a4g, 'mono'));
  // All at once on a fresh helper: more requests in flight than the shared file has slots.
  const busy = newHelper();
  await busy.open('many', bytes, 30_000);
  const together = await Promise.all(Array.from({ length: pages }, (_, i) => draw(busy, 'many', opened.sizes[i]!, i, a4g, i % 3 === 0 ? 'gray' : 'mono')));
  for (let i = 0; i < pages; i++) {
    if (i % 3 === 0) {
      const gray = { width: a4g.widthPx, height: a4g.heightPx, data: together[i]! };
      assert.deepEqual(threshold(gray, 128).data, alone[i], `page ${i + 1} (gray)`);
    } else {
      assert.deepEqual(together[i], alone[i], `page ${i + 1}`);
    }
  }
  // The pages differ from each other, so a page answered with another's bits would show.
  assert.notDeepEqual(alone[0], alone[1]);
});

test('each page starts on white paper: nothing of the page before shows, whatever the modes', opts, async () => {
  const bytes = grayPdf();
  const fresh = async (i: number, mode: DrawRequest['mode']): Promise<Uint8Array> => {
    const h = newHelper();
    const o = await h.open('g', bytes, 30_000);
    const page = await draw(h, 'g', o.sizes[i]!, i, a4g, mode);
    h.dispose();
    return page;
  };
  const h = newHelper();
  const o = await h.open('g', bytes, 30_000);
  // Page 0 (portrait) then page 1 (landscape, turned): their ink lies in different places.
  for (const [first, second] of [['halftone', 'halftone'], ['mono', 'halftone'], ['halftone', 'mono'], ['gray', 'mono']] as const) {
    await draw(h, 'g', o.sizes[0]!, 0, a4g, first);
    assert.deepEqual(await draw(h, 'g', o.sizes[1]!, 1, a4g, second), await fresh(1, second), `${second} after ${first}`);
  }
});

test('page workers and their MuPDF helpers run below the event loop (nice +5), so a long render never starves it', opts, async () => {
  const niceOf = (statPath: string): number => Number(readFileSync(statPath, 'utf8').replace(/^.*\) /s, '').split(' ')[16]);
  const main = niceOf(`/proc/self/task/${process.pid}/stat`);
  const job = await openDocuments([{ name: 'nice.pdf', bytes: readFileSync(textPdf('mupdf-nice.pdf', 6)) }], { modes: { quality: 'mono' }, shared });
  let seen = false;
  try {
    for await (const page of job.pages()) {
      if (page.index !== 2) continue;
      const tasks = readdirSync('/proc/self/task');
      const lowered = tasks.filter((t) => niceOf(`/proc/self/task/${t}/stat`) === Math.min(19, main + 5));
      assert.ok(lowered.length >= shared.pool.size, `threads at nice ${main + 5}: ${lowered.length}`);
      assert.equal(niceOf(`/proc/self/task/${process.pid}/stat`), main, 'the main thread keeps its priority');
      // The pool's helpers: children of its worker threads (this file's own helpers are the main thread's).
      const children = tasks.filter((t) => t !== String(process.pid)).flatMap((t) => readFileSync(`/proc/self/task/${t}/children`, 'utf8').trim().split(' ').filter(Boolean));
      const helpers = children.filter((c) => readFileSync(`/proc/${c}/stat`, 'utf8').includes('(faxgate-pdf-ra'));
      assert.ok(helpers.length >= 1, 'a MuPDF helper runs');
      for (const c of helpers) assert.equal(niceOf(`/proc/${c}/stat`), Math.min(19, main + 5), `helper ${c}`);
      seen = true;
    }
  } finally {
    await job.close();
  }
  assert.ok(seen);
});
