/**
 * Plain text to fax pages (S3, S6, S7): decode, lay out on the S7 grid, draw each page with
 * cached glyphs, and turn it into the portrait bilevel page. Pages are produced one at a time.
 *
 * Text is always thresholded, whatever `quality` says: its only grays are anti-aliased glyph
 * edges, and error diffusion would turn those into speckle around every stroke. The threshold
 * sits above mid-gray so that thin strokes (Mincho horizontals, standard resolution's half
 * rows) keep at least one black pixel (`textThreshold` has the measurements).
 */
import { layoutSurface } from '../raster/geometry.ts';
import { toFaxPage } from '../raster/bilevel.ts';
import type { Bitmap, Gray, LayoutSurface, Resolution } from '../raster/types.ts';
import { decodeText } from './charset.ts';
import { resolveFont } from './fonts.ts';
import type { GlyphCache, GlyphTile } from './glyphs.ts';
import { ascentEm, blitTile, glyphCache } from './glyphs.ts';
import type { Line, TextLayout } from './layout.ts';
import { layoutTextInSlices } from './layout.ts';
import type { TextRenderOptions } from './types.ts';

/**
 * Gray below this is black. Fine pages take bolder strokes: tesseract on ocr-text.test.ts's
 * six pages read 96.8 / 96.8 / 97.9 / 98.1 / 98.7 / 98.4 % at thresholds 128 / 144 / 160 /
 * 176 / 192 / 208 (Ghostscript's tiffg4: 98.3 %), 192 beating 160 on five pages of six. At
 * standard resolution, with half the rows, the same steps read 96.5 / 97.4 / 98.1 / 98.0 /
 * 97.5 / 96.1 %: bolder closes the counters of dense kanji there, so it stays at 160.
 */
export function textThreshold(resolution: Resolution): number {
  return resolution === 'fine' ? 192 : 160;
}

/** The pages of a plain-text document, streamed. */
export async function* renderText(bytes: Uint8Array, options: TextRenderOptions): AsyncIterable<Bitmap> {
  const font = resolveFont(options.fontType);
  const { text } = decodeText(bytes, options.charset, options.defaultCharset);
  const layout = await layoutTextInSlices(text, options);
  const surface = layoutSurface(options);
  const cache = glyphCache({
    families: font.families,
    emMm: layout.grid.emMm,
    pxPerMmX: surface.pxPerMmX,
    pxPerMmY: surface.pxPerMmY,
  });
  for (const page of layout.pages) {
    const gray = await drawTextPage(page, layout, surface, cache);
    yield toFaxPage(gray, surface, 'mono', { threshold: textThreshold(options.resolution) });
  }
}

/**
 * A laid-out page as glyph placements: the page's distinct tiles and, per glyph, its tile's
 * index and anchor (x, y) in surface pixels. Cheap to compute where the layout and the glyph
 * cache live (the main thread); the pixels are drawn from it in a page worker (`drawPlacedText`),
 * since blitting a dense page is tens of milliseconds.
 */
export interface PlacedText {
  readonly tiles: readonly GlyphTile[];
  /** Triples: tile index, anchor x, anchor y. */
  readonly marks: Int32Array;
}

export async function placeTextPage(lines: readonly Line[], layout: TextLayout, surface: LayoutSurface, cache: GlyphCache): Promise<PlacedText> {
  await cache.prepare(charsOf(lines));
  const g = layout.grid;
  const mmPerUnit = g.areaWidthMm / g.lineUnits;
  const baselineOffsetMm = (g.linePitchMm - g.emMm) / 2 + ascentEm * g.emMm;
  const tiles: GlyphTile[] = [];
  const index = new Map<GlyphTile, number>();
  const marks: number[] = [];
  lines.forEach((line, row) => {
    const ay = Math.round((g.topMm + row * g.linePitchMm + baselineOffsetMm) * surface.pxPerMmY);
    for (const cell of line.cells) {
      const tile = cache.tile(cell.char);
      if (tile === undefined) continue;
      let i = index.get(tile);
      if (i === undefined) {
        i = tiles.push(tile) - 1;
        index.set(tile, i);
      }
      marks.push(i, Math.round((g.leftMm + (cell.start + cell.units / 2) * mmPerUnit) * surface.pxPerMmX), ay);
    }
  });
  return { tiles, marks: Int32Array.from(marks) };
}

/** The placed glyphs drawn on a white surface of the given size (not rotated). */
export function drawPlacedText(width: number, height: number, placed: PlacedText): Gray {
  const gray: Gray = { width, height, data: new Uint8Array(width * height).fill(255) };
  const { tiles, marks } = placed;
  for (let k = 0; k + 2 < marks.length; k += 3) blitTile(gray, tiles[marks[k]!]!, marks[k + 1]!, marks[k + 2]!);
  return gray;
}

/** One laid-out page as gray on its layout surface (not rotated). */
export async function drawTextPage(lines: readonly Line[], layout: TextLayout, surface: LayoutSurface, cache: GlyphCache): Promise<Gray> {
  return drawPlacedText(surface.widthPx, surface.heightPx, await placeTextPage(lines, layout, surface, cache));
}

function* charsOf(lines: readonly Line[]): Iterable<string> {
  for (const line of lines) for (const cell of line.cells) yield cell.char;
}
