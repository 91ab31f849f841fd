import type { Bitmap } from '../t4/index.ts';
import { createBitmap } from '../t4/index.ts';
import type { Scheme } from '../t4/index.ts';
import { decodePage } from '../t4/index.ts';
import { TiffError } from './errors.ts';
import type { Ifd, IfdEntry, TiffLimits } from './ifd.ts';
import { TiffView, defaultTiffLimits, readIfdChain } from './ifd.ts';
import { lzwDecode } from './lzw.ts';
import { unpackBits } from './packbits.ts';

/**
 * Reads bilevel TIFF pages as scanners and libtiff write them. `readTiff` parses only the
 * directories; a page's pixels are decoded on demand by `decodeTiffPage`, so a 100-page fax
 * never holds more than one decoded page.
 */

/** TIFF tag numbers we read (TIFF 6.0 appendix A, TIFF Class F). */
export const Tag = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  PhotometricInterpretation: 262,
  FillOrder: 266,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  PlanarConfiguration: 284,
  T4Options: 292,
  T6Options: 293,
  ResolutionUnit: 296,
  PageNumber: 297,
  Software: 305,
  Predictor: 317,
  TileWidth: 322,
  TileOffsets: 324,
} as const;

export const Compression = { None: 1, CcittRle: 2, Group3: 3, Group4: 4, Lzw: 5, PackBits: 32773 } as const;

export type TiffCompressionName = 'none' | 'ccitt-rle' | 'g3' | 'g4' | 'lzw' | 'packbits';

const compressionNames: ReadonlyMap<number, TiffCompressionName> = new Map([
  [Compression.None, 'none'],
  [Compression.CcittRle, 'ccitt-rle'],
  [Compression.Group3, 'g3'],
  [Compression.Group4, 'g4'],
  [Compression.Lzw, 'lzw'],
  [Compression.PackBits, 'packbits'],
]);

export interface TiffStrip {
  readonly offset: number;
  readonly byteCount: number;
}

export interface TiffPageInfo {
  /** 0-based position among the pages (reduced-resolution subfiles are not pages). */
  readonly index: number;
  readonly ifdOffset: number;
  readonly width: number;
  readonly height: number;
  /** The Compression tag value and its name. */
  readonly compression: number;
  readonly compressionName: TiffCompressionName;
  /** 0 = WhiteIsZero (fax default), 1 = BlackIsZero. */
  readonly photometric: 0 | 1;
  /** 1 = most significant bit first, 2 = least significant bit first. */
  readonly fillOrder: 1 | 2;
  /** T4Options (G3): bit 0 = 2-D coding, bit 1 = uncompressed mode, bit 2 = fill bits before EOL. */
  readonly t4Options: number;
  /** T6Options (G4): bit 1 = uncompressed mode. */
  readonly t6Options: number;
  /** XResolution / YResolution as stored, in `resolutionUnit`; undefined when absent. */
  readonly xRes: number | undefined;
  readonly yRes: number | undefined;
  /** 1 = no unit (aspect ratio only), 2 = inch, 3 = centimetre. */
  readonly resolutionUnit: 1 | 2 | 3;
  /** Resolution in dots per inch, undefined when the file gives none in a real unit. */
  readonly xDpi: number | undefined;
  readonly yDpi: number | undefined;
  readonly rowsPerStrip: number;
  readonly strips: readonly TiffStrip[];
  /** Compressed size of the page: the sum of its strip byte counts. */
  readonly bytes: number;
  /** PageNumber tag: [page, total] as written (0-based page; total 0 when unknown). */
  readonly pageNumber: readonly [number, number] | undefined;
  readonly software: string | undefined;
}

export interface TiffFile {
  readonly byteOrder: 'II' | 'MM';
  readonly pages: readonly TiffPageInfo[];
}

