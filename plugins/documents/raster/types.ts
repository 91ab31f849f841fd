/**
 * The fax page model shared by every document renderer (text, PDF, images, Office, HTML).
 *
 * A renderer draws a page as 8-bit gray on a *layout surface* (see `layoutSurface` in
 * geometry.ts), then `toFaxPage` turns it into the bilevel portrait page that T.4 encodes.
 */
import type { Bitmap } from '../../../protocols/t4/bitmap.ts';

export type { Bitmap };

export type Paper = 'A4' | 'B4' | 'Letter' | 'Legal';
export type Orientation = 'portrait' | 'landscape';
/** T.4 vertical resolutions: standard 3.85 lines/mm (~98 dpi), fine 7.7 lines/mm (~196 dpi). */
export type Resolution = 'standard' | 'fine';
/** halftone: gray levels become dot patterns (error diffusion); mono: a plain threshold. */
export type Quality = 'halftone' | 'mono';

export const papers: readonly Paper[] = ['A4', 'B4', 'Letter', 'Legal'];
export const orientations: readonly Orientation[] = ['portrait', 'landscape'];
export const resolutions: readonly Resolution[] = ['standard', 'fine'];
export const qualities: readonly Quality[] = ['halftone', 'mono'];

export interface PageSpec {
  readonly paper: Paper;
  readonly orientation: Orientation;
  readonly resolution: Resolution;
}

/** An 8-bit grayscale image, one byte per pixel, rows top to bottom: 0 = black, 255 = white. */
export interface Gray {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * The transmitted fax page: always portrait (faxes are sent portrait, see geometry.ts for how
 * landscape content is rotated in). `widthMm`/`heightMm` are the paper's portrait size; the
 * `widthPx` line (T.4 fixed width) spans the paper's width, so `pxPerMmX = widthPx / widthMm`.
 */
export interface PageGeometry {
  readonly widthPx: number;
  readonly heightPx: number;
  /** Nominal T.4 densities: 204 across; 98 (standard) or 196 (fine) down. */
  readonly xDpi: number;
  readonly yDpi: number;
  readonly widthMm: number;
  readonly heightMm: number;
  /** Actual pixels per mm on paper: the line width stretched over the paper width, rows at yDpi. */
  readonly pxPerMmX: number;
  readonly pxPerMmY: number;
}

/**
 * Where a renderer draws content before it becomes a fax page: in the content's own
 * orientation (landscape surfaces are wider than tall), with the pixel counts it must have
 * so that `toFaxPage` can rotate it into the portrait page without resampling. Pixels are not
 * square: scale x by `pxPerMmX` and y by `pxPerMmY` (glyphs then look right on paper).
 */
export interface LayoutSurface {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly widthMm: number;
  readonly heightMm: number;
  readonly pxPerMmX: number;
  readonly pxPerMmY: number;
  /** 0 for portrait; 90 when `toFaxPage` turns the surface counter-clockwise into the page. */
  readonly rotation: 0 | 90;
}
