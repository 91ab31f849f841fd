/** Bilevel fax TIFF files: read (lazily, page by page) and write (TIFF Class F style). */
export { TiffError } from './errors.ts';
export type { TiffErrorCode } from './errors.ts';
export { defaultTiffLimits } from './ifd.ts';
export type { TiffLimits } from './ifd.ts';
export { readTiff, decodeTiffPage, decodeTiffPageWithReport, tiffPageStrips, tiffPageCoded, reverseBits, Compression } from './reader.ts';
export type { TiffFile, TiffPageInfo, TiffStrip, TiffCodedPage, TiffDecodedPage, TiffCompressionName } from './reader.ts';
export { writeTiff, TiffStreamWriter } from './writer.ts';
export type { TiffWritePage, TiffEncodedPage, TiffWriteOptions, TiffStreamOptions, TiffWriteCompression } from './writer.ts';
