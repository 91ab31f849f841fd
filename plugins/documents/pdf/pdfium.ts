import { PDFiumLibrary } from '@hyzyla/pdfium';
import { DocumentError } from '../errors.ts';

/**
 * PDFium (WASM) at the level of its C API. The package's page objects allocate, fill and copy
 * a fresh bitmap per render and close the page afterwards; a fax page is 4 MB of gray, so we
 * keep one page-sized bitmap per worker and render each page into a rectangle of it, turned
 * and scaled by PDFium itself (no second pass over the pixels in JavaScript).
 *
 * Runs inside a page worker (worker/page-worker.ts): the calls are synchronous and take tens
 * of milliseconds per page.
 */

/** The part of the Emscripten module we call (names as in fpdfview.h). */
interface PdfiumCore {
  readonly HEAPU8: Uint8Array;
  readonly wasmExports: { malloc(size: number): number; free(ptr: number): void };
  _FPDF_LoadMemDocument(data: number, size: number, password: number): number;
  _FPDF_CloseDocument(doc: number): void;
  _FPDF_GetLastError(): number;
  _FPDF_GetPageCount(doc: number): number;
  _FPDF_LoadPage(doc: number, index: number): number;
  _FPDF_ClosePage(page: number): void;
  _FPDF_GetPageWidthF(page: number): number;
  _FPDF_GetPageHeightF(page: number): number;
  _FPDFBitmap_CreateEx(width: number, height: number, format: number, buffer: number, stride: number): number;
  _FPDFBitmap_Destroy(bitmap: number): void;
  _FPDFBitmap_FillRect(bitmap: number, left: number, top: number, width: number, height: number, color: number): void;
  _FPDF_RenderPageBitmap(bitmap: number, page: number, x: number, y: number, width: number, height: number, rotate: number, flags: number): void;
}

/** FPDF_GetLastError values (fpdfview.h). */
const FPDF_ERR_FILE = 2;
const FPDF_ERR_FORMAT = 3;
const FPDF_ERR_PASSWORD = 4;
const FPDF_ERR_SECURITY = 5;

const FPDFBitmap_Gray = 1;
/**
 * FPDF_ANNOT | FPDF_GRAYSCALE | FPDF_PRINTING | FPDF_RENDER_NO_SMOOTHTEXT | _NO_SMOOTHIMAGE |
 * _NO_SMOOTHPATH: draw annotations (filled-in forms, stamps) as a printer would, without
 * anti-aliasing. At 204x196 anti-aliased glyph edges thresholded (at any level we tried) read
 * worse under OCR than glyphs rasterised straight to black and white (see
 * test/interop/documents/ocr-pdf.test.ts), and not smoothing is also faster.
 */
const renderFlags = 0x01 | 0x08 | 0x800 | 0x1000 | 0x2000 | 0x4000;
/** FPDF_RenderPageBitmap's `rotate`: 3 = 90° counter-clockwise. */
const rotateCcw = 3;

let core: Promise<PdfiumCore> | undefined;

function loadCore(): Promise<PdfiumCore> {
  core ??= PDFiumLibrary.init().then((lib) => (lib as unknown as { module: PdfiumCore }).module);
  return core;
}

export interface PdfPageSize {
  /** In points (1/72 inch). */
  readonly width: number;
  readonly height: number;
}

/** Where a page lands on the target, in its pixels. */
export interface PageRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly rotation: 0 | 90;
}

export class PdfiumDocument {
  private closed = false;

  private constructor(
    private readonly m: PdfiumCore,
    private readonly doc: number,
    private readonly dataPtr: number,
    readonly pageCount: number,
  ) {}

  static async open(bytes: Uint8Array): Promise<PdfiumDocument> {
    const m = await loadCore();
    const ptr = m.wasmExports.malloc(bytes.length);
    if (ptr === 0) throw new DocumentError('DOC_TOO_LARGE', { bytes: bytes.length, reason: 'out of PDF renderer memory' });
    m.HEAPU8.set(bytes, ptr);
    const doc = m._FPDF_LoadMemDocument(ptr, bytes.length, 0);
    if (doc === 0) {
      const err = m._FPDF_GetLastError();
      m.wasmExports.free(ptr);
      if (err === FPDF_ERR_PASSWORD) throw new DocumentError('DOC_PASSWORD_PROTECTED', { format: 'pdf' });
      if (err === FPDF_ERR_SECURITY) throw new DocumentError('DOC_PASSWORD_PROTECTED', { format: 'pdf', reason: 'unsupported security handler' });
      throw new DocumentError('DOC_CORRUPT', { format: 'pdf', pdfium: err === FPDF_ERR_FORMAT ? 'format' : err === FPDF_ERR_FILE ? 'file' : err });
    }
    const pages = m._FPDF_GetPageCount(doc);
    if (pages < 1) {
      m._FPDF_CloseDocument(doc);
      m.wasmExports.free(ptr);
      throw new DocumentError('DOC_EMPTY', { format: 'pdf' });
    }
    return new PdfiumDocument(m, doc, ptr, pages);
  }

  /**
   * Renders page `index` into `target`, fitted to the rectangle `place` picks for the page's
   * size (turned counter-clockwise when its rotation is 90), and returns that rectangle. The
   * page is loaded once: loading parses its content, as long as a tenth of drawing a text page.
   */
  render<R extends PageRect>(index: number, target: GrayTarget, place: (size: PdfPageSize) => R): R {
    const page = this.m._FPDF_LoadPage(this.doc, index);
    if (page === 0) throw new DocumentError('DOC_CORRUPT', { format: 'pdf', page: index + 1 });
    try {
      const rect = place({ width: this.m._FPDF_GetPageWidthF(page), height: this.m._FPDF_GetPageHeightF(page) });
      this.m._FPDF_RenderPageBitmap(target.bitmap, page, rect.x, rect.y, rect.width, rect.height, rect.rotation === 90 ? rotateCcw : 0, renderFlags);
      return rect;
    } finally {
      this.m._FPDF_ClosePage(page);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.m._FPDF_CloseDocument(this.doc);
    this.m.wasmExports.free(this.dataPtr);
  }
}

/** A white page-sized gray bitmap inside PDFium's memory, reused page after page. */
export class GrayTarget {
  private constructor(
    private readonly m: PdfiumCore,
    readonly bitmap: number,
    private readonly ptr: number,
    readonly width: number,
    readonly height: number,
  ) {}

  static async create(width: number, height: number): Promise<GrayTarget> {
    const m = await loadCore();
    const ptr = m.wasmExports.malloc(width * height);
    if (ptr === 0) throw new RangeError(`PDFium could not allocate a page [width:${width}, height:${height}]`);
    const bitmap = m._FPDFBitmap_CreateEx(width, height, FPDFBitmap_Gray, ptr, width);
    return new GrayTarget(m, bitmap, ptr, width, height);
  }

  /** White all over; a plain memset (PDFium's FillRect goes through its compositor, 5x slower). */
  clear(): void {
    this.m.HEAPU8.fill(255, this.ptr, this.ptr + this.width * this.height);
  }

  /**
   * The pixels, as a view into WASM memory: valid until the next PDFium call (memory growth
   * replaces the buffer), so read it right away.
   */
  pixels(): Uint8Array {
    return this.m.HEAPU8.subarray(this.ptr, this.ptr + this.width * this.height);
  }

  destroy(): void {
    this.m._FPDFBitmap_Destroy(this.bitmap);
    this.m.wasmExports.free(this.ptr);
  }
}
