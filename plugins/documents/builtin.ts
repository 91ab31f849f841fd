import { imageRenderer } from './image/renderer.ts';
import { pdfRenderer } from './pdf/renderer.ts';
import type { DocumentRenderer } from './renderer.ts';
import { MediaType } from './sniff.ts';

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
]);

export function builtinRenderer(mediaType: string): DocumentRenderer | undefined {
  return builtinRenderers.get(mediaType);
}
