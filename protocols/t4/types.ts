/**
 * Public contract of the T.4 (MH, MR) and T.6 (MMR) bilevel line codecs.
 *
 * Other layers (TIFF, PDF, PNG writers, the T.30 engine) code against these types only;
 * the implementation behind `index.ts` may change, these names and meanings should not.
 */
import type { Bitmap } from './bitmap.ts';

/** mh = T.4 one-dimensional (Modified Huffman), mr = T.4 two-dimensional (Modified READ), mmr = T.6. */
export type Scheme = 'mh' | 'mr' | 'mmr';

export interface EncodeOptions {
  readonly scheme: Scheme;
  /**
   * MR only: K parameter of T.4 4.2.1 — one 1-D line then k-1 2-D lines.
   * T.4 uses 2 at standard and 4 at fine resolution. Default 2.
   */
  readonly k?: number;
  /**
   * MH/MR: emit an EOL before every line (T.4, TIFF compression 3). Default true.
   * MR cannot be coded without EOLs (the tag bit rides on the EOL).
   */
  readonly eol?: boolean;
  /**
   * MH without EOL only: pad every row to a byte boundary (TIFF compression 2, "CCITT RLE").
   * Default false.
   */
  readonly byteAlignRows?: boolean;
  /** MH/MR: fill bits before each EOL so that the 12-bit EOL ends on a byte boundary (TIFF T4Options bit 2). */
  readonly alignEol?: boolean;
  /**
   * MH/MR with EOL: minimum bits of a total coded scan line (EOL + data + fill), padded with
   * zero fill before the next EOL. Non-ECM fax: minimum scan line time × bit rate. Default 0.
   */
  readonly minBitsPerLine?: number;
  /** MH/MR: end the page with RTC (6 × EOL for MH, 6 × EOL+1 for MR). Default true. */
  readonly rtc?: boolean;
  /** MMR: end with EOFB (EOL EOL). Default true. */
  readonly eofb?: boolean;
}

export interface DecodeOptions {
  readonly scheme: Scheme;
  /** Pixels per row, 1..65535. */
  readonly width: number;
  /**
   * Rows expected (e.g. TIFF ImageLength). When given, decoding stops there ('height-reached')
   * and the bitmap always has this height (missing rows white). Must be <= maxLines.
   */
  readonly height?: number;
  /** Accepted for symmetry with EncodeOptions; the MR decoder follows the tag bits instead. */
  readonly k?: number;
  /** MH/MR: the data has EOLs (default true). MR requires EOLs. */
  readonly eol?: boolean;
  /** MH without EOL: every row starts on a byte boundary (TIFF compression 2). */
  readonly byteAlignRows?: boolean;
  /** Upper bound on decoded rows; bounds memory at maxLines × rowBytes. Default 65536. */
  readonly maxLines?: number;
  /** Throw T4DecodeError on the first bad row or missing EOL instead of repairing. Default false. */
  readonly strict?: boolean;
}

/**
 * Why decoding stopped:
 * rtc — return to control (T.4 4.1.4): 4 consecutive EOLs, or 2+ at the end of the data
 *   (2-3 EOLs followed by more rows are rows whose data was lost: counted bad, repaired);
 * eofb — T.6 end of facsimile block;
 * end-of-data — input ran out (or, MMR / rows without EOL, an undecodable row ended the page);
 * height-reached — `height` rows were decoded;
 * max-lines — `maxLines` rows were decoded without an end marker.
 */
export type EndReason = 'rtc' | 'eofb' | 'end-of-data' | 'height-reached' | 'max-lines';

export interface DecodeCounters {
  /** Rows produced, including repaired ones. */
  readonly lines: number;
  /** Rows whose codes were invalid or did not add up to the width. */
  readonly badLines: number;
  /** Bad rows replaced by a copy of the previous row (a bad first row becomes white and is not counted here). */
  readonly repairedLines: number;
  /** Longest run of consecutive bad rows (T.30 copy quality). */
  readonly consecutiveBadLinesMax: number;
}

export interface DecodeResult extends DecodeCounters {
  readonly bitmap: Bitmap;
  readonly endedWith: EndReason;
}

/**
 * Called by LineDecoder for every row. `row` is packed MSB-first, 1 = black, and is reused:
 * copy it if you keep it. `ok` is false for a repaired (or white substitute) bad row.
 */
export type LineCallback = (row: Uint8Array, ok: boolean, index: number) => void;

export type T4DecodeErrorCode =
  | 'T4_BAD_OPTIONS' // unusable width/height/limits/combination
  | 'T4_BAD_LINE' // strict mode: a row could not be decoded
  | 'T4_MISSING_EOL'; // strict mode: a row was not preceded by an EOL

/** The only error the decoders throw. Message form: `what failed [key:value, ...]`. */
export class T4DecodeError extends Error {
  override readonly name = 'T4DecodeError';
  constructor(
    readonly code: T4DecodeErrorCode,
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** Thrown by the encoders on a caller mistake (bad options, wrong row length). */
export class T4EncodeError extends Error {
  override readonly name = 'T4EncodeError';
  constructor(message: string) {
    super(message);
  }
}
