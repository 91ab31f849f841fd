import { drawHeader, drawHeaderStrip, formatHeader } from '../header/index.ts';
import type { DrawHeaderOptions } from '../header/index.ts';
import type { Bitmap } from '../raster/types.ts';
import type { FinishSpec, HeaderSpec } from './protocol.ts';

/** The last touch on a bilevel page before coding: the header line (S8), when asked for. */
export async function finishBitmap(bitmap: Bitmap, spec: FinishSpec): Promise<Bitmap> {
  const h = spec.header;
  if (h === undefined) return bitmap;
  return drawHeader(bitmap, headerText(h), headerOptions(spec, h));
}

/** The rows finishBitmap would put over the top of the page, for a page coded elsewhere; undefined for none. */
export async function finishStrip(spec: FinishSpec): Promise<Bitmap | undefined> {
  const h = spec.header;
  if (h === undefined) return undefined;
  return drawHeaderStrip(spec.geometry.widthPx, spec.geometry.heightPx, headerText(h), headerOptions(spec, h));
}

function headerText(h: HeaderSpec): string {
  return formatHeader(h.template, { to: h.to, from: h.from, pageNumber: h.pageNumber, totalPages: h.totalPages, date: new Date(h.time), timeZone: h.timeZone });
}

function headerOptions(spec: FinishSpec, h: HeaderSpec): DrawHeaderOptions {
  return { resolution: spec.geometry.yDpi < 150 ? 'standard' : 'fine', fontType: h.fontType };
}
