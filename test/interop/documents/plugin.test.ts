/**
 * The documents plugin as the service runs it: loaded by the core runtime's plugin host (on a
 * memory store), its renderers found in the shared `renderers` registry, and documents
 * rendered through the plugin (its pool, its config) and through the registry alone. Also:
 * text pages finished in the page workers equal the in-thread reference (renderText).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../../../core/clock.ts';
import { loadConfig } from '../../../core/config/config.ts';
import { silentLogger } from '../../../core/logger.ts';
import { Runtime } from '../../../core/runtime.ts';
import { MemoryBackend } from '../../../core/store/memory-backend.ts';
import { renderDocuments } from '../../../plugins/documents/index.ts';
import type { DocumentRenderer, RenderJob } from '../../../plugins/documents/index.ts';
import { openDocuments } from '../../../plugins/documents/pipeline.ts';
import { MediaType } from '../../../plugins/documents/sniff.ts';
import { decodePage, firstDifference } from '../../../protocols/t4/index.ts';
import type { Bitmap } from '../../../protocols/t4/index.ts';
import { renderText } from '../../../plugins/documents/text/render.ts';
import { textPdf, work } from './support.ts';

after(() => rmSync(work, { recursive: true, force: true }));

const root = fileURLToPath(new URL('../../..', import.meta.url));

async function startRuntime(): Promise<Runtime> {
  writeFileSync(join(work, 'faxgate.json'), JSON.stringify({ http: { port: 0 }, dataDir: join(work, 'data'), pluginConfig: { documents: { workers: 1, maxPages: 40 } } }));
  const config = loadConfig({ cwd: work, env: {} });
  // The same entry the CLI's builtin list has, and nothing else.
  return Runtime.start({
    config,
    builtinPlugins: [{ module: './plugins/documents/index.ts', config: {}, baseDir: root }],
    clock: new ManualClock(),
    logger: silentLogger,
    backend: new MemoryBackend(),
    announce: () => undefined,
  });
}

interface PageFacts {
  readonly width: number;
  readonly height: number;
  readonly xDpi: number;
  readonly yDpi: number;
  readonly black: number;
}

async function pagesOf(job: RenderJob): Promise<PageFacts[]> {
  const out: PageFacts[] = [];
  try {
    for await (const p of job.pages()) {
      // The stored MMR decodes to the page's own bitmap: what goes on the wire is what was drawn.
      const decoded = decodePage(p.mmr, { scheme: 'mmr', width: p.bitmap.width, height: p.bitmap.height }).bitmap;
      assert.deepEqual(decoded.data, p.bitmap.data, `page ${p.index + 1}: MMR round trip`);
      let black = 0;
      for (const byte of p.bitmap.data) for (let v = byte; v !== 0; v &= v - 1) black++;
      out.push({ width: p.bitmap.width, height: p.bitmap.height, xDpi: p.xDpi, yDpi: p.yDpi, black });
    }
  } finally {
    await job.close();
  }
  return out;
}

test('the runtime loads the plugin; its renderers are in the registry; PDF and text render through it', async () => {
  const runtime = await startRuntime();
  try {
    assert.deepEqual(runtime.plugins.names, ['documents']);
    const registry = runtime.registry<DocumentRenderer>('renderers');
    for (const t of [MediaType.pdf, MediaType.text, MediaType.png, MediaType.docx, MediaType.html, MediaType.zip]) assert.ok(registry.get(t) !== undefined, t);
    assert.equal(registry.get(MediaType.pdf)!.kind, 'pdf');
    assert.equal(registry.get(MediaType.text)!.kind, 'text');

    const pdf = { name: 'three.pdf', bytes: new Uint8Array(readFileSync(textPdf('three.pdf', 3))) };
    // 150 lines at font size 3 (62 lines on an A4 portrait page, S7): 3 pages.
    const text = { name: 'notes.txt', bytes: new TextEncoder().encode(Array.from({ length: 150 }, (_, i) => `line ${i + 1} of the notes`).join('\n')) };

    const fine = await renderDocuments([pdf, text]);
    assert.deepEqual(fine.inputs.map((i) => [i.name, i.mediaType, i.pages]), [['three.pdf', MediaType.pdf, 3], ['notes.txt', MediaType.text, 3]]);
    assert.equal(fine.totalPages, 6);
    const finePages = await pagesOf(fine);
    assert.equal(finePages.length, 6);
    for (const p of finePages) {
      // A4 at 204x196: 1728 dots across, 297 mm down at 196 lpi.
      assert.deepEqual([p.width, p.height, p.xDpi, p.yDpi], [1728, 2292, 204, 196]);
      assert.ok(p.black > 2000, `ink on every page: ${p.black}`);
    }

    const standard = await pagesOf(await renderDocuments([pdf], { modes: { resolution: 'standard', paper: 'B4' } }));
    assert.deepEqual(standard.map((p) => [p.width, p.height, p.yDpi]), Array.from({ length: 3 }, () => [2048, 1404, 98]));

    // The plugin's config reached it: maxPages 40 from pluginConfig.
    await assert.rejects(renderDocuments(Array.from({ length: 14 }, () => pdf)), (e: Error & { code?: string }) => e.code === 'DOC_TOO_MANY_PAGES');

    // Any code holding the registry renders the same pages through it.
    const viaRegistry = await pagesOf(await openDocuments([text], { renderers: (t) => registry.get(t) }));
    assert.deepEqual(viaRegistry, finePages.slice(3));
  } finally {
    await runtime.stop();
  }
  assert.throws(() => renderDocuments([]), /documents plugin is not running/);
});

test('text pages made in the workers (turned and thresholded there) are the pages renderText makes', async () => {
  const text = Array.from({ length: 80 }, (_, i) => `${i + 1} 送信テスト The quick brown fox jumps over the lazy dog`).join('\n');
  const bytes = new TextEncoder().encode(text);
  for (const [orientation, resolution] of [['portrait', 'fine'], ['landscape', 'fine'], ['landscape', 'standard']] as const) {
    const want: Bitmap[] = [];
    for await (const b of renderText(bytes, { defaultCharset: 'utf-8', fontSize: 3, fontType: 'MS Gothic', paper: 'A4', orientation, resolution, quality: 'mono' })) want.push(b);
    const job = await openDocuments([{ name: 'n.txt', bytes }], { modes: { orientation, resolution }, resources: { workers: 1 } });
    const got: Bitmap[] = [];
    try {
      for await (const p of job.pages()) got.push(p.bitmap);
    } finally {
      await job.close();
    }
    assert.equal(got.length, want.length, `${orientation} ${resolution}`);
    got.forEach((b, i) => assert.equal(firstDifference(b, want[i]!), undefined, `${orientation} ${resolution} page ${i + 1}`));
  }
});
