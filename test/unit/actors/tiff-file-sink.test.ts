import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TiffFileSink } from '../../../actors/fax-call/index.ts';
import { decodeTiffPage, readTiff } from '../../../protocols/tiff/index.ts';
import { checkerboardPage, textPage } from '../../support/pages.ts';

test('TiffFileSink: after every page the file is a complete TIFF of the pages so far (a crash keeps them), and finish() leaves the same pages', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'faxgate-sink-'));
  try {
    const path = join(dir, 'rx.tif');
    const sink = new TiffFileSink(path, { durable: true });
    const pages = [textPage(1728, 1100, 3), checkerboardPage(1728, 300), textPage(1728, 2200, 4)];
    for (const [i, bitmap] of pages.entries()) {
      await sink.onPage({ index: i, bitmap, resolution: bitmap.height > 1400 ? 'fine' : 'standard', compression: 'mmr', ecm: true, badLines: 0, consecutiveBadLinesMax: 0 });
      // What a crash right now would leave on disk:
      const bytes = readFileSync(path);
      const file = readTiff(bytes);
      assert.equal(file.pages.length, i + 1, `pages readable after page ${i + 1}`);
      assert.equal(bytes.length, sink.bytes);
      const last = file.pages[i]!;
      assert.deepEqual(Buffer.from(decodeTiffPage(bytes, last).data), Buffer.from(bitmap.data), `page ${i + 1} pixels`);
    }
    sink.finish();
    const bytes = readFileSync(path);
    assert.equal(bytes.length, sink.bytes);
    const file = readTiff(bytes);
    assert.equal(file.pages.length, 3);
    file.pages.forEach((p, i) => assert.deepEqual(Buffer.from(decodeTiffPage(bytes, p).data), Buffer.from(pages[i]!.data)));
    assert.deepEqual(file.pages.map((p) => p.yDpi), [98, 98, 196]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