/** Parses the header and every page's directory; checks each page is a bilevel image we can decode. */
export function readTiff(bytes: Uint8Array, limits: TiffLimits = defaultTiffLimits): TiffFile {
  const view = new TiffView(bytes);
  const ifds = readIfdChain(view, limits);
  const pages: TiffPageInfo[] = [];
  for (const ifd of ifds) {
    const subfile = optionalInteger(view, ifd, Tag.NewSubfileType) ?? 0;
    // Bit 0 marks a reduced-resolution copy (a thumbnail), not a page of the document.
    if ((subfile & 1) !== 0) continue;
    pages.push(readPage(view, ifd, pages.length, limits));
  }
  if (pages.length === 0) throw new TiffError('TIFF_NO_PAGES', 'TIFF has only reduced-resolution images');
  return { byteOrder: view.order, pages };
}

function readPage(view: TiffView, ifd: Ifd, index: number, limits: TiffLimits): TiffPageInfo {
  const where = { page: index + 1, ifd: ifd.offset };
  const width = requiredNumber(view, ifd, Tag.ImageWidth, where);
  const height = requiredNumber(view, ifd, Tag.ImageLength, where);
  if (width < 1 || height < 1) throw new TiffError('TIFF_BAD_IFD', 'page has no pixels', { ...where, width, height });
  if (width > limits.maxWidth || height > limits.maxHeight) {
    throw new TiffError('TIFF_TOO_LARGE', 'page larger than allowed', { ...where, width, height, maxWidth: limits.maxWidth, maxHeight: limits.maxHeight });
  }
  if (ifd.entries.has(Tag.TileWidth) || ifd.entries.has(Tag.TileOffsets)) {
    throw new TiffError('TIFF_TILED', 'tiled TIFF pages are not supported', where);
  }
  const compression = optionalInteger(view, ifd, Tag.Compression) ?? Compression.None;
  const compressionName = compressionNames.get(compression);
  if (compressionName === undefined) {
    throw new TiffError('TIFF_UNSUPPORTED_COMPRESSION', 'compression not supported for fax pages', { ...where, compression: compressionLabel(compression) });
  }
  const samples = optionalInteger(view, ifd, Tag.SamplesPerPixel) ?? 1;
  const bitsEntry = ifd.entries.get(Tag.BitsPerSample);
  const bits = bitsEntry === undefined ? [1] : integers(view, bitsEntry, 16);
  if (samples !== 1 || bits.some((b) => b !== 1)) {
    throw new TiffError('TIFF_UNSUPPORTED_FORMAT', 'not a bilevel image', { ...where, samplesPerPixel: samples, bitsPerSample: bits.join('/') });
  }
  const photometricRaw = optionalInteger(view, ifd, Tag.PhotometricInterpretation);
  // TIFF 6.0 requires the tag; Class F readers assume WhiteIsZero when it is missing.
  const photometric = photometricRaw ?? 0;
  if (photometric !== 0 && photometric !== 1) {
    throw new TiffError('TIFF_UNSUPPORTED_FORMAT', 'photometric interpretation not supported', { ...where, photometric });
  }
  const fillOrder = optionalInteger(view, ifd, Tag.FillOrder) ?? 1;
  if (fillOrder !== 1 && fillOrder !== 2) throw new TiffError('TIFF_BAD_IFD', 'bad FillOrder', { ...where, fillOrder });
  const predictor = optionalInteger(view, ifd, Tag.Predictor) ?? 1;
  if (predictor !== 1) throw new TiffError('TIFF_UNSUPPORTED_FORMAT', 'predictor not supported on bilevel pages', { ...where, predictor });

  const rowsPerStripRaw = optionalInteger(view, ifd, Tag.RowsPerStrip) ?? 0xffffffff;
  const rowsPerStrip = Math.min(Math.max(rowsPerStripRaw, 1), height);
  const stripCount = Math.ceil(height / rowsPerStrip);
  const offsetsEntry = ifd.entries.get(Tag.StripOffsets);
  if (offsetsEntry === undefined) throw new TiffError('TIFF_MISSING_TAG', 'page has no StripOffsets', where);
  const offsets = integers(view, offsetsEntry, stripCount + 16);
  const countsEntry = ifd.entries.get(Tag.StripByteCounts);
  const counts = countsEntry === undefined ? guessByteCounts(view, offsets, compression, width, rowsPerStrip) : integers(view, countsEntry, stripCount + 16);
  if (counts.length < offsets.length) throw new TiffError('TIFF_BAD_IFD', 'fewer StripByteCounts than StripOffsets', { ...where, offsets: offsets.length, counts: counts.length });
  const strips: TiffStrip[] = [];
  let bytes = 0;
  for (let i = 0; i < Math.min(offsets.length, stripCount); i++) {
    const offset = offsets[i]!;
    const byteCount = counts[i]!;
    view.check(offset, byteCount);
    strips.push({ offset, byteCount });
    bytes += byteCount;
  }

  const unitRaw = optionalInteger(view, ifd, Tag.ResolutionUnit) ?? 2;
  const resolutionUnit = unitRaw === 1 || unitRaw === 3 ? unitRaw : 2;
  const xRes = optionalNumber(view, ifd, Tag.XResolution);
  const yRes = optionalNumber(view, ifd, Tag.YResolution);
  const toDpi = (r: number | undefined): number | undefined =>
    r === undefined || r <= 0 || resolutionUnit === 1 ? undefined : resolutionUnit === 3 ? r * 2.54 : r;
  const pageNumberEntry = ifd.entries.get(Tag.PageNumber);
  const pn = pageNumberEntry === undefined || pageNumberEntry.count < 2 ? undefined : view.values({ ...pageNumberEntry, count: 2 }, 2);
  const softwareEntry = ifd.entries.get(Tag.Software);
  return {
    index,
    ifdOffset: ifd.offset,
    width,
    height,
    compression,
    compressionName,
    photometric,
    fillOrder,
    t4Options: optionalInteger(view, ifd, Tag.T4Options) ?? 0,
    t6Options: optionalInteger(view, ifd, Tag.T6Options) ?? 0,
    xRes,
    yRes,
    resolutionUnit,
    xDpi: toDpi(xRes),
    yDpi: toDpi(yRes),
    rowsPerStrip,
    strips,
    bytes,
    pageNumber: pn === undefined ? undefined : [pn[0]!, pn[1]!],
    software: softwareEntry === undefined || softwareEntry.type !== 2 ? undefined : view.ascii(softwareEntry, 256),
  };
}

