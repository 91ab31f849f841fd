import { htmlRenderer } from './html/renderer.ts';
import { imageRenderer } from './image/renderer.ts';
import { officeRenderer } from './office/renderer.ts';
import { pdfRenderer } from './pdf/renderer.ts';
import type { DocumentRenderer } from './renderer.ts';
import { MediaType } from './sniff.ts';
import { textRenderer } from './text-renderer.ts';
import { zipRenderer } from './zip/renderer.ts';

/**
 * The renderers faxgate ships, by media type. The plugin registers exactly these in the
 * `renderers` registry; the CLI uses the table directly.
 */
export const builtinRenderers: ReadonlyMap<string, DocumentRenderer> = new Map<string, DocumentRenderer>([
  [MediaType.pdf, pdfRenderer],
  [MediaType.jpeg, imageRenderer],
  [MediaType.png, imageRenderer],
  [MediaType.gif, imageRenderer],
  [MediaType.tiff, imageRenderer],
  [MediaType.doc, officeRenderer],
  [MediaType.docx, officeRenderer],
  [MediaType.xls, officeRenderer],
  [MediaType.xlsx, officeRenderer],
  [MediaType.ppt, officeRenderer],
  [MediaType.pptx, officeRenderer],
  [MediaType.odf, officeRenderer],
  [MediaType.rtf, officeRenderer],
  [MediaType.html, htmlRenderer],
  [MediaType.zip, zipRenderer],
  [MediaType.text, textRenderer],
]);

export function builtinRenderer(mediaType: string): DocumentRenderer | undefined {
  return builtinRenderers.get(mediaType);
}
