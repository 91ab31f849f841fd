import { DocumentError } from './errors.ts';
import type { FaxModes, RenderLimits, RenderResources } from './options.ts';
import { defaultLimits, defaultModes, defaultResources } from './options.ts';
import { pageGeometry } from './raster/geometry.ts';
import type { Bitmap, PageGeometry } from './raster/types.ts';
import type { DocumentInput, DocumentRenderer, OpenedDocument, RenderEnv, SniffedInput } from './renderer.ts';
import { Semaphore } from './semaphore.ts';
import { MediaType, sniff } from './sniff.ts';
import { fetchUrl } from './html/fetch.ts';
import { WorkerPool } from './worker/pool.ts';
import type { FaxPageResult, FinishSpec } from './worker/protocol.ts';
import { decodePage } from '../../protocols/t4/index.ts';

/**
 * Documents in, fax pages out: sniff each input, open it with the renderer for its media
 * type (which says how many pages it makes, so the header can say "page 2 of 5"), then render
 * pages in order with a few in flight on the worker pool. The caller pulls pages one at a
 * time and writes them out, so a long fax is never all in memory.
 *
 *   const job = await openDocuments(inputs, { modes, renderers });
 *   for await (const page of job.pages()) writer.addPage(page);
 *   await job.close();
 */

export interface RenderedPage {
  /** 0-based over the whole request. */
  readonly index: number;
  /** Which input it came from, and its page there (0-based). */
  readonly input: number;
  readonly inputPage: number;
  /** The page in pixels. */
  readonly width: number;
  readonly height: number;
  /**
   * The page's bits. A page coded by the PDF helper comes as MMR only and is decoded here on
   * first use (a millisecond or two): the TIFF writer stores MMR as it is and never asks.
   */
  readonly bitmap: Bitmap;
  /** The page coded as T.6 (MMR). */
  readonly mmr: Uint8Array;
  readonly xDpi: number;
  readonly yDpi: number;
}

export interface InputSummary {
  readonly name: string;
  readonly mediaType: string;
  readonly pages: number;
}

export interface RenderJob {
  readonly totalPages: number;
  readonly inputs: readonly InputSummary[];
  readonly geometry: PageGeometry;
  /** Things the user should know that did not stop the fax (cropped pages, skipped ZIP entries). */
  readonly warnings: string[];
  pages(): AsyncIterable<RenderedPage>;
  close(): Promise<void>;
}

export interface RenderRequestOptions {
  readonly modes?: Partial<FaxModes>;
  readonly limits?: Partial<RenderLimits>;
  readonly resources?: Partial<RenderResources>;
  /** Renderers by media type; the built-in set when absent (the plugin passes its registry). */
  readonly renderers?: RendererLookup;
  /** A pool and converter bound shared across requests (the plugin's); a private one when absent. */
  readonly shared?: SharedResources;
}

export type RendererLookup = (mediaType: string) => DocumentRenderer | undefined;

export interface SharedResources {
  readonly pool: WorkerPool;
  readonly converters: Semaphore;
}

