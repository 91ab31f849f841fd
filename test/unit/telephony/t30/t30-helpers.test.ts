import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyQuality, copyQualityResponse } from '../../../../telephony/t30/copy-quality.ts';
import { EcmBlockCollector, splitIntoBlocks, ecmBurst } from '../../../../telephony/t30/ecm-block.ts';
import { PageAssembler } from '../../../../telephony/t30/page-sink.ts';
import { conformedRows, ecmPageData, nonEcmPageChunks, rowMergeFactor, rtcPaddingOctets } from '../../../../telephony/t30/page-source.ts';
import { TcfCheck } from '../../../../telephony/t30/tcf.ts';
import { decodeFcd, decodeFrame } from '../../../../protocols/t30/index.ts';
import { createBitmap, decodePage, firstDifference, getPixel, setPixel } from '../../../../protocols/t4/index.ts';
import { textPage } from '../../../support/pages.ts';

test('copy quality: 2 % bad rows is good, 5 % poor, more bad; long bad runs count too', () => {
  assert.equal(copyQuality({ lines: 1000, badLines: 20, consecutiveBadLinesMax: 1 }, 'fine'), 'good');
  assert.equal(copyQuality({ lines: 1000, badLines: 21, consecutiveBadLinesMax: 1 }, 'fine'), 'poor');
  assert.equal(copyQuality({ lines: 1000, badLines: 50, consecutiveBadLinesMax: 1 }, 'fine'), 'poor');
  assert.equal(copyQuality({ lines: 1000, badLines: 51, consecutiveBadLinesMax: 1 }, 'fine'), 'bad');
  assert.equal(copyQuality({ lines: 1000, badLines: 13, consecutiveBadLinesMax: 13 }, 'standard'), 'poor');
  assert.equal(copyQuality({ lines: 1000, badLines: 13, consecutiveBadLinesMax: 13 }, 'fine'), 'good');
  assert.equal(copyQuality({ lines: 1000, badLines: 30, consecutiveBadLinesMax: 30 }, 'standard'), 'bad');
  assert.equal(copyQuality({ lines: 0, badLines: 0, consecutiveBadLinesMax: 0 }, 'fine'), 'bad');
  assert.deepEqual((['good', 'poor', 'bad'] as const).map(copyQualityResponse), ['MCF', 'RTP', 'RTN']);
});

test('TCF check: a second of zeros at the rate is good, losses allowed, noise restarts the run', () => {
  const ok = new TcfCheck(9600);
  ok.push(new Uint8Array(1200)); // exactly 1 s at 9600
  assert.equal(ok.good, true);
  const short = new TcfCheck(14400);
  short.push(new Uint8Array(1799));
  assert.equal(short.good, false);
  const noisy = new TcfCheck(9600);
  const data = new Uint8Array(1800);
  data[900] = 0x10;
  noisy.push(data);
  assert.equal(noisy.good, false);
  assert.equal(Math.round(noisy.longestZeroMs), 750);
  // Chunk boundaries do not break a run.
  const chunked = new TcfCheck(4800);
  for (let i = 0; i < 10; i++) chunked.push(new Uint8Array(60));
  assert.equal(chunked.good, true);
});

test('ECM blocks: 256 frames per block, short last frame; the collector finds gaps and reassembles', () => {
  const coded = Uint8Array.from({ length: 256 * 256 + 300 }, (_, i) => i & 0xff);
  const blocks = splitIntoBlocks(coded, 256);
  assert.deepEqual(blocks.map((b) => b.length), [256, 2]);
  assert.equal(blocks[1]![1]!.length, 44);
  const small = splitIntoBlocks(coded.subarray(0, 130), 64);
  assert.deepEqual(small[0]!.map((f) => f.length), [64, 64, 2]);
  const burst = ecmBurst(blocks[0]!, [5, 7]);
  assert.deepEqual(burst.map((f) => decodeFrame(f).fcf), ['FCD', 'FCD', 'RCP', 'RCP', 'RCP']);
  assert.equal(decodeFcd(burst[1]!).frameNumber, 7);
  const c = new EcmBlockCollector();
  for (const [i, f] of blocks[0]!.entries()) if (i !== 3 && i !== 200) c.accept(i, f);
  assert.deepEqual(c.missing(256), [3, 200]);
  c.accept(3, blocks[0]![3]!);
  c.accept(200, blocks[0]![200]!);
  assert.deepEqual(c.missing(256), []);
  assert.deepEqual(c.assemble(256), coded.subarray(0, 65536));
  c.reset();
  assert.equal(c.missing(2).length, 2);
});

