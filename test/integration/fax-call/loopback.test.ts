/**
 * Two faxgate T.30 engines over the in-memory loopback modem pair: every negotiated
 * combination of ECM, coding and resolution, multi-page documents, resolution and width
 * conversion, and ECM frame loss recovered by PPR. Received bitmaps are compared pixel by
 * pixel with what was sent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../core/clock.ts';
import { runFaxCall, type FaxCallOptions, type FaxCallResult, type ReceivedPage } from '../../../actors/fax-call/index.ts';
import { decodeFrame } from '../../../protocols/t30/index.ts';
import { createBitmap, encodePage, firstDifference, getPixel, setPixel, type Bitmap } from '../../../protocols/t4/index.ts';
import { driveClock, loopbackModems, type LoopbackOptions } from '../../support/loopback-modem.ts';
import { halftonePage, textPage } from '../../support/pages.ts';

interface CallSetup {
  readonly pages: readonly Bitmap[];
  readonly resolution: 'standard' | 'fine' | 'superfine';
  readonly tx?: Partial<FaxCallOptions>;
  readonly rx?: Partial<FaxCallOptions>;
  readonly loopback?: LoopbackOptions;
}

async function call(setup: CallSetup): Promise<{ tx: FaxCallResult; rx: FaxCallResult; got: ReceivedPage[]; elapsedMs: number; txHeard: string[] }> {
  const clock = new ManualClock();
  const pair = loopbackModems(clock, setup.loopback);
  const got: ReceivedPage[] = [];
  const tx = runFaxCall({
    modem: pair.a,
    clock,
    role: 'caller',
    localIdent: '+81 3 1111 0000',
    send: { pageCount: setup.pages.length, resolution: setup.resolution, page: async (i) => setup.pages[i]! },
    ...setup.tx,
  });
  const rx = runFaxCall({
    modem: pair.b,
    clock,
    role: 'answerer',
    localIdent: '+81 3 2222 0000',
    receive: { onPage: async (p) => void got.push(p) },
    ...setup.rx,
  });
  const { value, elapsedMs } = await driveClock(clock, Promise.all([tx.result, rx.result]), 1_800_000, 50);
  const txHeard = pair.a.received.flatMap((e) => (e.type === 'modem.frame' && !e.fast ? [decodeFrame(e.frame).fcf ?? '?'] : []));
  return { tx: value[0], rx: value[1], got, elapsedMs, txHeard };
}

function assertSame(actual: Bitmap, expected: Bitmap, what: string): void {
  const d = firstDifference(actual, expected);
  assert.equal(d, undefined, `${what}: ${d?.message ?? ''}`);
}

const matrix: { ecm: boolean; compression: 'mh' | 'mr' | 'mmr'; resolution: 'standard' | 'fine' }[] = [];
for (const ecm of [false, true]) {
  for (const compression of ['mh', 'mr', 'mmr'] as const) {
    if (compression === 'mmr' && !ecm) continue;
    for (const resolution of ['standard', 'fine'] as const) matrix.push({ ecm, compression, resolution });
  }
}

for (const m of matrix) {
  test(`1 page, ${m.ecm ? 'ECM' : 'non-ECM'} ${m.compression.toUpperCase()} ${m.resolution}: pixel-equal`, async () => {
    const page = textPage(1728, m.resolution === 'fine' ? 400 : 200, 3);
    const r = await call({ pages: [page], resolution: m.resolution, tx: { ecm: m.ecm, compressions: [m.compression] } });
    assert.equal(r.tx.ok, true, r.tx.reason);
    assert.equal(r.rx.ok, true, r.rx.reason);
    assert.equal(r.tx.pages, 1);
    assert.equal(r.rx.pages, 1);
    assert.equal(r.tx.ecm, m.ecm);
    assert.equal(r.tx.compression, m.compression);
    assert.equal(r.rx.compression, m.compression);
    assert.equal(r.rx.resolution, m.resolution);
    assert.equal(r.tx.bitRate, 14400);
    assert.equal(r.tx.remoteCsid, '+81 3 2222 0000');
    assert.equal(r.rx.remoteCsid, '+81 3 1111 0000');
    assert.equal(r.got.length, 1);
    assertSame(r.got[0]!.bitmap, page, 'page 1');
  });
}

for (const ecm of [false, true]) {
  test(`3 pages, ${ecm ? 'ECM' : 'non-ECM'}: every page pixel-equal, in order`, async () => {
    const pages = [textPage(1728, 500, 1), halftonePage(1728, 300, 2), textPage(1728, 700, 3)];
    const r = await call({ pages, resolution: 'fine', tx: { ecm } });
    assert.equal(r.tx.ok, true, r.tx.reason);
    assert.equal(r.rx.ok, true, r.rx.reason);
    assert.equal(r.tx.pages, 3);
    assert.equal(r.rx.pages, 3);
    assert.deepEqual(r.got.map((p) => p.index), [0, 1, 2]);
    pages.forEach((p, i) => assertSame(r.got[i]!.bitmap, p, `page ${i + 1}`));
  });
}

test('ECM with lost and corrupted FCD frames: PPR brings them back, the page is exact', async () => {
  const page = textPage(1728, 800, 5); // about 14 KB in MMR: one block of some 55 frames
  const sends = new Map<number, number>();
  const r = await call({
    pages: [page],
    resolution: 'fine',
    loopback: {
      tamper: (frame, info) => {
        if (!info.fast || decodeFrame(frame).fcf !== 'FCD') return 'deliver';
        const n = frame[3] ?? 0;
        const times = (sends.get(n) ?? 0) + 1;
        sends.set(n, times);
        // Frames 3, 10 and 11 are lost and 20 damaged the first time; 10 is lost again
        // when it is sent again: two PPRs.
        if (times === 1 && (n === 3 || n === 10 || n === 11)) return 'lose';
        if (times === 2 && n === 10) return 'lose';
        if (times === 1 && n === 20) return 'corrupt';
        return 'deliver';
      },
    },
  });
  assert.equal(r.tx.ok, true, r.tx.reason);
  assert.equal(r.rx.ok, true, r.rx.reason);
  assertSame(r.got[0]!.bitmap, page, 'page after PPR');
  assert.equal(r.txHeard.filter((f) => f === 'PPR').length, 2, r.txHeard.join(' '));
  assert.equal(sends.get(10), 3);
  assert.equal(sends.get(3), 2);
  assert.equal(sends.get(4), 1);
  assert.equal(r.txHeard.at(-1), 'MCF');
});

test('a receiver without fine gets the fine page at standard, rows merged by OR', async () => {
  const page = createBitmap(1728, 200);
  // Odd rows only: merging pairs must keep them.
  for (let y = 1; y < 200; y += 2) for (let x = 100; x < 300; x++) setPixel(page, x, y, 1);
  const r = await call({ pages: [page], resolution: 'fine', rx: { resolutions: ['standard'] } });
  assert.equal(r.tx.ok, true, r.tx.reason);
  assert.equal(r.rx.resolution, 'standard');
  const got = r.got[0]!.bitmap;
  assert.equal(got.height, 100);
  for (let y = 0; y < 100; y++) assert.equal(getPixel(got, 150, y), 1, `row ${y}`);
  assert.equal(getPixel(got, 50, 10), 0);
});

test('a B4-wide page to an A4 receiver is cropped around its centre', async () => {
  const page = createBitmap(2048, 50);
  for (let y = 0; y < 50; y++) {
    setPixel(page, 0, y, 1); // in the cropped margin
    setPixel(page, 160, y, 1); // first column kept: (2048 - 1728) / 2 = 160
  }
  const r = await call({ pages: [page], resolution: 'standard', tx: { ecm: false } });
  assert.equal(r.tx.ok, true, r.tx.reason);
  const got = r.got[0]!.bitmap;
  assert.equal(got.width, 1728);
  assert.equal(getPixel(got, 0, 10), 1);
  assert.equal(getPixel(got, 1, 10), 0);
});

for (const ecm of [true, false]) {
  test(`a coded MMR page (as from a G4 TIFF), ${ecm ? 'ECM: passed through' : 'non-ECM: decoded and coded in MR'}: pixel-equal`, async () => {
    const bitmap = textPage(1728, 600, 8);
    const coded = { kind: 'coded', compression: 'mmr', width: 1728, height: bitmap.height, resolution: 'fine', data: encodePage(bitmap, { scheme: 'mmr' }) } as const;
    const clock = new ManualClock();
    const pair = loopbackModems(clock);
    const got: ReceivedPage[] = [];
    const tx = runFaxCall({ modem: pair.a, clock, role: 'caller', ecm, send: { pageCount: 1, resolution: 'fine', page: async () => coded } });
    const rx = runFaxCall({ modem: pair.b, clock, role: 'answerer', receive: { onPage: async (p) => void got.push(p) } });
    const { value } = await driveClock(clock, Promise.all([tx.result, rx.result]), 600_000, 50);
    assert.equal(value[0].ok, true, value[0].reason);
    assert.equal(value[1].compression, ecm ? 'mmr' : 'mr');
    assertSame(got[0]!.bitmap, bitmap, 'coded page');
  });
}
