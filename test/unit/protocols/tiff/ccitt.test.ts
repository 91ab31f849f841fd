import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePage, decodePage, firstDifference } from '../../../../protocols/t4/index.ts';
import { readTiff, decodeTiffPage, decodeTiffPageWithReport, tiffPageCoded, tiffPageStrips, writeTiff, reverseBits } from '../../../../protocols/tiff/index.ts';
import { pageSet } from '../../../support/pages.ts';
import { patchTag } from './tiff-builder.ts';

const pages = [...pageSet(1728, 60), ...pageSet(13, 9)];

test('MH, MR and MMR pages round trip through writeTiff and readTiff', () => {
  for (const compression of ['mh', 'mr', 'mmr'] as const) {
    const bytes = writeTiff(pages.map((p) => ({ bitmap: p.bitmap, xRes: 204, yRes: 98 })), { compression });
    const file = readTiff(bytes);
    file.pages.forEach((info, i) => {
      assert.equal(info.compression, compression === 'mmr' ? 4 : 3);
      // Class F: 2-D flag for MR, fill bits (EOLs end on a byte boundary) for both G3 kinds.
      if (compression !== 'mmr') assert.equal(info.t4Options, compression === 'mr' ? 5 : 4);
      const r = decodeTiffPageWithReport(bytes, info);
      assert.equal(r.badLines, 0);
      const d = firstDifference(r.bitmap, pages[i]!.bitmap);
      assert.equal(d, undefined, `${compression} ${pages[i]!.name}: ${d?.message}`);
    });
  }
});

test('fill bits: every EOL of an MH page ends on a byte boundary', () => {
  for (const page of [pages[0]!, pages[1]!, pages[8]!]) {
    const bytes = writeTiff([{ bitmap: page.bitmap, xRes: 204, yRes: 196 }], { compression: 'mh' });
    const strip = tiffPageStrips(bytes, readTiff(bytes).pages[0]!)[0]!;
    // EOL is eleven 0s and a 1: aligned, it is a byte 0x01 after a byte whose low 4 bits are 0.
    let eols = 0;
    for (let i = 1; i < strip.length; i++) if (strip[i] === 0x01 && (strip[i - 1]! & 0x0f) === 0) eols++;
    assert.equal(eols, page.bitmap.height, page.name);
  }
});

test('coded pages pass through unchanged when the scheme matches, and are transcoded when not', () => {
  const b = pages[0]!.bitmap;
  const mr = encodePage(b, { scheme: 'mr', k: 4, alignEol: true });
  const encoded = { scheme: 'mr' as const, data: mr, width: b.width, height: b.height, alignEol: true };
  const same = writeTiff([{ encoded, xRes: 204, yRes: 196 }], { compression: 'mr' });
  const info = readTiff(same).pages[0]!;
  assert.deepEqual(tiffPageStrips(same, info)[0], mr, 'strip is the coded data as given');
  assert.equal(info.t4Options, 5);
  const g4 = writeTiff([{ encoded, xRes: 204, yRes: 196 }], { compression: 'mmr' });
  const g4info = readTiff(g4).pages[0]!;
  assert.equal(g4info.compressionName, 'g4');
  assert.equal(firstDifference(decodeTiffPage(g4, g4info), b), undefined);
});

test('tiffPageCoded gives PDF-ready data: K, EOL flags, fill order undone, BlackIs1', () => {
  const b = pages[0]!.bitmap;
  const g3 = writeTiff([{ bitmap: b, xRes: 204, yRes: 196 }], { compression: 'mr' });
  const info = readTiff(g3).pages[0]!;
  const c = tiffPageCoded(g3, info);
  assert.ok(c);
  assert.deepEqual([c.scheme, c.k, c.eol, c.byteAlignRows, c.alignEol, c.blackIs1], ['mr', 4, true, false, true, false]);
  assert.equal(firstDifference(decodePage(c.data, { scheme: 'mr', width: c.width, height: c.height }).bitmap, b), undefined);

  // FillOrder 2: the stored strip is bit-reversed; tiffPageCoded hands back MSB-first data.
  const lsb = patchTag(g3, 266, 2);
  const s = info.strips[0]!;
  lsb.set(reverseBits(g3.subarray(s.offset, s.offset + s.byteCount)), s.offset);
  const lsbInfo = readTiff(lsb).pages[0]!;
  assert.deepEqual(tiffPageCoded(lsb, lsbInfo)?.data, c.data);
  assert.equal(firstDifference(decodeTiffPage(lsb, lsbInfo), b), undefined);

  const blackIsZero = readTiff(patchTag(g3, 262, 1)).pages[0]!;
  assert.equal(tiffPageCoded(g3, blackIsZero)?.blackIs1, true);

  const g4 = writeTiff([{ bitmap: b, xRes: 204, yRes: 196 }], { compression: 'mmr' });
  const g4c = tiffPageCoded(g4, readTiff(g4).pages[0]!);
  assert.deepEqual([g4c?.scheme, g4c?.k, g4c?.eol], ['mmr', -1, false]);
  const plain = writeTiff([{ bitmap: b, xRes: 204, yRes: 196 }], { compression: 'none' });
  assert.equal(tiffPageCoded(plain, readTiff(plain).pages[0]!), undefined);
});
