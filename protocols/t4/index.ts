/**
 * T.4 (MH, MR) and T.6 (MMR) bilevel codecs: whole pages and line-by-line streams.
 * Pure: no I/O, no timers; decoders throw only T4DecodeError, encoders only T4EncodeError.
 *
 *   encodePage(bitmap, { scheme: 'mr', k: 4 })          → T.4 2-D with EOLs and RTC (fax)
 *   encodePage(bitmap, { scheme: 'mh', rtc: false })     → TIFF compression 3, 1-D
 *   encodePage(bitmap, { scheme: 'mh', eol: false, byteAlignRows: true }) → TIFF compression 2
 *   encodePage(bitmap, { scheme: 'mmr' })                → T.6 / TIFF compression 4 (with EOFB)
 *   decodePage(data, { scheme, width, height? })         → { bitmap, lines, badLines, ..., endedWith }
 *
 * TIFF note: libtiff codes every strip on its own (2-D reference and EOFB per strip), so decode
 * strip by strip with height = rows in that strip, and encode each strip as its own page.
 */
export type { Bitmap, BitmapDifference } from './bitmap.ts';
export { createBitmap, getPixel, setPixel, rowOf, rowBytesFor, bitmapsEqual, firstDifference } from './bitmap.ts';
export type {
  Scheme,
  EncodeOptions,
  DecodeOptions,
  DecodeResult,
  DecodeCounters,
  EndReason,
  LineCallback,
  T4DecodeErrorCode,
} from './types.ts';
export { T4DecodeError, T4EncodeError } from './types.ts';
export { encodePage, decodePage } from './page.ts';
export { LineEncoder, MAX_WIDTH } from './line-encoder.ts';
export { LineDecoder, DEFAULT_MAX_LINES, MAX_PAGE_BYTES } from './line-decoder.ts';
