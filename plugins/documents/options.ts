import type { Orientation, Paper, Quality, Resolution } from './raster/types.ts';

/**
 * The fax modes of one request (S5, S6): what the pages look like. Account defaults fill the
 * gaps before a request reaches the renderers, so every field here is decided.
 */
export interface FaxModes {
  readonly resolution: Resolution;
  readonly paper: Paper;
  /** How text and HTML are laid out; PDF and image pages keep their own orientation. */
  readonly orientation: Orientation;
  readonly quality: Quality;
  /** fit: scale each page to the fax page; none: print at its own size (cropped if larger). */
  readonly scale: 'none' | 'fit';
  /** S7 sizes 1..7 (plain text). */
  readonly fontSize: number;
  /** S7 font type name as a user writes it ("MS Gothic", "Courier New"); mapped to an installed font. */
  readonly fontType: string;
  /** Charset for plain text when it cannot be detected, e.g. "iso-2022-jp", "shift_jis", "utf-8". */
  readonly charset: string;
  /** HTML: print background colours and images (`/ib`). */
  readonly background: boolean;
  /** S8 header line template, or undefined for no header. */
  readonly header: string | undefined;
  /** Header fields: destination (+E.164) and sender CSID. */
  readonly to: string;
  readonly from: string;
  /** IANA time zone for the header's date and time. */
  readonly timeZone: string;
  /** The moment the header's date and time show (the send time), ms since the epoch. */
  readonly time: number;
}

export const defaultModes: FaxModes = {
  resolution: 'fine',
  paper: 'A4',
  orientation: 'portrait',
  quality: 'halftone',
  scale: 'fit',
  fontSize: 3,
  fontType: 'MS Gothic',
  charset: 'utf-8',
  background: false,
  header: undefined,
  to: '',
  from: '',
  timeZone: 'Asia/Tokyo',
  time: 0,
};

/** Bounds on what one request may cost; exceeding one is a typed error, never a crash. */
export interface RenderLimits {
  /** Bytes of one input (after a URL fetch or ZIP expansion too). */
  readonly maxInputBytes: number;
  /** Pages of the whole request. */
  readonly maxPages: number;
  /** ZIP: total expanded bytes, entries, and nesting depth (a ZIP in a ZIP is depth 2). */
  readonly maxZipExpandedBytes: number;
  readonly maxZipEntries: number;
  readonly maxZipDepth: number;
  /** An entry expanding more than this many times its compressed size is a bomb. */
  readonly maxZipRatio: number;
  /** LibreOffice and Chromium conversions, each. */
  readonly converterTimeoutMs: number;
  /** URL fetch: whole response. */
  readonly fetchTimeoutMs: number;
  /** Decoded image pixels (width x height) before scaling. */
  readonly maxImagePixels: number;
}

export const defaultLimits: RenderLimits = {
  maxInputBytes: 20 * 1024 * 1024,
  maxPages: 500,
  maxZipExpandedBytes: 100 * 1024 * 1024,
  maxZipEntries: 200,
  maxZipDepth: 2,
  maxZipRatio: 200,
  converterTimeoutMs: 60_000,
  fetchTimeoutMs: 20_000,
  maxImagePixels: 100_000_000,
};

/** How rendering may use the machine. */
export interface RenderResources {
  /** Page workers (PDFium, gray to bilevel, coding). */
  readonly workers: number;
  /** LibreOffice / Chromium processes at once. */
  readonly converters: number;
  /** URL inputs may point at private, loopback and link-local addresses (tests, intranets). */
  readonly allowPrivateUrls: boolean;
}

export const defaultResources: RenderResources = {
  workers: 2,
  converters: 2,
  allowPrivateUrls: false,
};
