import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzTiff, seedCorpus } from '../../../fuzz/tiff.fuzz.ts';
import { readTiff, decodeTiffPageWithReport } from '../../../../protocols/tiff/index.ts';

test('seed corpus is valid: every page decodes cleanly (so mutations start from real files)', () => {
  for (const file of seedCorpus()) {
    for (const p of readTiff(file).pages) assert.equal(decodeTiffPageWithReport(file, p).badLines, 0);
  }
});

test('1000 fuzzed TIFFs: only TiffError or T4DecodeError, nothing slow', () => {
  const r = fuzzTiff(1000, 20240601);
  assert.deepEqual(r.findings, []);
  // The mix must reach the decoders, not only the header check.
  assert.ok(r.pagesDecoded > 100, `pages decoded: ${r.pagesDecoded}`);
  assert.ok(r.tiffErrors > 50, `TiffErrors: ${r.tiffErrors}`);
});
