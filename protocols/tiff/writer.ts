import type { Bitmap } from '../t4/index.ts';
import type { Scheme } from '../t4/index.ts';
import { decodePage, encodePage } from '../t4/index.ts';
import { TiffError } from './errors.ts';
import { Compression, Tag } from './reader.ts';
import { packBits } from './packbits.ts';

/**
 * Writes TIFF Class F style fax files: one strip per page, FillOrder 1, WhiteIsZero,
 * NewSubfileType 2 (a page of a multi-page document), PageNumber (n, total), little-endian.
 *
 * `TiffStreamWriter` hands out the file as chunks, one per page added, so a long fax is
 * written with one page in memory; `writeTiff` is the same writer collected into one array.
 */

export type TiffWriteCompression = 'none' | 'mh' | 'mr' | 'mmr' | 'packbits';

/** A page already T.4/T.6 coded (e.g. received over T.30), written as is when the scheme matches. */
export interface TiffEncodedPage {
  readonly scheme: Scheme;
  /** MSB-first coded data; MH/MR with an EOL before every row, as T.4 sends them. */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** MH/MR: fill bits make each EOL end on a byte boundary (sets T4Options bit 2). */
  readonly alignEol?: boolean;
}

export type TiffWritePage = ({ readonly bitmap: Bitmap } | { readonly encoded: TiffEncodedPage }) & {
  /** Dots per inch: 204 x 98 (standard), 204 x 196 (fine), 204 x 391 (superfine), or 200/300/400. */
  readonly xRes: number;
  readonly yRes: number;
};

export interface TiffWriteOptions {
  readonly compression: TiffWriteCompression;
  /** MR only: one 1-D row every k rows. Default 2 below 150 lines per inch, else 4 (T.4 4.2.1.3). */
  readonly k?: number;
  /** Written as the Software tag. */
  readonly software?: string;
}

export interface TiffStreamOptions extends TiffWriteOptions {
  /** Second value of PageNumber; 0 ("unknown", TIFF 6.0) when the count is not known up front. */
  readonly totalPages?: number;
}

export function writeTiff(pages: readonly TiffWritePage[], options: TiffWriteOptions): Uint8Array {
  if (pages.length === 0) throw new TiffError('TIFF_BAD_ARGUMENT', 'a TIFF needs at least one page');
  const w = new TiffStreamWriter({ ...options, totalPages: pages.length });
  const chunks = pages.map((p) => w.addPage(p));
  chunks.push(w.finish());
  return concat(chunks);
}

interface PendingIfd {
  readonly entries: readonly Entry[];
}

/**
 * Appends pages one at a time. Each call returns the bytes to append to the file: the page's
 * strip, preceded by the previous page's IFD (which can only be written once it is known
 * whether, and where, a next page follows). `finish` returns the last IFD.
 */
export class TiffStreamWriter {
  private pos = 0;
  private pages = 0;
  private pending: PendingIfd | undefined;
  private finished = false;

  constructor(private readonly options: TiffStreamOptions) {}

  addPage(page: TiffWritePage): Uint8Array {
    if (this.finished) throw new TiffError('TIFF_BAD_ARGUMENT', 'page added after finish');
    const { strip, compressionTags, width, height } = encodeStrip(page, this.options);
    const parts: Uint8Array[] = [];
    if (this.pending === undefined) {
      // First page: header, then the strip; its IFD follows the strip.
      const header = new Uint8Array(8);
      const dv = new DataView(header.buffer);
      header[0] = 0x49;
      header[1] = 0x49;
      dv.setUint16(2, 42, true);
      dv.setUint32(4, even(8 + strip.length), true);
      parts.push(header);
      this.pos = 8;
    } else {
      const ifdAt = this.pos;
      const size = ifdSize(this.pending.entries);
      const nextIfdAt = even(ifdAt + size + strip.length);
      parts.push(buildIfd(ifdAt, this.pending.entries, nextIfdAt));
      this.pos += size;
    }
    const stripAt = this.pos;
    parts.push(strip);
    this.pos += strip.length;
    if (this.pos % 2 !== 0) {
      parts.push(new Uint8Array(1));
      this.pos += 1;
    }
    this.pending = { entries: pageEntries(page, width, height, stripAt, strip.length, compressionTags, this.pages, this.options) };
    this.pages++;
    return concat(parts);
  }