/** Without StripByteCounts (old writers), uncompressed sizes follow from the geometry; else the last strip runs to the end of the file. */
function guessByteCounts(view: TiffView, offsets: number[], compression: number, width: number, rowsPerStrip: number): number[] {
  if (compression === Compression.None) return offsets.map(() => Math.ceil(width / 8) * rowsPerStrip);
  if (offsets.length === 1) return [Math.max(0, view.bytes.length - offsets[0]!)];
  throw new TiffError('TIFF_MISSING_TAG', 'compressed page with several strips has no StripByteCounts', { strips: offsets.length });
}

/** First value of a tag; undefined when absent or not a finite number (e.g. a NaN float). */
function optionalNumber(view: TiffView, ifd: Ifd, tag: number): number | undefined {
  const e: IfdEntry | undefined = ifd.entries.get(tag);
  if (e === undefined || e.count === 0) return undefined;
  const v = view.values({ ...e, count: 1 }, 1)[0]!;
  return Number.isFinite(v) ? v : undefined;
}

/** Sizes, offsets, counts and codes are whole numbers; a float or negative value there is a broken IFD. */
function optionalInteger(view: TiffView, ifd: Ifd, tag: number): number | undefined {
  const v = optionalNumber(view, ifd, tag);
  if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) throw new TiffError('TIFF_BAD_IFD', 'tag value is not a whole number', { ifd: ifd.offset, tag, value: v });
  return v;
}

function integers(view: TiffView, entry: IfdEntry, max: number): number[] {
  const vs = view.values(entry, max);
  const bad = vs.find((v) => !(Number.isSafeInteger(v) && v >= 0));
  if (bad !== undefined) throw new TiffError('TIFF_BAD_IFD', 'tag value is not a whole number', { tag: entry.tag, value: bad });
  return vs;
}

