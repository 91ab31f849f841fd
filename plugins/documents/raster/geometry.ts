/**
 * Fax page geometry (T.4 §2: fixed line widths, two vertical resolutions).
 *
 * Decisions, so every renderer agrees:
 * - Width: 1728 pixels for A4, Letter and Legal, 2048 for B4 (T.4's fixed widths). The paper's
 *   whole width is mapped onto that line: content is scaled to fit it (A4: 1728 px over 210 mm,
 *   8.23 px/mm across; a receiver prints the 215 mm T.4 line onto the paper the same way).
 * - Height: paper length x vertical dpi (196 fine, 98 standard), rounded: A4 fine = 2292
 *   rows, standard = 1146.
 * - Standard resolution has half the rows. Renderers draw straight at the anisotropic density
 *   (x by `pxPerMmX`, y by `pxPerMmY`) so that glyphs and images look square on paper; the
 *   anti-aliasing of the renderer is the vertical filter (no render-at-fine-and-drop-rows).
 * - Landscape: content is laid out on a landscape surface (paper length across), then turned
 *   90° counter-clockwise into the portrait fax page: the top of the content lies along the
 *   page's left edge, so the reader turns the received sheet clockwise to read it (as
 *   PostScript printers do for landscape jobs). On the surface, x therefore runs along the
 *   page's rows (yDpi) and y along the page's line width (pxPerMmX).
 */
import type { LayoutSurface, PageGeometry, PageSpec, Paper } from './types.ts';

interface PaperSize {
  readonly widthMm: number;
  readonly heightMm: number;
  /** T.4 fixed line width in pixels for this paper. */
  readonly lineWidthPx: number;
}

const paperSizes: Readonly<Record<Paper, PaperSize>> = {
  A4: { widthMm: 210, heightMm: 297, lineWidthPx: 1728 },
  B4: { widthMm: 257, heightMm: 364, lineWidthPx: 2048 },
  Letter: { widthMm: 215.9, heightMm: 279.4, lineWidthPx: 1728 },
  Legal: { widthMm: 215.9, heightMm: 355.6, lineWidthPx: 1728 },
};

const mmPerInch = 25.4;
const xDpi = 204;
const yDpiFor = { standard: 98, fine: 196 } as const;

export function paperSize(paper: Paper): PaperSize {
  return paperSizes[paper];
}

/** The portrait fax page for a paper, orientation and resolution (orientation does not change it). */
export function pageGeometry(spec: PageSpec): PageGeometry {
  const p = paperSizes[spec.paper];
  const yDpi = yDpiFor[spec.resolution];
  // From the nominal dpi, as fax software sizes pages (A4 fine 2292 rows; 7.7 lines/mm would give 2287).
  const heightPx = Math.round((p.heightMm / mmPerInch) * yDpi);
  return {
    widthPx: p.lineWidthPx,
    heightPx,
    xDpi,
    yDpi,
    widthMm: p.widthMm,
    heightMm: p.heightMm,
    pxPerMmX: p.lineWidthPx / p.widthMm,
    pxPerMmY: heightPx / p.heightMm,
  };
}

/** The surface a renderer draws on for this spec (see the module comment for landscape). */
export function layoutSurface(spec: PageSpec): LayoutSurface {
  const g = pageGeometry(spec);
  if (spec.orientation === 'portrait') {
    return {
      widthPx: g.widthPx,
      heightPx: g.heightPx,
      widthMm: g.widthMm,
      heightMm: g.heightMm,
      pxPerMmX: g.pxPerMmX,
      pxPerMmY: g.pxPerMmY,
      rotation: 0,
    };
  }
  return {
    widthPx: g.heightPx,
    heightPx: g.widthPx,
    widthMm: g.heightMm,
    heightMm: g.widthMm,
    pxPerMmX: g.pxPerMmY,
    pxPerMmY: g.pxPerMmX,
    rotation: 90,
  };
}

export { mmPerInch };
