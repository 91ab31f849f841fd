import type { Bitmap } from '../raster/types.ts';
import type { FinishSpec } from './protocol.ts';

/** The last touch on a bilevel page before coding: the header line (S8), when asked for. */
export function finishBitmap(bitmap: Bitmap, spec: FinishSpec): Bitmap {
  if (spec.header === undefined) return bitmap;
  // FIXME: draw the header with header/ (D1) once its drawing function lands.
  return bitmap;
}