function requiredNumber(view: TiffView, ifd: Ifd, tag: number, where: Record<string, number>): number {
  const v = optionalInteger(view, ifd, tag);
  if (v === undefined) throw new TiffError('TIFF_MISSING_TAG', 'required tag missing', { ...where, tag });
  return v;
}

function compressionLabel(c: number): string {
  const known: Record<number, string> = { 6: 'old-jpeg', 7: 'jpeg', 8: 'deflate', 32946: 'deflate', 34712: 'jpeg2000', 34925: 'lzma', 50000: 'zstd', 50001: 'webp' };
  return known[c] === undefined ? String(c) : `${c} (${known[c]})`;
}

// ---------------------------------------------------------------------------------------
// Raw strip access: G3/G4 pages go to PDF or T.30 as coded, without a decode/encode trip.

/** The page's strips as stored in the file (no bit reversal, no decompression). */
export function tiffPageStrips(bytes: Uint8Array, page: TiffPageInfo): Uint8Array[] {
  return page.strips.map((s) => bytes.subarray(s.offset, s.offset + s.byteCount));
}

/** A page's T.4/T.6 coded data with what a CCITT decoder needs to know about it. */
export interface TiffCodedPage {
  readonly scheme: Scheme;
  /** The data in PDF CCITTFaxDecode terms: -1 = G4, 0 = G3 1-D, >0 = G3 2-D. */
  readonly k: number;
  /** Coded bits MSB-first (FillOrder 2 already reversed). */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Every row starts with an EOL (TIFF compression 3). */
  readonly eol: boolean;
  /** Every row starts on a byte boundary, no EOLs (TIFF compression 2). */
  readonly byteAlignRows: boolean;
  /** Fill bits so that each EOL ends on a byte boundary (T4Options bit 2). */
  readonly alignEol: boolean;
  /** Coded black runs are white pixels (PhotometricInterpretation 1): PDF's BlackIs1. */
  readonly blackIs1: boolean;
}

/**
 * The page's CCITT data as one stream, or undefined when the page is not CCITT coded or
 * cannot be passed on as one stream (a G4 page in several strips: each strip restarts
 * the reference line, so their concatenation is not a T.6 page).
 */
