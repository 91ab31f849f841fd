import type { Orientation, Paper, Quality, Resolution } from '../raster/types.ts';

/** S7 font sizes. */
export type FontSize = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface TextRenderOptions {
  /** The charset the sender declared (MIME charset=, API field); detection is used when absent or unknown. */
  readonly charset?: string;
  /** The account's default charset (S6), used when detection is ambiguous, e.g. 'iso-2022-jp'. */
  readonly defaultCharset: string;
  readonly fontSize: FontSize;
  /** A font type name from S7 ('MS Gothic', 'Arial', ...); see fonts.ts. */
  readonly fontType: string;
  readonly paper: Paper;
  readonly orientation: Orientation;
  readonly resolution: Resolution;
  /** Accepted for symmetry with other renderers; text is always thresholded (see render.ts). */
  readonly quality: Quality;
}

export const defaultFontSize: FontSize = 3;
export const defaultFontType = 'MS Gothic';
