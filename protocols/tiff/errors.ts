/**
 * The one error type the TIFF codec throws. Codes are stable (callers and the REST API map
 * them); messages read `what failed [key:value, key:value]`.
 */
export type TiffErrorCode =
  /** Not a TIFF at all: bad byte-order mark or magic number. */
  | 'TIFF_BAD_HEADER'
  /** BigTIFF (magic 43): a different container we do not read. */
  | 'TIFF_UNSUPPORTED_BIGTIFF'
  /** An offset or a count points outside the file. */
  | 'TIFF_OUT_OF_BOUNDS'
  /** An IFD is malformed: too many entries, a tag with the wrong type or count. */
  | 'TIFF_BAD_IFD'
  /** The chain of IFD offsets comes back to an IFD already read. */
  | 'TIFF_IFD_LOOP'
  /** A tag every page needs is absent (ImageWidth, StripOffsets, ...). */
  | 'TIFF_MISSING_TAG'
  /** More pages than the limit allows. */
  | 'TIFF_TOO_MANY_PAGES'
  /** A page larger than the limit allows. */
  | 'TIFF_TOO_LARGE'
  /** The file has no image directory. */
  | 'TIFF_NO_PAGES'
  /** A compression scheme other than none, CCITT (2, 3, 4), LZW or PackBits. */
  | 'TIFF_UNSUPPORTED_COMPRESSION'
  /** Not a bilevel image: colour, grey, palette, several samples, a predictor. */
  | 'TIFF_UNSUPPORTED_FORMAT'
  /** Tiled organisation; fax and scanner bilevel pages are stripped. */
  | 'TIFF_TILED'
  /** Compressed strip data that does not decode (LZW, PackBits). */
  | 'TIFF_CORRUPT_DATA'
  /** A page index outside the file, or a write request that cannot be honoured. */
  | 'TIFF_BAD_ARGUMENT';

export class TiffError extends Error {
  override readonly name = 'TiffError';
  readonly code: TiffErrorCode;

  constructor(code: TiffErrorCode, message: string, details?: Readonly<Record<string, string | number>>, options?: ErrorOptions) {
    super(details === undefined ? message : `${message} [${formatDetails(details)}]`, options);
    this.code = code;
  }
}

function formatDetails(details: Readonly<Record<string, string | number>>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}:${v}`)
    .join(', ');
}