export async function openDocuments(inputs: readonly DocumentInput[], options: RenderRequestOptions = {}): Promise<RenderJob> {
  const modes: FaxModes = { ...defaultModes, ...options.modes };
  const limits: RenderLimits = { ...defaultLimits, ...options.limits };
  const resources: RenderResources = { ...defaultResources, ...options.resources };
  const lookup = options.renderers ?? (await import('./builtin.ts')).builtinRenderer;
  const owned = options.shared === undefined;
  const shared = options.shared ?? { pool: new WorkerPool(resources.workers), converters: new Semaphore(resources.converters) };
  const warnings: string[] = [];
  const geometry = pageGeometry({ paper: modes.paper, orientation: 'portrait', resolution: modes.resolution });

  const env = (depth: number): RenderEnv => ({
    modes,
    limits,
    resources,
    pool: shared.pool,
    converters: shared.converters,
    depth,
    rendererFor: lookup,
    warn: (m) => warnings.push(m),
    openNested: (input, d) => openSniffed(input, env(d)),
  });

  const opened: { doc: OpenedDocument; summary: InputSummary }[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled(opened.map((o) => o.doc.close()));
    if (owned) await shared.pool.close();
  };
  try {
    if (inputs.length === 0) throw new DocumentError('DOC_EMPTY', { reason: 'no inputs' });
    // Opening converts Office and HTML files: run them side by side (the converter bound still applies).
    const results = await Promise.allSettled(
      inputs.map(async (input) => {
        const sniffed = await loadInput(input, limits, resources);
        const doc = await openSniffed(sniffed, env(0));
        opened.push({ doc, summary: { name: sniffed.name, mediaType: sniffed.mediaType, pages: doc.pageCount } });
        return { doc, summary: { name: sniffed.name, mediaType: sniffed.mediaType, pages: doc.pageCount } };
      }),
    );
    const failure = results.find((r) => r.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    const docs = results.map((r) => (r as PromiseFulfilledResult<{ doc: OpenedDocument; summary: InputSummary }>).value);
    const totalPages = docs.reduce((n, d) => n + d.doc.pageCount, 0);
    if (totalPages > limits.maxPages) throw new DocumentError('DOC_TOO_MANY_PAGES', { pages: totalPages, max: limits.maxPages });
    if (totalPages === 0) throw new DocumentError('DOC_EMPTY');

    return {
      totalPages,
      inputs: docs.map((d) => d.summary),
      geometry,
      warnings,
      pages: () => streamPages(docs.map((d) => d.doc), totalPages, modes, geometry, pagesAhead * shared.pool.size),
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Pages in flight per worker. With one, a worker that finishes a page idles until the main
 * thread has taken the result and sent the next request; with two, the next page is already
 * queued in the worker. Each costs a finished bitmap (432 KB at A4 fine) and its MMR.
 */
const pagesAhead = 2;

/** Pages in order, with up to `ahead` rendering at once so every worker stays busy. */
async function* streamPages(docs: readonly OpenedDocument[], totalPages: number, modes: FaxModes, geometry: PageGeometry, ahead: number): AsyncGenerator<RenderedPage> {
  const order: { input: number; inputPage: number }[] = [];
  docs.forEach((d, input) => {
    for (let p = 0; p < d.pageCount; p++) order.push({ input, inputPage: p });
  });
  const start = (index: number): Promise<RenderedPage> => {
    const { input, inputPage } = order[index]!;
    const finish: FinishSpec = {
      geometry,
      quality: modes.quality,
      header:
        modes.header === undefined
          ? undefined
          : { template: modes.header, to: modes.to, from: modes.from, pageNumber: index + 1, totalPages, time: modes.time, timeZone: modes.timeZone, fontType: modes.fontType },
    };
    return docs[input]!.page(inputPage, finish).then((r) => renderedPage({ index, input, inputPage, width: geometry.widthPx, height: geometry.heightPx, xDpi: geometry.xDpi, yDpi: geometry.yDpi }, r));
  };
  const inFlight: Promise<RenderedPage>[] = [];
  let next = 0;
  try {
    while (next < order.length || inFlight.length > 0) {
      while (next < order.length && inFlight.length < Math.max(1, ahead)) {
        const p = start(next++);
        // Rejections are observed when awaited in order; keep unawaited ones from being "unhandled".
        p.catch(() => undefined);
        inFlight.push(p);
      }
      yield await inFlight.shift()!;
    }
  } finally {
    await Promise.allSettled(inFlight);
  }
}

function renderedPage(at: Omit<RenderedPage, 'bitmap' | 'mmr'>, r: FaxPageResult): RenderedPage {
  const mmr = r.mmr;
  let bitmap = r.bitmap;
  return {
    ...at,
    mmr,
    get bitmap(): Bitmap {
      bitmap ??= decodePage(mmr, { scheme: 'mmr', width: at.width, height: at.height }).bitmap;
      return bitmap;
    },
  };
}

async function loadInput(input: DocumentInput, limits: RenderLimits, resources: RenderResources): Promise<SniffedInput> {
  if ('url' in input) {
    const fetched = await fetchUrl(input.url, { allowPrivate: resources.allowPrivateUrls, maxBytes: limits.maxInputBytes, timeoutMs: limits.fetchTimeoutMs });
    const s = await sniff(fetched.bytes);
    // A server's HTML is rendered as HTML even when it looks like text to the sniffer (no doctype).
    const mediaType = s.mediaType === MediaType.text && fetched.contentType.startsWith('text/html') ? MediaType.html : s.mediaType;
    const charset = /charset=([^;\s]+)/.exec(fetched.contentType)?.[1]?.replace(/"/g, '');
    return { name: input.name ?? input.url, bytes: fetched.bytes, mediaType, extension: mediaType === MediaType.html ? 'html' : s.extension, ...(charset === undefined ? {} : { declaredCharset: charset }) };
  }
  if (input.bytes.length > limits.maxInputBytes) throw new DocumentError('DOC_TOO_LARGE', { name: input.name, bytes: input.bytes.length, max: limits.maxInputBytes });
  const s = await sniff(input.bytes);
  return { name: input.name, bytes: input.bytes, mediaType: s.mediaType, extension: s.extension };
}

async function openSniffed(input: SniffedInput, env: RenderEnv): Promise<OpenedDocument> {
  if (input.mediaType === MediaType.encryptedOffice) throw new DocumentError('DOC_PASSWORD_PROTECTED', { name: input.name, format: input.extension === 'bin' ? 'office' : input.extension });
  const renderer = env.rendererFor(input.mediaType);
  if (renderer === undefined) throw new DocumentError('DOC_UNSUPPORTED_TYPE', { name: input.name, mediaType: input.mediaType });
  try {
    return await renderer.open(input, env);
  } catch (err) {
    if (err instanceof DocumentError && err.details['name'] === undefined) {
      throw new DocumentError(err.code, { name: input.name, ...err.details }, err.cause);
    }
    throw err;
  }
}
