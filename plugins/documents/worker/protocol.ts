import type { DocumentErrorCode } from '../errors.ts';
import type { ErrorDetails } from '../../../core/errors.ts';
import type { PdfEngine } from '../pdf/mupdf/engine.ts';
import type { Bitmap, Gray, PageGeometry, Quality } from '../raster/types.ts';
import type { PlacedText } from '../text/render.ts';

/**
 * Messages between the render pipeline and its page workers. Everything that costs CPU per
 * pixel (PDFium or the MuPDF helper, gray to bilevel, the header, MMR coding) happens in a
 * worker or its helper process, so the event loop only moves finished pages along.
 */

/** What turns a portrait gray page into the coded fax page. */
export interface FinishSpec {
  readonly geometry: PageGeometry;
  readonly quality: Quality;
  /** The header line (S8), already expanded for this page; undefined for none. */
  readonly header: HeaderSpec | undefined;
}

export interface HeaderSpec {
  readonly template: string;
  readonly to: string;
  readonly from: string;
  readonly pageNumber: number;
  readonly totalPages: number;
  /** ms since the epoch. */
  readonly time: number;
  readonly timeZone: string;
  readonly fontType: string;
}

export type WorkerRequest =
  /**
   * `engine` draws the document's pages: PDFium in the worker, or MuPDF in the worker's helper
   * process; `timeoutMs` bounds each MuPDF request (the helper is killed past it).
   */
  | { readonly op: 'pdf-open'; readonly doc: string; readonly bytes: Uint8Array; readonly engine: PdfEngine; readonly timeoutMs: number }
  | { readonly op: 'pdf-page'; readonly doc: string; readonly index: number; readonly scale: 'fit' | 'none'; readonly timeoutMs: number; readonly finish: FinishSpec }
  | { readonly op: 'pdf-close'; readonly doc: string }
  /** A gray image already scaled for the page (a picture), drawn at (x, y) on a white page. */
  | { readonly op: 'gray'; readonly gray: Gray; readonly x: number; readonly y: number; readonly finish: FinishSpec }
  /**
   * A plain-text page as glyph placements on its layout surface (width x height, the fax
   * page's size once turned when `turn`): drawn, turned and thresholded here.
   */
  | {
      readonly op: 'text';
      readonly placed: PlacedText;
      readonly width: number;
      readonly height: number;
      readonly turn: boolean;
      readonly threshold: number;
      readonly finish: FinishSpec;
    }
  /** A finished bilevel page (plain text, fax TIFF pass-through): header and coding only. */
  | { readonly op: 'bitmap'; readonly bitmap: Bitmap; readonly finish: FinishSpec };

export interface PdfOpened {
  readonly pageCount: number;
}

export interface FaxPageResult {
  /**
   * The bilevel page; undefined for a page the MuPDF helper drew, which comes coded only (the
   * pipeline decodes it for whoever asks for its bits).
   */
  readonly bitmap: Bitmap | undefined;
  /** The page coded as T.6 (MMR), the default storage of fax TIFFs. */
  readonly mmr: Uint8Array;
  /** The content did not fit the page and was cut. */
  readonly cropped: boolean;
}

export interface SerializedError {
  readonly code: DocumentErrorCode | undefined;
  readonly message: string;
  readonly details: ErrorDetails;
}

export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: SerializedError };
