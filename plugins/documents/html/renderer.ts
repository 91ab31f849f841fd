import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runConverter, withTempDir } from '../convert.ts';
import { DocumentError } from '../errors.ts';
import { paperSize } from '../raster/geometry.ts';
import { canonicalCharset, detectCharset } from '../text/charset.ts';
import type { DocumentRenderer, OpenedDocument, RenderEnv, SniffedInput } from '../renderer.ts';
import { MediaType } from '../sniff.ts';

/**
 * HTML (a mail body, an attachment, a fetched URL) through headless Chromium printing to PDF,
 * then as PDF.
 *
 * The page is hostile until proven otherwise: it could point an <img>, <iframe> or a meta
 * refresh at file:///etc/... or at a service inside our network, and the fax would carry the
 * answer to whatever number the sender chose. So Chromium gets the page from a one-shot HTTP
 * server on 127.0.0.1 (an http page cannot load or navigate to file: URLs), with a
 * Content-Security-Policy that allows nothing but the page itself and data: URLs (no
 * scripts, no remote images, frames or fonts), and every other request goes to a proxy
 * that does not exist.
 */

const csp = "default-src 'none'; style-src 'unsafe-inline' data:; img-src data:; font-src data:; form-action 'none'; base-uri 'none'";

export const htmlRenderer: DocumentRenderer = {
  kind: 'html',
  async open(input: SniffedInput, env: RenderEnv): Promise<OpenedDocument> {
    const page = Buffer.concat([Buffer.from(input.bytes), Buffer.from(printStyle(env))]);
    const charset = input.declaredCharset ?? (declaresCharset(input.bytes) ? undefined : detectCharset(input.bytes, canonicalCharset(env.modes.charset) ?? 'utf-8'));
    const pdf = await env.converters.run(() =>
      withTempDir('faxgate-html-', (dir) =>
        serveOnce(page, charset, async (url, port) => {
          const out = join(dir, 'page.pdf');
          await runConverter(
            'chromium',
            [
              '--headless',
              '--no-sandbox',
              '--disable-gpu',
              '--disable-quic',
              '--no-first-run',
              '--disable-background-networking',
              '--disable-component-update',
              '--disable-sync',
              '--disable-extensions',
              '--mute-audio',
              `--user-data-dir=${join(dir, 'profile')}`,
              '--proxy-server=http://127.0.0.1:9',
              `--proxy-bypass-list=<-loopback>;127.0.0.1:${port}`,
              '--no-pdf-header-footer',
              `--print-to-pdf=${out}`,
              url,
            ],
            { timeoutMs: env.limits.converterTimeoutMs, cwd: dir, what: 'chromium' },
          );
          try {
            return new Uint8Array(await readFile(out));
          } catch {
            throw new DocumentError('DOC_CONVERTER_FAILED', { converter: 'chromium', reason: 'no PDF written' });
          }
        }),
      ),
    );
    return env.openNested({ name: input.name, bytes: pdf, mediaType: MediaType.pdf, extension: 'pdf' }, env.depth);
  },
};

/**
 * Paper and margins for print, and backgrounds only when asked (`/ib`). Appended after the
 * document: a <style> at the end still applies to all of it, and leaves the document's own
 * doctype and charset declaration where the parser looks for them.
 */
function printStyle(env: RenderEnv): string {
  const p = paperSize(env.modes.paper);
  const [w, h] = env.modes.orientation === 'landscape' ? [p.heightMm, p.widthMm] : [p.widthMm, p.heightMm];
  // Headless Chromium prints backgrounds whatever print-color-adjust says: remove them unless asked.
  const backgrounds = env.modes.background
    ? '* { -webkit-print-color-adjust: exact !important; print-color-adjust: exact !important; }'
    : '* { background-color: transparent !important; background-image: none !important; }';
  return `\n<style>@page { size: ${w}mm ${h}mm; margin: 10mm; } ${backgrounds}</style>\n`;
}

/** Whether the document names its charset where a browser looks for it (the first 1024 bytes). */
function declaresCharset(bytes: Uint8Array): boolean {
  return /<meta[^>]+charset/i.test(Buffer.from(bytes.subarray(0, 1024)).toString('latin1'));
}

/** Serves `body` at one URL on 127.0.0.1 while `use` runs; everything else is 404. */
async function serveOnce<T>(body: Buffer, charset: string | undefined, use: (url: string, port: number) => Promise<T>): Promise<T> {
  const path = `/${Math.random().toString(36).slice(2)}.html`;
  const server = http.createServer((req, res) => {
    if (req.url !== path) {
      res.writeHead(404).end();
      return;
    }
    // A charset here overrides the document's <meta>: only sent when the document has none.
    res.writeHead(200, { 'content-type': charset === undefined ? 'text/html' : `text/html; charset=${charset}`, 'content-security-policy': csp, 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await use(`http://127.0.0.1:${port}${path}`, port);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
