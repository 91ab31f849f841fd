import { readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { encodePage } from '../../../protocols/t4/index.ts';
import { DocumentError } from '../errors.ts';
import { placeContent } from '../place.ts';
import { GrayTarget, PdfiumDocument } from '../pdf/pdfium.ts';
import type { Bitmap, Gray } from '../raster/types.ts';
import { rotateGrayCcw, toBilevel } from '../raster/bilevel.ts';
import { drawPlacedText } from '../text/render.ts';
import { finishBitmap } from './finish.ts';
import { MupdfPages } from './mupdf-pages.ts';
import type { FaxPageResult, PdfOpened, SerializedError, WorkerRequest, WorkerResponse } from './protocol.ts';

/**
 * A page worker: one thread that renders PDF pages (with PDFium here, or with MuPDF in a
 * helper process) and turns gray pages into coded fax pages. Requests are handled one at a
 * time, in order, except MuPDF's, which start at once (see mupdf-pages.ts).
 */

const docs = new Map<string, PdfiumDocument>();
const mupdf = new MupdfPages();
let target: GrayTarget | undefined;

async function pageTarget(width: number, height: number): Promise<GrayTarget> {
  if (target !== undefined && (target.width !== width || target.height !== height)) {
    target.destroy();
    target = undefined;
  }
  target ??= await GrayTarget.create(width, height);
  return target;
}

/** The document's pages are drawn by MuPDF (which needs no turn in the queue). */
function forMupdf(req: WorkerRequest): boolean {
  if (req.op === 'pdf-open') return req.engine === 'mupdf';
  return (req.op === 'pdf-page' || req.op === 'pdf-close') && mupdf.has(req.doc);
}

async function handleMupdf(req: WorkerRequest): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  switch (req.op) {
    case 'pdf-open': {
      const result: PdfOpened = { pageCount: await mupdf.open(req.doc, req.bytes, req.timeoutMs) };
      return { result, transfer: [] };
    }
    case 'pdf-page': {
      const page = await mupdf.page(req.doc, req.index, req.scale, req.timeoutMs, req.finish);
      const result: FaxPageResult = { bitmap: undefined, mmr: page.mmr, cropped: page.cropped };
      return { result, transfer: [page.mmr.buffer as ArrayBuffer] };
    }
    case 'pdf-close':
      await mupdf.close(req.doc);
      return { result: null, transfer: [] };
    default:
      throw new Error(`not a MuPDF request [op:${req.op}]`);
  }
}

async function handle(req: WorkerRequest): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  switch (req.op) {
    case 'pdf-open': {
      if (req.engine !== 'pdfium') throw new Error(`not a PDFium request [engine:${req.engine}]`);
      docs.get(req.doc)?.close();
      const doc = await PdfiumDocument.open(req.bytes);
      docs.set(req.doc, doc);
      const result: PdfOpened = { pageCount: doc.pageCount };
      return { result, transfer: [] };
    }
    case 'pdf-close':
      docs.get(req.doc)?.close();
      docs.delete(req.doc);
      return { result: null, transfer: [] };
    case 'pdf-page': {
      const doc = docs.get(req.doc);
      if (doc === undefined) throw new Error(`no open PDF [doc:${req.doc}]`);
      const g = req.finish.geometry;
      const t = await pageTarget(g.widthPx, g.heightPx);
      t.clear();
      const placement = doc.render(req.index, t, (size) => placeContent({ widthMm: (size.width / 72) * 25.4, heightMm: (size.height / 72) * 25.4 }, g, req.scale));
      const gray: Gray = { width: g.widthPx, height: g.heightPx, data: t.pixels() };
      return done(await finishBitmap(toBilevel(gray, req.finish.quality), req.finish), placement.cropped);
    }
    case 'gray': {
      const g = req.finish.geometry;
      const page = blit(req.gray, req.x, req.y, g.widthPx, g.heightPx);
      return done(await finishBitmap(toBilevel(page, req.finish.quality), req.finish), false);
    }
    case 'text': {
      // A landscape text surface is turned onto the portrait page; text is always thresholded (text/render.ts).
      const g = req.finish.geometry;
      const gray = drawPlacedText(req.width, req.height, req.placed);
      const page = blit(req.turn ? rotateGrayCcw(gray) : gray, 0, 0, g.widthPx, g.heightPx);
      return done(await finishBitmap(toBilevel(page, 'mono', { threshold: req.threshold }), req.finish), false);
    }
    case 'bitmap':
      return done(await finishBitmap(req.bitmap, req.finish), false);
  }
}

function done(bitmap: Bitmap, cropped: boolean): { result: FaxPageResult; transfer: ArrayBuffer[] } {
  const mmr = encodePage(bitmap, { scheme: 'mmr', eofb: true });
  const result: FaxPageResult = { bitmap, mmr, cropped };
  return { result, transfer: [bitmap.data.buffer as ArrayBuffer, mmr.buffer as ArrayBuffer] };
}

/** The gray image on a white page of the given size, clipped at the edges. */
function blit(src: Gray, x: number, y: number, width: number, height: number): Gray {
  if (x === 0 && y === 0 && src.width === width && src.height === height) return src;
  const data = new Uint8Array(width * height).fill(255);
  const x0 = Math.max(0, x);
  const x1 = Math.min(width, x + src.width);
  if (x1 > x0) {
    for (let row = Math.max(0, y); row < Math.min(height, y + src.height); row++) {
      const from = (row - y) * src.width + (x0 - x);
      data.set(src.data.subarray(from, from + (x1 - x0)), row * width + x0);
    }
  }
  return { width, height, data };
}

function serialize(err: unknown): SerializedError {
  if (err instanceof DocumentError) return { code: err.code, message: err.message, details: err.details };
  return { code: undefined, message: err instanceof Error ? err.message : String(err), details: {} };
}

/**
 * Page work runs a little below the event loop's priority (nice +5 for this thread, and so for
 * the MuPDF helpers it starts, which inherit it): with more busy page workers and helpers than
 * cores, the main thread, which paces live T.38 calls and answers SIP and HTTP, would
 * otherwise wait its turn behind them (the render bench saw 30-90 ms late ticks while the main
 * thread itself ran under 20 ms). An idle service still gives page work every core. Linux
 * gives each thread its own nice value, addressed by its thread id.
 */
function yieldToEventLoop(): void {
  try {
    const tid = Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ', 1)[0]);
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) setPriority(tid, Math.min(19, getPriority(tid) + 5));
  } catch {
    // Not Linux, or not allowed: page work runs at normal priority.
  }
}
yieldToEventLoop();

const port = parentPort;
if (port === null) throw new Error('page-worker.ts runs as a worker thread');

async function respond(id: number, work: Promise<{ result: unknown; transfer: ArrayBuffer[] }>): Promise<void> {
  try {
    const { result, transfer } = await work;
    const res: WorkerResponse = { id, ok: true, result };
    port!.postMessage(res, transfer);
  } catch (err) {
    const res: WorkerResponse = { id, ok: false, error: serialize(err) };
    port!.postMessage(res);
  }
}

// One request at a time: PDFium is not re-entrant, and a queue keeps memory at one page.
// MuPDF requests go to the helper at once, so it draws while this thread codes; the pipeline
// bounds how many pages are in flight.
let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: { id: number; req: WorkerRequest }) => {
  if (forMupdf(msg.req)) void respond(msg.id, handleMupdf(msg.req));
  else queue = queue.then(() => respond(msg.id, handle(msg.req)));
});
