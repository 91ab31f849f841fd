import type { Placement } from '../../place.ts';

/** A page's size in points (1/72 inch), after its /Rotate. */
export interface PdfPageSize {
  readonly width: number;
  readonly height: number;
}

/** An affine map [a b c d e f]: x' = a x + c y + e, y' = b x + d y + f (PDF's and MuPDF's order). */
export type Affine = readonly [number, number, number, number, number, number];

/**
 * From page points (top-left corner at 0,0, y down, as the page is seen after /Rotate) to the
 * fax page's pixels, putting the page where `placeContent` placed it: scaled on each axis to
 * the placement's rectangle (pixels are not square at 204x196 or 204x98) and, for rotation
 * 90, turned counter-clockwise so the page's top edge runs down the rectangle's left side,
 * as PDFium's rotate = 3 does in the PDFium path.
 */
export function placementMatrix(size: PdfPageSize, place: Placement): Affine {
  if (!(size.width > 0 && size.height > 0)) throw new RangeError(`page has no size [width:${size.width}, height:${size.height}]`);
  if (place.rotation === 0) return [place.width / size.width, 0, 0, place.height / size.height, place.x, place.y];
  // (u, v) -> (x + v * width / pageHeight, y + (pageWidth - u) * height / pageWidth)
  return [0, -place.height / size.width, place.width / size.height, 0, place.x, place.y + place.height];
}

/** Where a point lands (for tests and reasoning about placements). */
export function applyAffine(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}
