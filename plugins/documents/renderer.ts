import type { FaxModes, RenderLimits, RenderResources } from './options.ts';
import type { Semaphore } from './semaphore.ts';
import type { WorkerPool } from './worker/pool.ts';
import type { FaxPageResult, FinishSpec } from './worker/protocol.ts';

/**
 * What a renderer is: given the bytes of one document of the media types it is registered
 * for, say how many fax pages it makes, then make them one at a time on request. Pages are
 * asked for in order, a few ahead, so a renderer never holds a whole document decoded.
 */
export interface DocumentRenderer {
  /** For logs and summaries: 'pdf', 'image', 'office', ... */
  readonly kind: string;
  open(input: SniffedInput, env: RenderEnv): Promise<OpenedDocument>;
}

export interface OpenedDocument {
  readonly pageCount: number;
  /** Renders page `index` (0-based) of this document as a finished fax page. */
  page(index: number, finish: FinishSpec): Promise<FaxPageResult>;
  close(): Promise<void>;
}

/** One input: a file's bytes (its name is only for messages) or a URL to fetch. */
export type DocumentInput = { readonly name: string; readonly bytes: Uint8Array } | { readonly name?: string; readonly url: string };

export interface SniffedInput {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly mediaType: string;
  readonly extension: string;
  /** A charset the source declared (an HTTP Content-Type), for text and HTML. */
  readonly declaredCharset?: string;
}

/** What renderers share during one request. */
export interface RenderEnv {
  readonly modes: FaxModes;
  readonly limits: RenderLimits;
  readonly resources: RenderResources;
  readonly pool: WorkerPool;
  /** Bounds LibreOffice and Chromium processes across the whole process. */
  readonly converters: Semaphore;
  /** Finds the renderer for a media type (ZIP entries, converted PDFs). */
  rendererFor(mediaType: string): DocumentRenderer | undefined;
  /** Opens nested content (ZIP entries, converter output) through the same sniffing and limits. */
  openNested(input: SniffedInput, depth: number): Promise<OpenedDocument>;
  /** ZIP nesting depth of the document being opened (0 at the top). */
  readonly depth: number;
  warn(message: string): void;
}