  /**
   * The IFD that would end the file now, without ending it: written after each page (at the
   * current end, where the next page's IFD will overwrite it), it keeps the file a complete
   * TIFF of the pages so far, so a reception cut off by a crash loses no accepted page.
   */
  provisionalTail(): Uint8Array {
    if (this.pending === undefined) throw new TiffError('TIFF_BAD_ARGUMENT', 'a TIFF needs at least one page');
    return buildIfd(this.pos, this.pending.entries, 0);
  }

  /** Bytes emitted so far (where the next addPage or finish output goes). */
  get length(): number {
    return this.pos;
  }

  /** The last IFD; the file is complete once it is appended. */
  finish(): Uint8Array {
    if (this.pending === undefined) throw new TiffError('TIFF_BAD_ARGUMENT', 'a TIFF needs at least one page');
    if (this.finished) throw new TiffError('TIFF_BAD_ARGUMENT', 'finish called twice');
    this.finished = true;
    const out = buildIfd(this.pos, this.pending.entries, 0);
    this.pos += out.length;
    return out;
  }
}

// ---------------------------------------------------------------------------------------

interface CompressionTags {
  readonly compression: number;
  readonly t4Options?: number;
  readonly t6Options?: number;
}

function encodeStrip(page: TiffWritePage, options: TiffWriteOptions): { strip: Uint8Array; compressionTags: CompressionTags; width: number; height: number } {
  const c = options.compression;
  if ('encoded' in page) {
    const e = page.encoded;
    if (e.scheme === c) {
      return { strip: e.data, compressionTags: tagsFor(c, e.alignEol === true), width: e.width, height: e.height };
    }
    const decoded = decodePage(e.data, { scheme: e.scheme, width: e.width, height: e.height, maxLines: e.height });
    return encodeStrip({ bitmap: decoded.bitmap, xRes: page.xRes, yRes: page.yRes }, options);
  }
  const b = page.bitmap;
  if (b.width < 1 || b.height < 1) throw new TiffError('TIFF_BAD_ARGUMENT', 'page has no pixels', { width: b.width, height: b.height });
  switch (c) {
    case 'none':
      return { strip: b.data.subarray(0, b.rowBytes * b.height), compressionTags: tagsFor(c, false), width: b.width, height: b.height };
    case 'packbits':
      return { strip: packBits(b.data.subarray(0, b.rowBytes * b.height), b.rowBytes), compressionTags: tagsFor(c, false), width: b.width, height: b.height };
    case 'mh':
    case 'mr': {
      const k = options.k ?? (page.yRes < 150 ? 2 : 4);
      // libtiff writes no RTC: the reader stops at ImageLength rows.
      const strip = encodePage(b, { scheme: c, k, eol: true, alignEol: true, rtc: false });
      return { strip, compressionTags: tagsFor(c, true), width: b.width, height: b.height };
    }
    case 'mmr':
      return { strip: encodePage(b, { scheme: 'mmr', eofb: true }), compressionTags: tagsFor(c, false), width: b.width, height: b.height };
  }
}

function tagsFor(c: TiffWriteCompression, alignEol: boolean): CompressionTags {
  switch (c) {
    case 'none':
      return { compression: Compression.None };
    case 'packbits':
      return { compression: Compression.PackBits };
    case 'mh':
      return { compression: Compression.Group3, t4Options: alignEol ? 4 : 0 };
    case 'mr':
      return { compression: Compression.Group3, t4Options: alignEol ? 5 : 1 };
    case 'mmr':
      return { compression: Compression.Group4, t6Options: 0 };
  }
}

const SHORT = 3;
const LONG = 4;
const RATIONAL = 5;
const ASCII = 2;

interface Entry {
  readonly tag: number;
  readonly type: number;
  /** Numbers for SHORT/LONG, [numerator, denominator] pairs flattened for RATIONAL, bytes for ASCII. */
  readonly values: readonly number[];
}

