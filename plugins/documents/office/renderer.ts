import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runConverter, withTempDir } from '../convert.ts';
import { DocumentError } from '../errors.ts';
import type { DocumentRenderer, OpenedDocument, RenderEnv, SniffedInput } from '../renderer.ts';
import { MediaType } from '../sniff.ts';

/**
 * Word, Excel and PowerPoint files (and RTF, OpenDocument) through LibreOffice headless to
 * PDF, then as PDF. Each conversion has its own LibreOffice profile directory, so
 * conversions can run side by side (up to the converter bound) without locking each other.
 * The document's own page setup decides paper and orientation; fit-to-page scales it to the
 * fax paper.
 */
export const officeRenderer: DocumentRenderer = {
  kind: 'office',
  async open(input: SniffedInput, env: RenderEnv): Promise<OpenedDocument> {
    const pdf = await env.converters.run(() =>
      withTempDir('faxgate-office-', async (dir) => {
        const source = join(dir, `document.${input.extension}`);
        await writeFile(source, input.bytes);
        await runConverter(
          'soffice',
          [`-env:UserInstallation=${pathToFileURL(join(dir, 'profile')).href}`, '--headless', '--norestore', '--nolockcheck', '--convert-to', 'pdf', '--outdir', join(dir, 'out'), source],
          { timeoutMs: env.limits.converterTimeoutMs, cwd: dir, what: 'libreoffice' },
        );
        const produced = await readdir(join(dir, 'out')).catch(() => [] as string[]);
        const name = produced.find((n) => n.endsWith('.pdf'));
        // LibreOffice exits 0 without output for files it cannot open (damaged, or asking for a password).
        if (name === undefined) throw new DocumentError('DOC_CORRUPT', { format: input.extension, reason: 'LibreOffice could not open the file' });
        return new Uint8Array(await readFile(join(dir, 'out', name)));
      }),
    );
    return env.openNested({ name: input.name, bytes: pdf, mediaType: MediaType.pdf, extension: 'pdf' }, env.depth);
  },
};
