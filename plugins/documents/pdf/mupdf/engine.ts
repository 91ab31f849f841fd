import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Which library draws PDF pages. */
export type PdfEngine = 'mupdf' | 'pdfium';

/** Where scripts/build-native.mjs puts the MuPDF helper (pdf-raster.c). */
export const pdfRasterBinary = fileURLToPath(new URL('../../../../build/native/faxgate-pdf-raster', import.meta.url));

/**
 * MuPDF when its helper is built (about twice as fast as PDFium WASM on text pages), else
 * PDFium. FAXGATE_PDF_RENDERER=pdfium|mupdf forces one; forcing MuPDF without the helper is
 * an error rather than a quiet fall back, so a benchmark or test never measures the wrong one.
 */
export function choosePdfEngine(env: NodeJS.ProcessEnv = process.env): PdfEngine {
  const forced = env['FAXGATE_PDF_RENDERER'];
  if (forced === 'pdfium') return 'pdfium';
  const built = existsSync(pdfRasterBinary);
  if (forced === 'mupdf') {
    if (!built) throw new Error(`FAXGATE_PDF_RENDERER=mupdf but the MuPDF helper is not built [path:${pdfRasterBinary}] (run node scripts/build-native.mjs; it needs libmupdf-dev)`);
    return 'mupdf';
  }
  if (forced !== undefined && forced !== '') throw new Error(`FAXGATE_PDF_RENDERER must be pdfium or mupdf [value:${forced}]`);
  return built ? 'mupdf' : 'pdfium';
}