export function tiffPageCoded(bytes: Uint8Array, page: TiffPageInfo): TiffCodedPage | undefined {
  const common = { width: page.width, height: page.height, blackIs1: page.photometric === 1 };
  const join = (): Uint8Array => {
    const parts = tiffPageStrips(bytes, page).map((s) => (page.fillOrder === 2 ? reverseBits(s) : s));
    return parts.length === 1 && page.fillOrder === 1 ? parts[0]!.slice() : concat(parts);
  };
  switch (page.compression) {
    case Compression.CcittRle:
      return { ...common, scheme: 'mh', k: 0, data: join(), eol: false, byteAlignRows: true, alignEol: false };
    case Compression.Group3: {
      // Rows of a G3 page each start with an EOL, so strips simply concatenate.
      const twoD = (page.t4Options & 1) !== 0;
      return { ...common, scheme: twoD ? 'mr' : 'mh', k: twoD ? 4 : 0, data: join(), eol: true, byteAlignRows: false, alignEol: (page.t4Options & 4) !== 0 };
    }
    case Compression.Group4:
      if (page.strips.length !== 1) return undefined;
      return { ...common, scheme: 'mmr', k: -1, data: join(), eol: false, byteAlignRows: false, alignEol: false };
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// Pixel decoding.

export interface TiffDecodedPage {
  readonly bitmap: Bitmap;
  /** Rows that did not decode cleanly, including rows missing from short strips. */
  readonly badLines: number;
  /** Bad rows the CCITT decoder replaced by the row above. */
  readonly repairedLines: number;
}

/** Decodes one page to a bitmap (1 = black whatever the file's photometric interpretation). */
export function decodeTiffPage(bytes: Uint8Array, page: TiffPageInfo): Bitmap {
  return decodeTiffPageWithReport(bytes, page).bitmap;
}

/** Like decodeTiffPage, and says how many rows were damaged. */
export function decodeTiffPageWithReport(bytes: Uint8Array, page: TiffPageInfo): TiffDecodedPage {
  const out = createBitmap(page.width, page.height);
  const rb = out.rowBytes;
  let badLines = 0;
  let repairedLines = 0;
  const stripsNeeded = Math.ceil(page.height / page.rowsPerStrip);
  for (let s = 0; s < stripsNeeded; s++) {
    const firstRow = s * page.rowsPerStrip;
    const rows = Math.min(page.rowsPerStrip, page.height - firstRow);
    const strip = page.strips[s];
    if (strip === undefined) {
      badLines += rows;
      continue;
    }
    let raw = bytes.subarray(strip.offset, strip.offset + strip.byteCount);
    if (page.fillOrder === 2) raw = reverseBits(raw);
    const target = out.data.subarray(firstRow * rb, (firstRow + rows) * rb);
    const r = decodeStrip(raw, page, rows, rb, target);
    badLines += r.badLines;
    repairedLines += r.repairedLines;
  }
  if (page.photometric === 1) invert(out.data);
  clearPadding(out);
  return { bitmap: out, badLines, repairedLines };
}

function decodeStrip(raw: Uint8Array, page: TiffPageInfo, rows: number, rb: number, target: Uint8Array): { badLines: number; repairedLines: number } {
  const expected = rows * rb;
  switch (page.compression) {
    case Compression.None: {
      const n = Math.min(expected, raw.length);
      target.set(raw.subarray(0, n));
      return { badLines: rows - Math.floor(n / rb), repairedLines: 0 };
    }
    case Compression.PackBits:
    case Compression.Lzw: {
      const r = page.compression === Compression.Lzw ? lzwDecode(raw, expected) : unpackBits(raw, expected);
      target.set(r.data);
      return { badLines: rows - Math.floor(r.produced / rb), repairedLines: 0 };
    }
    case Compression.CcittRle:
    case Compression.Group3:
    case Compression.Group4: {
      const twoD = page.compression === Compression.Group3 && (page.t4Options & 1) !== 0;
      const scheme: Scheme = page.compression === Compression.Group4 ? 'mmr' : twoD ? 'mr' : 'mh';
      const r = decodePage(raw, {
        scheme,
        width: page.width,
        height: rows,
        maxLines: rows,
        eol: page.compression === Compression.Group3,
        byteAlignRows: page.compression === Compression.CcittRle,
      });
      const b = r.bitmap;
      for (let y = 0; y < Math.min(rows, b.height); y++) {
        target.set(b.data.subarray(y * b.rowBytes, y * b.rowBytes + rb), y * rb);
      }
      const missing = Math.max(0, rows - r.lines);
      return { badLines: r.badLines + missing, repairedLines: r.repairedLines };
    }
    default:
      throw new TiffError('TIFF_UNSUPPORTED_COMPRESSION', 'compression not supported', { compression: page.compression });
  }
}

const reverseTable = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let r = 0;
    for (let b = 0; b < 8; b++) if ((i >> b) & 1) r |= 0x80 >> b;
    t[i] = r;
  }
  return t;
})();

/** A copy with the bit order of every byte reversed (FillOrder 2 to 1 and back). */
export function reverseBits(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = reverseTable[src[i]!]!;
  return out;
}

function invert(data: Uint8Array): void {
  for (let i = 0; i < data.length; i++) data[i] = ~data[i]! & 0xff;
}

/** Bitmap's contract: bits past the width are 0 (files may hold anything there). */
function clearPadding(b: Bitmap): void {
  const tail = b.width & 7;
  if (tail === 0) return;
  const mask = (0xff00 >> tail) & 0xff;
  for (let i = b.rowBytes - 1; i < b.data.length; i += b.rowBytes) b.data[i]! &= mask;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
