import { DocumentError } from '../errors.ts';
import { placeContent } from '../place.ts';
import { pdfRasterBinary } from '../pdf/mupdf/engine.ts';
import { PdfRasterHelper } from '../pdf/mupdf/helper.ts';
import { placementMatrix } from '../pdf/mupdf/matrix.ts';
import type { PdfPageSize } from '../pdf/mupdf/matrix.ts';
import { finishStrip } from './finish.ts';
import type { FinishSpec } from './protocol.ts';

/**
 * A page worker's PDFs drawn by MuPDF: each worker thread has its own helper process
 * (started on its first PDF), so two workers keep two helpers drawing while the threads
 * code the pages they already have. Requests go to the helper the moment they arrive, not
 * after the page before has been coded: that overlap is the point of the separate process.
 */
export class MupdfPages {
  private helper: PdfRasterHelper | undefined;
  /** Page sizes of each open document, once the helper has opened it. */
  private readonly docs = new Map<string, Promise<readonly PdfPageSize[]>>();

  has(doc: string): boolean {
    return this.docs.has(doc);
  }

  async open(doc: string, bytes: Uint8Array, timeoutMs: number): Promise<number> {
    this.helper ??= new PdfRasterHelper({ binary: pdfRasterBinary, maxMemoryMb: 2048 });
    const opened = this.helper.open(doc, bytes, timeoutMs);
    const sizes = opened.then((o) => o.sizes);
    // Pages asked for before the open is answered wait on it; a failed open is reported once, here.
    sizes.catch(() => undefined);
    this.docs.set(doc, sizes);
    try {
      const { pageCount } = await opened;
      if (pageCount < 1) throw new DocumentError('DOC_EMPTY', { format: 'pdf' });
      return pageCount;
    } catch (err) {
      this.docs.delete(doc);
      await this.helper.close(doc);
      throw err;
    }
  }

  /**
   * Page `index` as the finished fax page coded as T.6 (MMR), and whether its content was cut.
   * The helper thresholds (or diffuses) and codes the page itself; the header line is drawn
   * here and sent with the request, to go over the page's top rows there.
   */
  async page(doc: string, index: number, scale: 'fit' | 'none', timeoutMs: number, finish: FinishSpec): Promise<{ mmr: Uint8Array; cropped: boolean }> {
    const sizes = await this.docs.get(doc);
    const helper = this.helper;
    if (sizes === undefined || helper === undefined) throw new Error(`no open PDF [doc:${doc}]`);
    const size = sizes[index];
    if (size === undefined || !(size.width > 0 && size.height > 0)) throw new DocumentError('DOC_CORRUPT', { format: 'pdf', page: index + 1, reason: 'page has no size' });
    const g = finish.geometry;
    const place = placeContent({ widthMm: (size.width / 72) * 25.4, heightMm: (size.height / 72) * 25.4 }, g, scale);
    const top = await finishStrip(finish);
    const mmr = await helper.render(doc, index, {
      width: g.widthPx,
      height: g.heightPx,
      clip: { x: place.x, y: place.y, width: place.width, height: place.height },
      matrix: placementMatrix(size, place),
      // mono at 128, as toBilevel's default for PDF pages.
      mode: finish.quality,
      output: 'mmr',
      top: top?.data,
      timeoutMs,
    });
    return { mmr, cropped: place.cropped };
  }

  async close(doc: string): Promise<void> {
    this.docs.delete(doc);
    await this.helper?.close(doc);
  }
}
