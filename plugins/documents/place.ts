import type { PageGeometry } from './raster/types.ts';

/**
 * Where a page of a PDF or an image lands on the portrait fax page. Such pages keep their own
 * orientation: a landscape page is turned 90° counter-clockwise onto the portrait sheet (top
 * of the content along the sheet's left edge, as `layoutSurface` does for landscape text), so
 * it is printed as large as a portrait page would be.
 */
export interface Placement {
  /** 0, or 90 when the content is turned counter-clockwise. */
  readonly rotation: 0 | 90;
  /** The content's rectangle on the fax page in pixels, after turning; may reach past the page (cropped). */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Content scale (1 = the content's own size on paper). */
  readonly scale: number;
  /** The content is larger than the page and was cut (scale 'none' only). */
  readonly cropped: boolean;
}

/** Content size on paper, in millimetres. */
export interface ContentSize {
  readonly widthMm: number;
  readonly heightMm: number;
}

export function placeContent(content: ContentSize, page: PageGeometry, scale: 'fit' | 'none'): Placement {
  if (!(content.widthMm > 0 && content.heightMm > 0)) throw new RangeError(`content has no size [width:${content.widthMm}, height:${content.heightMm}]`);
  const rotation = content.widthMm > content.heightMm ? 90 : 0;
  // Once turned, the content's width runs down the page and its height across.
  const acrossMm = rotation === 90 ? content.heightMm : content.widthMm;
  const downMm = rotation === 90 ? content.widthMm : content.heightMm;
  const s = scale === 'fit' ? Math.min(page.widthMm / acrossMm, page.heightMm / downMm) : 1;
  const width = Math.max(1, Math.round(acrossMm * s * page.pxPerMmX));
  const height = Math.max(1, Math.round(downMm * s * page.pxPerMmY));
  // Centred; a cropped page keeps its top (or, turned, its top along the left edge) and its middle.
  const x = rotation === 90 && width > page.widthPx ? 0 : Math.round((page.widthPx - width) / 2);
  const y = rotation === 0 && height > page.heightPx ? 0 : Math.round((page.heightPx - height) / 2);
  // A millimetre of overhang is rounding between paper standards, not lost content.
  const cropped = width > page.widthPx + page.pxPerMmX || height > page.heightPx + page.pxPerMmY;
  return { rotation, x, y, width, height, scale: s, cropped };
}
