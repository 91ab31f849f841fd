import { DocumentError } from './errors.ts';
import { layoutSurface } from './raster/geometry.ts';
import type { DocumentRenderer, OpenedDocument, RenderEnv, SniffedInput } from './renderer.ts';
import { TextRenderError, decodeText, layoutTextInSlices, placeTextPage, resolveFont, textThreshold } from './text/index.ts';
import type { FontSize, TextRenderOptions } from './text/index.ts';
import { glyphCache } from './text/glyphs.ts';
import type { FaxPageResult, FinishSpec } from './worker/protocol.ts';

/**
 * Plain text with our own layout (text/): laid out once at open, so the page count is known,
 * then each page placed when asked for (glyph tiles and anchors, here where the glyph cache
 * is); the worker draws, turns and thresholds it, adds the header and codes it.
 */
export const textRenderer: DocumentRenderer = {
  kind: 'text',
  async open(input: SniffedInput, env: RenderEnv): Promise<OpenedDocument> {
    const m = env.modes;
    const options: TextRenderOptions = {
      ...(input.declaredCharset === undefined ? {} : { charset: input.declaredCharset }),
      defaultCharset: m.charset,
      fontSize: Math.min(7, Math.max(1, Math.round(m.fontSize))) as FontSize,
      fontType: m.fontType,
      paper: m.paper,
      orientation: m.orientation,
      resolution: m.resolution,
      quality: m.quality,
    };
    try {
      const font = resolveFont(options.fontType);
      const { text } = decodeText(input.bytes, options.charset, options.defaultCharset);
      // Laid out a slice at a time: a long text takes tens of milliseconds.
      const layout = await layoutTextInSlices(text, options);
      const surface = layoutSurface(options);
      const cache = glyphCache({ families: font.families, emMm: layout.grid.emMm, pxPerMmX: surface.pxPerMmX, pxPerMmY: surface.pxPerMmY });
      return {
        pageCount: Math.max(1, layout.pages.length),
        page: async (index: number, finish: FinishSpec): Promise<FaxPageResult> => {
          // Drawing a dense page (~100 ms), turning and thresholding it are the worker's pixel
          // work, not the event loop's: only where each glyph goes is worked out here.
          const placed = await placeTextPage(layout.pages[index] ?? [], layout, surface, cache);
          const req = { op: 'text', placed, width: surface.widthPx, height: surface.heightPx, turn: surface.rotation === 90, threshold: textThreshold(options.resolution), finish } as const;
          return env.pool.call<FaxPageResult>(env.pool.leastBusy(), req, [placed.marks.buffer as ArrayBuffer]);
        },
        close: async () => undefined,
      };
    } catch (err) {
      if (err instanceof TextRenderError) throw new DocumentError('DOC_UNSUPPORTED_TYPE', { reason: err.message });
      throw err;
    }
  },
};