function pageEntries(page: TiffWritePage, width: number, height: number, stripAt: number, stripLength: number, ct: CompressionTags, index: number, options: TiffStreamOptions): Entry[] {
  const entries: Entry[] = [
    { tag: Tag.NewSubfileType, type: LONG, values: [2] },
    { tag: Tag.ImageWidth, type: LONG, values: [width] },
    { tag: Tag.ImageLength, type: LONG, values: [height] },
    { tag: Tag.BitsPerSample, type: SHORT, values: [1] },
    { tag: Tag.Compression, type: SHORT, values: [ct.compression] },
    { tag: Tag.PhotometricInterpretation, type: SHORT, values: [0] },
    { tag: Tag.FillOrder, type: SHORT, values: [1] },
    { tag: Tag.StripOffsets, type: LONG, values: [stripAt] },
    { tag: Tag.SamplesPerPixel, type: SHORT, values: [1] },
    { tag: Tag.RowsPerStrip, type: LONG, values: [height] },
    { tag: Tag.StripByteCounts, type: LONG, values: [stripLength] },
    { tag: Tag.XResolution, type: RATIONAL, values: rational(page.xRes) },
    { tag: Tag.YResolution, type: RATIONAL, values: rational(page.yRes) },
    { tag: Tag.ResolutionUnit, type: SHORT, values: [2] },
    { tag: Tag.PageNumber, type: SHORT, values: [index, options.totalPages ?? 0] },
  ];
  if (ct.t4Options !== undefined) entries.push({ tag: Tag.T4Options, type: LONG, values: [ct.t4Options] });
  if (ct.t6Options !== undefined) entries.push({ tag: Tag.T6Options, type: LONG, values: [ct.t6Options] });
  if (options.software !== undefined) {
    const text = Array.from(options.software, (ch) => {
      const code = ch.charCodeAt(0);
      return code >= 0x20 && code < 0x7f ? code : 0x3f;
    });
    entries.push({ tag: Tag.Software, type: ASCII, values: [...text, 0] });
  }
  return entries.sort((a, b) => a.tag - b.tag);
}

function rational(x: number): number[] {
  if (!(x > 0) || !Number.isFinite(x)) throw new TiffError('TIFF_BAD_ARGUMENT', 'resolution must be positive', { resolution: x });
  return Number.isInteger(x) ? [x, 1] : [Math.round(x * 1000), 1000];
}

const typeSize: Readonly<Record<number, number>> = { [ASCII]: 1, [SHORT]: 2, [LONG]: 4, [RATIONAL]: 4 };

function valueBytes(e: Entry): number {
  return e.values.length * typeSize[e.type]!;
}

function ifdSize(entries: readonly Entry[]): number {
  let n = 2 + entries.length * 12 + 4;
  for (const e of entries) if (valueBytes(e) > 4) n += even(valueBytes(e));
  return n;
}

function buildIfd(at: number, entries: readonly Entry[], next: number): Uint8Array {
  const out = new Uint8Array(ifdSize(entries));
  const dv = new DataView(out.buffer);
  dv.setUint16(0, entries.length, true);
  let extra = 2 + entries.length * 12 + 4;
  entries.forEach((e, i) => {
    const p = 2 + i * 12;
    const size = typeSize[e.type]!;
    const count = e.type === RATIONAL ? e.values.length / 2 : e.values.length;
    dv.setUint16(p, e.tag, true);
    dv.setUint16(p + 2, e.type, true);
    dv.setUint32(p + 4, count, true);
    let v = p + 8;
    if (valueBytes(e) > 4) {
      dv.setUint32(p + 8, at + extra, true);
      v = extra;
      extra += even(valueBytes(e));
    }
    e.values.forEach((x, j) => {
      if (size === 1) dv.setUint8(v + j, x);
      else if (size === 2) dv.setUint16(v + 2 * j, x, true);
      else dv.setUint32(v + 4 * j, x, true);
    });
  });
  dv.setUint32(2 + entries.length * 12, next, true);
  return out;
}

function even(n: number): number {
  return n + (n & 1);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
