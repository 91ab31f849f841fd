import sharp from 'sharp';
import { decodeTiffPage, readTiff } from '../../../protocols/tiff/index.ts';
import type { TiffFile } from '../../../protocols/tiff/index.ts';
import { DocumentError } from '../errors.ts';
import { placeContent } from '../place.ts';
import { pageGeometry } from '../raster/geometry.ts';
import type { PageGeometry } from '../raster/types.ts';
import type { DocumentRenderer, OpenedDocument, RenderEnv, SniffedInput } from '../renderer.ts';
import { MediaType } from '../sniff.ts';
import type { FaxPageResult, FinishSpec } from '../worker/protocol.ts';

/**
 * JPEG, PNG, GIF and TIFF through sharp (libvips, off the event loop in its own threads):
 * each page is decoded, flattened on white, turned and scaled straight to its rectangle on
 * the fax page, as gray; the page worker then makes it bilevel and codes it.
 *
 * A fax TIFF whose pages already have the fax page's width and resolution is passed through
 * as its bilevel pixels (no resampling, no dithering): re-faxing a received fax loses nothing.
 */

/** Without a resolution in the file, a pixel is taken as a fax pixel across (204 dpi). */
const assumedDpi = 204;

export const imageRenderer: DocumentRenderer = {
  kind: 'image',
  async open(input: SniffedInput, env: RenderEnv): Promise<OpenedDocument> {
    const g = geometryOf(env);
    if (input.mediaType === MediaType.tiff) {
      const fax = faxTiffPassThrough(input.bytes, g);
      if (fax !== undefined) return passThrough(input.bytes, fax, env);
    }
    let meta: sharp.Metadata;
    try {
      meta = await sharp(input.bytes, { limitInputPixels: env.limits.maxImagePixels }).metadata();
    } catch (err) {
      throw new DocumentError('DOC_CORRUPT', { format: input.extension, reason: err instanceof Error ? err.message : String(err) });
    }
    // An animated GIF's frames are moments of one picture, not pages: fax the first.
    const pageCount = input.mediaType === MediaType.tiff ? (meta.pages ?? 1) : 1;
    return {
      pageCount,
      page: async (index: number, finish: FinishSpec): Promise<FaxPageResult> => {
        const { gray, x, y, cropped } = await decodePage(input, index, g, env);
        if (cropped) env.warn(`${input.name}: page ${index + 1} is larger than the fax page and was cut`);
        return env.pool.call<FaxPageResult>(env.pool.leastBusy(), { op: 'gray', gray, x, y, finish }, [gray.data.buffer as ArrayBuffer]);
      },
      close: async () => undefined,
    };
  },
};

function geometryOf(env: RenderEnv): PageGeometry {
  return pageGeometry({ paper: env.modes.paper, orientation: 'portrait', resolution: env.modes.resolution });
}

async function decodePage(input: SniffedInput, index: number, g: PageGeometry, env: RenderEnv): Promise<{ gray: { width: number; height: number; data: Uint8Array }; x: number; y: number; cropped: boolean }> {
  try {
    const img = sharp(input.bytes, { page: index, limitInputPixels: env.limits.maxImagePixels });
    const meta = await img.metadata();
    // EXIF orientations 5..8 swap width and height once applied.
    const swapped = (meta.orientation ?? 1) >= 5;
    const w = (swapped ? meta.height : meta.width) ?? 1;
    const h = (swapped ? meta.width : meta.height) ?? 1;
    const dpi = meta.density !== undefined && meta.density > 1 ? meta.density : assumedDpi;
    const place = placeContent({ widthMm: (w / dpi) * 25.4, heightMm: (h / dpi) * 25.4 }, g, env.modes.scale);
    let pipeline = img.autoOrient().flatten({ background: '#ffffff' });
    // Counter-clockwise, as placeContent lays landscape content.
    if (place.rotation === 90) pipeline = pipeline.rotate(-90);
    const { data, info } = await pipeline
      .resize(place.width, place.height, { fit: 'fill', kernel: 'lanczos3' })
      .grayscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const gray = info.channels === 1 ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : firstChannel(data, info.channels);
    return { gray: { width: info.width, height: info.height, data: gray.slice() }, x: place.x, y: place.y, cropped: place.cropped };
  } catch (err) {
    if (err instanceof DocumentError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/pixel limit/i.test(message)) throw new DocumentError('DOC_TOO_LARGE', { format: input.extension, reason: 'image has too many pixels' });
    throw new DocumentError('DOC_CORRUPT', { format: input.extension, page: index + 1, reason: message });
  }
}

function firstChannel(data: Buffer, channels: number): Uint8Array {
  const out = new Uint8Array(data.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels]!;
  return out;
}

/** A bilevel TIFF with the fax page's line width and vertical resolution (within 2%), and no taller than the page. */
function faxTiffPassThrough(bytes: Uint8Array, g: PageGeometry): TiffFile | undefined {
  let file: TiffFile;
  try {
    file = readTiff(bytes);
  } catch {
    return undefined;
  }
  const fits = file.pages.every(
    (p) => p.width === g.widthPx && p.yDpi !== undefined && Math.abs(p.yDpi - g.yDpi) <= g.yDpi * 0.02 && p.height <= Math.ceil(g.heightPx * 1.02),
  );
  return fits ? file : undefined;
}

function passThrough(bytes: Uint8Array, file: TiffFile, env: RenderEnv): OpenedDocument {
  return {
    pageCount: file.pages.length,
    page: async (index: number, finish: FinishSpec): Promise<FaxPageResult> => {
      let bitmap;
      try {
        bitmap = decodeTiffPage(bytes, file.pages[index]!);
      } catch (err) {
        throw new DocumentError('DOC_CORRUPT', { format: 'tiff', page: index + 1, reason: err instanceof Error ? err.message : String(err) });
      }
      return env.pool.call<FaxPageResult>(env.pool.leastBusy(), { op: 'bitmap', bitmap, finish }, [bitmap.data.buffer as ArrayBuffer]);
    },
    close: async () => undefined,
  };
}
