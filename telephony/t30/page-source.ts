/**
 * The sending side of T.30 phase C: one page Bitmap, as given by the document, turned into
 * what the negotiated DCS asks for (T.30 5.3.6.2, T.4 4.1-4.2):
 *
 *   - width: pages are sent at exactly the DCS width (1728/2048/2432 pels). A wider page is
 *     cropped around its centre; a narrower one is centred on white. Offsets are whole
 *     octets so rows are copied, not shifted. (Scaling would keep the whole page but blur
 *     text; cropping keeps text sharp and loses only margins on A4-on-B4 documents.)
 *   - resolution: when the receiver lacks the document's resolution (DCS picks the next
 *     coarser one), every 2 (or 4) rows are merged by OR, so thin lines survive.
 *   - coding: MH, MR (K = 2 standard, 4 fine, 8 superfine, T.4 4.2.1.3.4) or MMR.
 *
 * Non-ECM data streams row by row (`nonEcmPageChunks`): each scan line lasts at least the
 * DCS minimum scan line time (fill bits), and RTC is followed by 40 ms of zeros, because
 * some receivers cut the last rows off otherwise (FIELD-NOTES). ECM data (`ecmPageData`) is
 * the whole coded page, in HDLC octet order for FCD frames: the first bit on the line is the
 * least significant bit of each octet (T.4 Annex A sends the coded bit stream over HDLC,
 * which transmits LSB first). Only one page is held at a time.
 */
import { reverseBitsInOctets } from '../../protocols/t30/index.ts';
import type { Bitmap, Scheme } from '../../protocols/t4/index.ts';
import { LineEncoder, decodePage } from '../../protocols/t4/index.ts';

export type PageResolution = 'standard' | 'fine' | 'superfine';

export interface PageCoding {
  /** The DCS width in pels. */
  readonly width: number;
  readonly compression: Scheme;
  /** The resolution of the Bitmap. */
  readonly fromResolution: PageResolution;
  /** The DCS resolution (never finer than fromResolution). */
  readonly toResolution: PageResolution;
}

const LINES_PER_MM: Record<PageResolution, number> = { standard: 1, fine: 2, superfine: 4 };
const MR_K: Record<PageResolution, number> = { standard: 2, fine: 4, superfine: 8 };

/** How many document rows make one sent row. */
export function rowMergeFactor(from: PageResolution, to: PageResolution): number {
  return Math.max(1, LINES_PER_MM[from] / LINES_PER_MM[to]);
}

/**
 * The rows of `page` conformed to `width` and the merge factor, produced one by one into a
 * single reused buffer (callers copy if they keep a row).
 */
export function* conformedRows(page: Bitmap, width: number, merge: number): Generator<Uint8Array> {
  const outBytes = (width + 7) >>> 3;
  const row = new Uint8Array(outBytes);
  const tailBits = width & 7;
  const tailMask = tailBits === 0 ? 0xff : (0xff00 >>> tailBits) & 0xff;
  // Whole-octet offsets: crop (src > 0) or centre on white (dst > 0).
  const srcOff = page.width > width ? ((page.width - width) >>> 4) : 0;
  const dstOff = page.width < width ? ((width - page.width) >>> 4) : 0;
  const copyBytes = Math.min(outBytes - dstOff, page.rowBytes - srcOff);
  for (let y = 0; y < page.height; y += merge) {
    row.fill(0);
    for (let m = 0; m < merge && y + m < page.height; m++) {
      const base = (y + m) * page.rowBytes + srcOff;
      for (let i = 0; i < copyBytes; i++) row[dstOff + i] = (row[dstOff + i] ?? 0) | (page.data[base + i] ?? 0);
    }
    // The source's own padding bits (past its width) must not show up as pixels.
    if (page.width < width && (page.width & 7) !== 0) {
      const last = dstOff + page.rowBytes - 1;
      row[last] = (row[last] ?? 0) & ((0xff00 >>> (page.width & 7)) & 0xff);
    }
    row[outBytes - 1] = (row[outBytes - 1] ?? 0) & tailMask;
    yield row;
  }
}

function encoderFor(coding: PageCoding, minBitsPerLine: number): LineEncoder {
  return new LineEncoder(coding.width, {
    scheme: coding.compression,
    k: MR_K[coding.toResolution],
    minBitsPerLine,
  });
}

export interface NonEcmTiming {
  /** DCS minimum scan line time. */
  readonly minScanLineMs: number;
  readonly bitRate: number;
}

/** Octets of zeros after RTC: 40 ms at the modem rate. */
export function rtcPaddingOctets(bitRate: number): number {
  return Math.ceil((bitRate * 0.04) / 8);
}

/**
 * Non-ECM page data for `FaxModem.sendPage`, coded as the modem pulls it: chunks of about
 * `chunkOctets`, first bit in the most significant position.
 */
export function* nonEcmPageChunks(page: Bitmap, coding: PageCoding, timing: NonEcmTiming, chunkOctets = 512): Generator<Uint8Array> {
  if (coding.compression === 'mmr') throw new RangeError('MMR needs ECM (T.30 Table 2 note)');
  const minBits = Math.ceil((timing.minScanLineMs * timing.bitRate) / 1000);
  const enc = encoderFor(coding, minBits);
  const merge = rowMergeFactor(coding.fromResolution, coding.toResolution);
  let drainedBits = 0;
  for (const row of conformedRows(page, coding.width, merge)) {
    enc.encodeLine(row);
    if (enc.bitLength - drainedBits >= chunkOctets * 8) {
      const part = enc.drain();
      drainedBits += part.length * 8;
      if (part.length > 0) yield part;
    }
  }
  const last = enc.finish();
  const pad = new Uint8Array(last.length + rtcPaddingOctets(timing.bitRate));
  pad.set(last);
  yield pad;
}

/** The whole coded page for ECM, in HDLC octet order (see the module comment). */
export function ecmPageData(page: Bitmap, coding: PageCoding): Uint8Array {
  const enc = encoderFor(coding, 0);
  const merge = rowMergeFactor(coding.fromResolution, coding.toResolution);
  const parts: Uint8Array[] = [];
  let total = 0;
  let rows = 0;
  for (const row of conformedRows(page, coding.width, merge)) {
    enc.encodeLine(row);
    if ((++rows & 255) === 0) {
      const p = enc.drain();
      parts.push(p);
      total += p.length;
    }
  }
  const last = enc.finish();
  parts.push(last);
  total += last.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return reverseBitsInOctets(out);
}

/**
 * A page already coded (a TIFF's G4 strip, say), with what is needed to decode it. When the
 * DCS asks for exactly this coding, width and resolution over ECM, the data goes into FCD
 * frames as it is: no decode and re-encode (the sender's largest cost per page).
 */
export interface CodedPage {
  readonly kind: 'coded';
  readonly compression: Scheme;
  readonly width: number;
  readonly height: number;
  readonly resolution: PageResolution;
  /** T.4/T.6 data, first bit in the most significant position (TIFF FillOrder 1). */
  readonly data: Uint8Array;
}

/** The ECM data for a coded page that matches the coding exactly, else undefined. */
export function ecmPassThrough(page: CodedPage, coding: PageCoding): Uint8Array | undefined {
  if (page.compression !== coding.compression || page.width !== coding.width || page.resolution !== coding.toResolution) return undefined;
  return reverseBitsInOctets(page.data);
}

/** The bitmap of a coded page, for when it must be re-coded. */
export function decodeCodedPage(page: CodedPage): Bitmap {
  return decodePage(page.data, { scheme: page.compression, width: page.width, height: page.height }).bitmap;
}
