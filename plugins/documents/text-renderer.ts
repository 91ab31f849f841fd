import { DocumentError } from './errors.ts';
import { layoutSurface } from './raster/geometry.ts';
import type { DocumentRenderer, OpenedDocument, RenderEnv, SniffedInput } from './renderer.ts';
import { TextRenderError, decodeText, drawTextPage, layoutText, resolveFont, textThreshold } from './text/index.ts';
import type { FontSize, TextRenderOptions } from './text/index.ts';
import { glyphCache } from './text/glyphs.ts';
import type { FaxPageResult, FinishSpec } from './worker/protocol.ts';

/**
 * Plain text with our own layout (text/): laid out once at open, so the page count is known,
 * then each page drawn when asked for (glyphs blitted here, where the glyph cache is); the
 * worker turns and thresholds it, adds the header and codes it.
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
      const layout = layoutText(text, options);
      const surface = layoutSurface(options);
      const cache = glyphCache({ families: font.families, emMm: layout.grid.emMm, pxPerMmX: surface.pxPerMmX, pxPerMmY: surface.pxPerMmY });
      return {
        pageCount: Math.max(1, layout.pages.length),
        page: async (index: number, finish: FinishSpec): Promise<FaxPageResult> => {
          const gray = await drawTextPage(layout.pages[index] ?? [], layout, surface, cache);
          // Turning and thresholding a fine page is 10-50 ms of pixel work: the worker's, not the event loop's.
          const req = { op: 'gray', gray, x: 0, y: 0, turn: surface.rotation === 90, threshold: textThreshold(options.resolution), finish } as const;
          return env.pool.call<FaxPageResult>(env.pool.leastBusy(), req, [gray.data.buffer as ArrayBuffer]);
        },
        close: async () => undefined,
      };
    } catch (err) {
      if (err instanceof TextRenderError) throw new DocumentError('DOC_UNSUPPORTED_TYPE', { reason: err.message });
      throw err;
    }
  },
};