test('page source: fine to standard merges row pairs by OR; superfine to standard merges four', () => {
  assert.equal(rowMergeFactor('fine', 'standard'), 2);
  assert.equal(rowMergeFactor('superfine', 'standard'), 4);
  assert.equal(rowMergeFactor('standard', 'standard'), 1);
  const b = createBitmap(1728, 8);
  setPixel(b, 10, 1, 1);
  setPixel(b, 20, 6, 1);
  const rows = Array.from(conformedRows(b, 1728, 4), (r) => r.slice());
  assert.equal(rows.length, 2);
  assert.equal((rows[0]![1]! >> 5) & 1, 1); // x = 10
  assert.equal((rows[1]![2]! >> 3) & 1, 1); // x = 20
});

test('page source: a narrow page is centred on white, its padding bits staying white', () => {
  const narrow = createBitmap(13, 2);
  for (let x = 0; x < 13; x++) setPixel(narrow, x, 0, 1);
  narrow.data[1] = 0xff; // junk in the padding bits past width 13
  const [row] = Array.from(conformedRows(narrow, 1728, 1), (r) => r.slice());
  const out = { width: 1728, height: 1, rowBytes: 216, data: row! };
  // (1728 - 13) >>> 4 = 107 octets in: x = 856.
  let black = 0;
  for (let x = 0; x < 1728; x++) black += getPixel(out, x, 0);
  assert.equal(black, 13);
  assert.equal(getPixel(out, 856, 0), 1);
  assert.equal(getPixel(out, 868, 0), 1);
  assert.equal(getPixel(out, 869, 0), 0);
});

test('page source: non-ECM chunks decode to the page, pad each row to the scan time, and end with 40 ms of zeros', () => {
  const page = textPage(1728, 100, 2);
  const coding = { width: 1728, compression: 'mr', fromResolution: 'fine', toResolution: 'fine' } as const;
  const chunks = [...nonEcmPageChunks(page, coding, { minScanLineMs: 10, bitRate: 9600 }, 256)];
  assert.ok(chunks.length > 2);
  const all = Uint8Array.from(chunks.flatMap((c) => [...c]));
  const tail = all.subarray(all.length - rtcPaddingOctets(9600));
  assert.ok(tail.every((b) => b === 0));
  assert.equal(rtcPaddingOctets(9600), 48);
  // 100 rows at >= 96 bits each (10 ms at 9600 bit/s).
  assert.ok(all.length * 8 >= 100 * 96);
  const back = decodePage(all, { scheme: 'mr', width: 1728 });
  assert.equal(back.badLines, 0);
  assert.equal(firstDifference(back.bitmap, page), undefined);
});

test('page sink: ECM data in HDLC order reassembles, growing past its first allocation', () => {
  const page = textPage(1728, 2500, 3);
  const data = ecmPageData(page, { width: 1728, compression: 'mmr', fromResolution: 'fine', toResolution: 'fine' });
  const a = new PageAssembler({ width: 1728, compression: 'mmr' });
  for (let i = 0; i < data.length; i += 1000) a.pushHdlcOrder(data.subarray(i, i + 1000));
  const got = a.finish();
  assert.equal(got.endedWith, 'eofb');
  assert.equal(firstDifference(got.bitmap, page), undefined);
  assert.equal(a.finish(), got);
});
