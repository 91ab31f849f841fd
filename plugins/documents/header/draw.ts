/**
 * Drawing the S8 header line onto a fax page.
 *
 * The header overwrites the top margin: the top `headerStripMm` of the page is cleared to
 * white and the line drawn in it; page content is not moved. That is where fax machines print
 * their transmit identification, it keeps page geometry fixed for every renderer, and text
 * pages (10 mm top margin) never lose content to it. A document drawn to the very top edge
 * loses its top 4 mm, as it would on a fax machine.
 *
 * The line is set in a monospace cell grid like text pages (half-width = 0.5 em, full-width
 * = 1 em); what does not fit the page width is cut.
 */
import { createBitmap } from '../../../protocols/t4/bitmap.ts';
import { threshold } from '../raster/bilevel.ts';
import type { Bitmap, Gray } from '../raster/types.ts';
import { isDropped, isFullWidth } from '../text/chars.ts';
import { resolveFont } from '../text/fonts.ts';
import { ascentEm, blitTile, glyphCache } from '../text/glyphs.ts';
import { textThreshold } from '../text/render.ts';
import type { DrawHeaderOptions } from './types.ts';

export const headerStripMm = 4;
/** 2.8 mm: about 8 pt, the size fax machines print their header in. */
export const headerEmMm = 2.8;
const headerLeftMm = 5;
/** T.4's nominal 8 pixels/mm across: the header ignores paper scaling (it is the machine's line). */
const pxPerMmX = 204 / 25.4;

/** A copy of `page` with the header line drawn over its top strip. */
export async function drawHeader(page: Bitmap, text: string, options: DrawHeaderOptions): Promise<Bitmap> {
  const strip = await drawHeaderStrip(page.width, page.height, text, options);
  const out = createBitmap(page.width, page.height);
  out.data.set(page.data);
  out.data.set(strip.data, 0);
  return out;
}

/**
 * The top strip of a page `width` x `height` with the header line drawn on white: the rows
 * drawHeader puts over the page. Apart from the page, for the PDF helper, which codes its
 * pages itself and puts the strip over them there.
 */
export async function drawHeaderStrip(width: number, height: number, text: string, options: DrawHeaderOptions): Promise<Bitmap> {
  const pxPerMmY = (options.resolution === 'fine' ? 196 : 98) / 25.4;
  const stripRows = Math.min(height, Math.round(headerStripMm * pxPerMmY));
  const font = resolveFont(options.fontType ?? 'MS Gothic');
  const cache = glyphCache({ families: font.families, emMm: headerEmMm, pxPerMmX, pxPerMmY });

  const cells: { char: string; centerMm: number }[] = [];
  let x = headerLeftMm;
  const limit = width / pxPerMmX - headerLeftMm;
  for (const ch of text.normalize('NFC')) {
    const cp = ch.codePointAt(0)!;
    if (isDropped(cp)) continue;
    const w = (isFullWidth(cp) ? 1 : 0.5) * headerEmMm;
    if (x + w > limit) break;
    cells.push({ char: ch, centerMm: x + w / 2 });
    x += w;
  }
  await cache.prepare(cells.map((c) => c.char));

  const strip: Gray = { width, height: stripRows, data: new Uint8Array(width * stripRows).fill(255) };
  const baseline = Math.round(((headerStripMm - headerEmMm) / 2 + ascentEm * headerEmMm) * pxPerMmY);
  for (const c of cells) {
    const tile = cache.tile(c.char);
    if (tile !== undefined) blitTile(strip, tile, Math.round(c.centerMm * pxPerMmX), baseline);
  }
  return threshold(strip, textThreshold(options.resolution));
}
