/**
 * T.4 (MH, MR) and T.6 (MMR) bilevel codecs: whole pages and line-by-line streams.
 * Pure: no I/O, no timers; decoders throw only T4DecodeError.
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
export { LineEncoder } from './line-encoder.ts';
export { LineDecoder } from './line-decoder.ts';
