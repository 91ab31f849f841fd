/**
 * Glyph images for the text grid, rendered by librsvg (through sharp) and cached.
 *
 * Rendering a whole page as SVG text costs about a second per dense page on this hardware
 * (librsvg lays out every character through pango), so each distinct character is rendered
 * once per face and size: all new characters of a page go into one SVG atlas, the atlas is
 * cut into tiles cropped to their ink, and pages are composed by blitting tiles (darkest
 * wins). The grid, not the font, decides where each character sits: a glyph is centred in
 * its cell, so capacities hold whatever the font's advance widths are.
 *
 * Pixels are not square (see raster/geometry.ts): the atlas is drawn in millimetres under a
 * scale(pxPerMmX, pxPerMmY) transform, so glyphs come out the right shape on paper.
 *
 * A tile's edge pixels depend a little on its place in the atlas (librsvg positions text in
 * millimetres, so each slot meets the pixel grid at a slightly different phase): the same
 * page drawn with a cold and a warm cache may differ by a few edge pixels. Drawing every glyph
 * at one fixed phase (a whole-pixel translate per glyph) removes that, but read 1-2 points
 * worse under OCR at standard resolution in all four phases tried (ocr-text.test.ts), so
 * it is not done.
 */
import sharp from 'sharp';
import type { Gray } from '../raster/types.ts';

export interface GlyphFace {
  /** fontconfig families, first choice first. */
  readonly families: readonly string[];
  readonly emMm: number;
  readonly pxPerMmX: number;
  readonly pxPerMmY: number;
}

/** A glyph's ink, placed relative to its anchor: the cell's centre on the baseline. */
export interface GlyphTile extends Gray {
  /** Offset of the tile's top-left pixel from the anchor. */
  readonly dx: number;
  readonly dy: number;
}

/** Ascent of the em box above the baseline: IPA fonts put 0.88 em above, 0.12 below. */
export const ascentEm = 0.88;
/** Room around the em box in a tile, for glyphs that overhang (italic-ish Latin, accents). */
const padEm = 0.3;
/** Gray at or above this is paper, not ink, when cropping tiles. */
const paperLevel = 250;
const maxGlyphsPerFace = 8000;
/** librsvg renders RGBA: 4 M pixels is 16 MB per atlas, whatever the font size. */
const maxAtlasPixels = 4_000_000;
const maxFaces = 12;

export class GlyphCache {
  readonly face: GlyphFace;
  private readonly tiles = new Map<string, GlyphTile | null>();
  /** Characters in an atlas being rendered now, so pages drawn side by side do not render them twice. */
  private readonly pending = new Map<string, Promise<void>>();
  private renderedCount = 0;

  constructor(face: GlyphFace) {
    this.face = face;
  }

  /** The ink of `char`, or undefined when it has none (space, or not drawable). */
  tile(char: string): GlyphTile | undefined {
    return this.tiles.get(char) ?? undefined;
  }

  get size(): number {
    return this.tiles.size;
  }

  /** Characters rasterised so far (each once, unless evicted). */
  get rendered(): number {
    return this.renderedCount;
  }

  /** Renders every character of `chars` not rendered yet (one atlas for all of them). */
  async prepare(chars: Iterable<string>): Promise<void> {
    const missing: string[] = [];
    const waits = new Set<Promise<void>>();
    const seen = new Set<string>();
    for (const ch of chars) {
      if (this.tiles.has(ch) || seen.has(ch)) continue;
      seen.add(ch);
      const inFlight = this.pending.get(ch);
      if (inFlight !== undefined) waits.add(inFlight);
      else if (ch.trim() === '' || !isXmlChar(ch.codePointAt(0)!)) this.tiles.set(ch, null);
      else missing.push(ch);
    }
    if (missing.length > 0) {
      const job = this.render(missing);
      for (const ch of missing) this.pending.set(ch, job);
      waits.add(job);
    }
    await Promise.all(waits);
  }

  private async render(missing: readonly string[]): Promise<void> {
    try {
      if (this.tiles.size + missing.length > maxGlyphsPerFace) this.tiles.clear();
      const perAtlas = Math.max(1, Math.floor(maxAtlasPixels / tilePixels(this.face)));
      for (let i = 0; i < missing.length; i += perAtlas) {
        const rendered = await renderAtlas(this.face, missing.slice(i, i + perAtlas));
        for (const [ch, tile] of rendered) this.tiles.set(ch, tile);
        this.renderedCount += rendered.size;
      }
    } finally {
      for (const ch of missing) this.pending.delete(ch);
    }
  }
}

const caches = new Map<string, GlyphCache>();

