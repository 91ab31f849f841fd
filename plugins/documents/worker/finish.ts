import { drawHeader, formatHeader } from '../header/index.ts';
import type { Bitmap } from '../raster/types.ts';
import type { FinishSpec } from './protocol.ts';

/** The last touch on a bilevel page before coding: the header line (S8), when asked for. */
export async function finishBitmap(bitmap: Bitmap, spec: FinishSpec): Promise<Bitmap> {
  const h = spec.header;
  if (h === undefined) return bitmap;
  const text = formatHeader(h.template, { to: h.to, from: h.from, pageNumber: h.pageNumber, totalPages: h.totalPages, date: new Date(h.time), timeZone: h.timeZone });
  return drawHeader(bitmap, text, { resolution: spec.geometry.yDpi < 150 ? 'standard' : 'fine', fontType: h.fontType });
}
