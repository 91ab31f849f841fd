/**
 * TIFF files as a fax call's document and as its receive sink: what `faxgate t38`, `faxgate
 * call` and the SIP gateway's inbound calls share. Pages are decoded one at a time as the call
 * asks for them, and received pages are appended as they are accepted, so a call that fails
 * after some pages keeps what came and a 100-page fax never sits decoded in memory at once.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { TiffError, TiffStreamWriter, decodeTiffPage, readTiff } from '../../protocols/tiff/index.ts';
import type { FaxReceiveSink, FaxResolution, FaxSendDocument, ReceivedPage } from './types.ts';

/** The pages of a TIFF, decoded one at a time as the call asks for them. Throws TiffError. */
export function tiffDocument(bytes: Uint8Array): FaxSendDocument {
  const file = readTiff(bytes);
  const first = file.pages[0];
  if (first === undefined) throw new TiffError('TIFF_NO_PAGES', 'no pages');
  return {
    pageCount: file.pages.length,
    resolution: resolutionOf(first.yDpi, first.height),
    ...widthOf(first.width),
    // Pages of another resolution or width go out as a new message (EOM, new DCS).
    pageFormat: (index) => {
      const info = file.pages[index] ?? first;
      return { resolution: resolutionOf(info.yDpi, info.height), width: widthOf(info.width).width ?? 1728 };
    },
    page: async (index) => {
      const info = file.pages[index];
      if (info === undefined) throw new RangeError(`no page ${index + 1}`);
      return decodeTiffPage(bytes, info);
    },
  };
}

function resolutionOf(yDpi: number | undefined, height: number): FaxResolution {
  if (yDpi === undefined) return height > 1400 ? 'fine' : 'standard';
  if (yDpi >= 300) return 'superfine';
  if (yDpi >= 150) return 'fine';
  return 'standard';
}

/** A B4 (2048) or A3 (2432) page asks DCS for its own width; anything else goes out at A4. */
function widthOf(pels: number): { width?: 2048 | 2432 } {
  return pels === 2048 || pels === 2432 ? { width: pels } : {};
}

const Y_DPI: Record<FaxResolution, number> = { standard: 98, fine: 196, superfine: 391 };

/**
 * Appends each accepted page to a TIFF (MMR) as it arrives. After every page the file is a
 * complete TIFF of the pages so far (a provisional last directory, overwritten by the next
 * page), so a crash mid-call keeps every accepted page readable; with `durable` each page is
 * synced to disk before the engine confirms it. The file exists only once a page came.
 */
export class TiffFileSink implements FaxReceiveSink {
  private fd: number | undefined;
  private readonly writer: TiffStreamWriter;
  pages = 0;
  bytes = 0;

  constructor(
    readonly path: string,
    private readonly options: { readonly software?: string; readonly durable?: boolean } = {},
  ) {
    this.writer = new TiffStreamWriter({ compression: 'mmr', software: options.software ?? 'faxgate' });
  }

  async onPage(page: ReceivedPage): Promise<void> {
    const at = this.writer.length;
    const bytes = this.writer.addPage({ bitmap: page.bitmap, xRes: 204, yRes: Y_DPI[page.resolution] });
    this.fd ??= openSync(this.path, 'w');
    writeSync(this.fd, bytes, 0, bytes.length, at);
    const tail = this.writer.provisionalTail();
    writeSync(this.fd, tail, 0, tail.length, this.writer.length);
    if (this.options.durable === true) fsyncSync(this.fd);
    this.bytes = this.writer.length + tail.length;
    this.pages++;
  }

  finish(): void {
    if (this.fd === undefined) return;
    const tail = this.writer.finish();
    writeSync(this.fd, tail, 0, tail.length, this.writer.length - tail.length);
    this.bytes = this.writer.length;
    if (this.options.durable === true) fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}