/** The shared cache for a face (faces are few: font type x size x resolution x orientation). */
export function glyphCache(face: GlyphFace): GlyphCache {
  const key = `${face.families.join(',')}|${face.emMm.toFixed(4)}|${face.pxPerMmX.toFixed(4)}|${face.pxPerMmY.toFixed(4)}`;
  let cache = caches.get(key);
  if (cache === undefined) {
    if (caches.size >= maxFaces) caches.delete(caches.keys().next().value!);
    cache = new GlyphCache(face);
    caches.set(key, cache);
  } else {
    // Most recently used last, so the eviction above drops the stalest face.
    caches.delete(key);
    caches.set(key, cache);
  }
  return cache;
}

function tileSize(face: GlyphFace): { tileW: number; tileH: number } {
  return {
    tileW: Math.ceil(face.emMm * (1 + 2 * padEm) * face.pxPerMmX),
    tileH: Math.ceil(face.emMm * (1 + 2 * padEm) * face.pxPerMmY),
  };
}

function tilePixels(face: GlyphFace): number {
  const { tileW, tileH } = tileSize(face);
  return tileW * tileH;
}

async function renderAtlas(face: GlyphFace, chars: readonly string[]): Promise<Map<string, GlyphTile | null>> {
  const { emMm, pxPerMmX: sx, pxPerMmY: sy } = face;
  const { tileW, tileH } = tileSize(face);
  const anchorX = Math.floor(tileW / 2);
  const baselineY = Math.round((padEm + ascentEm) * emMm * sy);
  const cols = Math.max(1, Math.min(chars.length, Math.floor(8192 / tileW), Math.ceil(Math.sqrt(chars.length))));
  const rows = Math.ceil(chars.length / cols);
  const width = cols * tileW;
  const height = rows * tileH;
  const family = face.families.map((f) => `'${f}'`).join(', ');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<g font-family="${family}" font-size="${emMm}" text-anchor="middle" fill="#000">`,
  ];
  // Each glyph's anchor on a whole device pixel, by an exact translation before the scale: a
  // glyph then comes out the same pixels whichever atlas cell it gets (positions in mm under
  // one scale put it a rounding error off the grid, and a pixel or two of it could flip).
  chars.forEach((ch, i) => {
    const x = (i % cols) * tileW + anchorX;
    const y = Math.floor(i / cols) * tileH + baselineY;
    parts.push(`<text transform="translate(${x} ${y}) scale(${sx} ${sy})">${escapeXml(ch)}</text>`);
  });
  parts.push('</g></svg>');
  const { data, info } = await sharp(Buffer.from(parts.join('')), { limitInputPixels: false })
    .flatten({ background: '#ffffff' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const channels = info.channels;
  const atlas: Gray = { width: info.width, height: info.height, data: channels === 1 ? new Uint8Array(data.buffer, data.byteOffset, data.length) : firstChannel(data, channels) };
  const out = new Map<string, GlyphTile | null>();
  chars.forEach((ch, i) => {
    const x0 = (i % cols) * tileW;
    const y0 = Math.floor(i / cols) * tileH;
    out.set(ch, cropInk(atlas, x0, y0, tileW, tileH, anchorX, baselineY));
  });
  return out;
}

function cropInk(atlas: Gray, x0: number, y0: number, w: number, h: number, anchorX: number, baselineY: number): GlyphTile | null {
  let minX = w;
  let minY = h;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < h; y++) {
    const row = (y0 + y) * atlas.width + x0;
    for (let x = 0; x < w; x++) {
      if (atlas.data[row + x]! < paperLevel) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  if (maxX < 0) return null;
  const tw = maxX - minX + 1;
  const th = maxY - minY + 1;
  const data = new Uint8Array(tw * th);
  for (let y = 0; y < th; y++) {
    const src = (y0 + minY + y) * atlas.width + x0 + minX;
    data.set(atlas.data.subarray(src, src + tw), y * tw);
  }
  return { width: tw, height: th, data, dx: minX - anchorX, dy: minY - baselineY };
}

/** Darkest-wins copy of a tile onto a page, anchored at (ax, ay); clipped to the page. */
export function blitTile(page: Gray, tile: GlyphTile, ax: number, ay: number): void {
  const left = ax + tile.dx;
  const top = ay + tile.dy;
  const x0 = Math.max(0, -left);
  const y0 = Math.max(0, -top);
  const x1 = Math.min(tile.width, page.width - left);
  const y1 = Math.min(tile.height, page.height - top);
  const dst = page.data;
  const src = tile.data;
  for (let y = y0; y < y1; y++) {
    let d = (top + y) * page.width + left + x0;
    let s = y * tile.width + x0;
    for (let x = x0; x < x1; x++, d++, s++) {
      const v = src[s]!;
      if (v < dst[d]!) dst[d] = v;
    }
  }
}

function firstChannel(data: Buffer, channels: number): Uint8Array {
  const out = new Uint8Array(data.length / channels);
  for (let i = 0, j = 0; i < out.length; i++, j += channels) out[i] = data[j]!;
  return out;
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

function escapeXml(ch: string): string {
  switch (ch) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    default:
      return ch;
  }
}
