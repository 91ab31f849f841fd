/** PNG previews of fax pages. */
export { encodePng, encodeGreyPng, encodePreviewPng, downscale, crc32 } from './png.ts';
export type { PngOptions, PreviewOptions, GreyImage } from './png.ts';
