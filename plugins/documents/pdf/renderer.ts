import type { DocumentRenderer, OpenedDocument, RenderEnv, SniffedInput } from '../renderer.ts';
import type { FaxPageResult, FinishSpec, PdfOpened } from '../worker/protocol.ts';
import { choosePdfEngine } from './mupdf/engine.ts';

/**
 * PDF through the page workers, drawn by MuPDF in each worker's helper process when it is
 * built, else by PDFium in the worker itself (`choosePdfEngine`). The document is opened in
 * every worker so pages render in parallel, each on the worker with the fewest pages queued
 * (on a shared machine one worker thread can be descheduled for a while; a fixed page n ->
 * worker n mod size would leave the other idle behind it). Each worker holds the file's bytes
 * and one page being drawn, never the decoded document; font and glyph caches are per worker
 * (or helper) and shared by all its pages, so which pages a worker gets does not matter to them.
 * A MuPDF page gets the converter time limit; past it its helper is killed.
 */
let nextDoc = 1;

export const pdfRenderer: DocumentRenderer = {
  kind: 'pdf',
  async open(input: SniffedInput, env: RenderEnv): Promise<OpenedDocument> {
    const doc = `pdf-${process.pid}-${nextDoc++}`;
    const engine = choosePdfEngine();
    const timeoutMs = env.limits.converterTimeoutMs;
    const workers = Array.from({ length: env.pool.size }, (_, i) => i);
    // Each worker gets its own copy: transferring would leave the others nothing.
    const opened = await Promise.allSettled(workers.map((w) => env.pool.call<PdfOpened>(w, { op: 'pdf-open', doc, bytes: input.bytes, engine, timeoutMs })));
    const close = async (): Promise<void> => {
      await Promise.allSettled(workers.map((w) => env.pool.call(w, { op: 'pdf-close', doc })));
    };
    const failed = opened.find((r) => r.status === 'rejected');
    if (failed !== undefined) {
      await close();
      throw failed.reason;
    }
    const first = opened[0];
    const pageCount = first?.status === 'fulfilled' ? first.value.pageCount : 0;
    return {
      pageCount,
      page: async (index: number, finish: FinishSpec): Promise<FaxPageResult> => {
        const result = await env.pool.call<FaxPageResult>(env.pool.leastBusy(), { op: 'pdf-page', doc, index, scale: env.modes.scale, timeoutMs, finish });
        if (result.cropped) env.warn(`${input.name}: page ${index + 1} is larger than the fax page and was cut`);
        return result;
      },
      close,
    };
  },
};
