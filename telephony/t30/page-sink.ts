/**
 * The receiving side of T.30 phase C: coded page data in, one Bitmap out. Non-ECM data is
 * decoded as it arrives (T.4 line by line, bad rows repaired and counted for the copy
 * quality check); ECM blocks are pushed once complete. The bitmap grows by doubling, so a
 * page of unknown length costs at most twice its size; `maxLines` bounds it.
 */
import { reverseBitsInOctets } from '../../protocols/t30/index.ts';
import type { Bitmap, EndReason, Scheme } from '../../protocols/t4/index.ts';
import { LineDecoder } from '../../protocols/t4/index.ts';

export interface AssembledPage {
  readonly bitmap: Bitmap;
  readonly lines: number;
  readonly badLines: number;
  readonly consecutiveBadLinesMax: number;
  readonly endedWith: EndReason;
}

export interface PageAssemblerOptions {
  readonly width: number;
  readonly compression: Scheme;
  /** Rows after which the page is cut (A4 fine is about 2300, unlimited pages are longer). */
  readonly maxLines?: number;
}

export class PageAssembler {
  private readonly decoder: LineDecoder;
  private readonly rowBytes: number;
  private pixels: Uint8Array;
  private capacity: number;
  private result: AssembledPage | undefined;
  /** Octets received, for statistics and the "did anything arrive" question. */
  octets = 0;

  constructor(readonly options: PageAssemblerOptions) {
    this.rowBytes = (options.width + 7) >>> 3;
    this.capacity = 1024;
    this.pixels = new Uint8Array(this.capacity * this.rowBytes);
    this.decoder = new LineDecoder(
      { scheme: options.compression, width: options.width, maxLines: options.maxLines ?? 16384 },
      (row, _ok, index) => {
        if (index >= this.capacity) this.grow();
        this.pixels.set(row, index * this.rowBytes);
      },
    );
  }

  private grow(): void {
    this.capacity *= 2;
    const next = new Uint8Array(this.capacity * this.rowBytes);
    next.set(this.pixels);
    this.pixels = next;
  }

  /** Non-ECM data, first bit in the most significant position. */
  push(data: Uint8Array): void {
    this.octets += data.length;
    this.decoder.push(data);
  }

  /** ECM block data, in HDLC octet order as FCD frames carry it. */
  pushHdlcOrder(data: Uint8Array): void {
    this.push(reverseBitsInOctets(data));
  }

  /** True once RTC or EOFB ended the page: later data is fill. */
  get ended(): boolean {
    return this.decoder.done;
  }

  get lines(): number {
    return this.decoder.lines;
  }

  /** Ends the page (idempotent). */
  finish(): AssembledPage {
    if (this.result !== undefined) return this.result;
    const endedWith = this.decoder.end();
    const height = this.decoder.lines;
    const bitmap: Bitmap = {
      width: this.options.width,
      height,
      rowBytes: this.rowBytes,
      data: this.pixels.slice(0, height * this.rowBytes),
    };
    this.pixels = new Uint8Array(0);
    this.result = {
      bitmap,
      lines: height,
      badLines: this.decoder.badLines,
      consecutiveBadLinesMax: this.decoder.consecutiveBadLinesMax,
      endedWith,
    };
    return this.result;
  }
}
