/**
 * EOM (T.30 5.3.6.1.6): a document whose pages differ in resolution or width is sent as
 * several messages; each ends with EOM, the receiver answers MCF and starts phase B again
 * with DIS, and the next page goes out under a DCS of its own. Both ends against a
 * scripted far end, on a ManualClock.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../../core/clock.ts';
import { runFaxCall, type FaxCallResult, type FaxSendDocument, type PageFormat, type ReceivedPage } from '../../../../actors/fax-call/index.ts';
import {
  baseDisCapabilities,
  decodeDcs,
  decodeFrame,
  decodePps,
  encodeDcs,
  encodeDis,
  encodeFcd,
  encodeIdent,
  encodePps,
  encodeRcp,
  reverseBitsInOctets,
  type DcsParameters,
  type ModemRate,
} from '../../../../protocols/t30/index.ts';
import { encodePage, firstDifference, type Bitmap } from '../../../../protocols/t4/index.ts';
import { driveClock } from '../../../support/loopback-modem.ts';
import { textPage } from '../../../support/pages.ts';
import { ScriptedModem, type Sent } from './scripted-modem.ts';

const V17_14400: ModemRate = { modem: 'v17', bitRate: 14400 };

const dis = encodeDis({
  ...baseDisCapabilities(),
  fif: undefined,
  readyToReceive: true,
  modems: 'v27ter+v29+v17',
  fine: true,
  superfine: true,
  twoDimensional: true,
  maxWidth: 2432,
  maxLength: 'unlimited',
  ecm: true,
  t6: true,
});

function isControl(s: Sent, fcf: string): boolean {
  return s.kind === 'control' && s.fcfs.includes(fcf as never);
}

function document(pages: readonly { bitmap: Bitmap; format: PageFormat }[]): FaxSendDocument {
  const first = pages[0]!.format;
  return {
    pageCount: pages.length,
    resolution: first.resolution,
    ...(first.width === undefined ? {} : { width: first.width }),
    page: async (i) => pages[i]!.bitmap,
    pageFormat: (i) => pages[i]!.format,
  };
}

function sentDcs(modem: ScriptedModem): DcsParameters[] {
  return modem.sent.filter((s) => isControl(s, 'DCS')).map((s) => decodeDcs(decodeFrame((s as { frames: Uint8Array[] }).frames.at(-1)!).fif));
}

/** A receiver that answers every post-page command with MCF, and DIS again after EOM. */
function answerAsReceiver(modem: ScriptedModem, clock: ManualClock, opts: { disAfterEom: boolean }): void {
  modem.onSent = (s) => {
    if (s.kind === 'tone') modem.frames({ fcf: 'CSI', final: false, fif: encodeIdent('+1 555 0100') }, { fcf: 'DIS', fif: dis });
    if (s.kind === 'tcf') modem.frames('CFR');
    if (isControl(s, 'MPS') || isControl(s, 'EOP')) modem.frames('MCF');
    const pps = s.kind === 'control' && s.fcfs[0] === 'PPS' ? decodePps(decodeFrame(s.frames[0]!)) : undefined;
    if (pps !== undefined) modem.frames('MCF');
    if (isControl(s, 'EOM') || pps?.fcf2 === 'EOM') {
      modem.frames('MCF');
      if (opts.disAfterEom) clock.setTimeout(() => modem.frames({ fcf: 'CSI', final: false, fif: encodeIdent('+1 555 0100') }, { fcf: 'DIS', fif: dis }), 300);
    }
  };
}

const fine = textPage(1728, 300, 1);
const fine2 = textPage(1728, 300, 2);
const standard = textPage(1728, 150, 3);
const wide = textPage(2048, 300, 4);

test('caller, non-ECM: fine, fine, standard: MPS, then EOM and a new DCS at standard, EOP', async () => {
  const clock = new ManualClock();
  const modem = new ScriptedModem(clock);
  const send = document([
    { bitmap: fine, format: { resolution: 'fine' } },
    { bitmap: fine2, format: { resolution: 'fine' } },
    { bitmap: standard, format: { resolution: 'standard' } },
  ]);
  const call = runFaxCall({ modem, clock, role: 'caller', ecm: false, send });
  answerAsReceiver(modem, clock, { disAfterEom: true });
  const { value } = await driveClock(clock, call.result, 600_000, 50);
  assert.equal(value.name, 'ok', value.reason);
  assert.equal(value.pages, 3);
  assert.deepEqual(modem.controls, ['DCS', 'MPS', 'EOM', 'DCS', 'EOP', 'DCN']);
  assert.deepEqual(sentDcs(modem).map((d) => d.resolution), ['fine', 'standard']);
  assert.equal(value.resolution, 'standard');
  assert.equal(modem.sent.filter((s) => s.kind === 'page').length, 3);
});

test('caller, ECM: an A4 page then a B4-wide one: PPS-EOM, DIS, DCS width 2048', async () => {
  const clock = new ManualClock();
  const modem = new ScriptedModem(clock);
  const send = document([
    { bitmap: fine, format: { resolution: 'fine', width: 1728 } },
    { bitmap: wide, format: { resolution: 'fine', width: 2048 } },
  ]);
  const call = runFaxCall({ modem, clock, role: 'caller', ecm: true, send });
  answerAsReceiver(modem, clock, { disAfterEom: true });
  const { value } = await driveClock(clock, call.result, 600_000, 50);
  assert.equal(value.name, 'ok', value.reason);
  assert.equal(value.pages, 2);
  const ppsKinds = modem.sent.flatMap((s) => (s.kind === 'control' && s.fcfs[0] === 'PPS' ? [decodePps(decodeFrame(s.frames[0]!)).fcf2] : []));
  assert.deepEqual(ppsKinds, ['EOM', 'EOP']);
  assert.deepEqual(sentDcs(modem).map((d) => d.width), [1728, 2048]);
  // Two phase B's: a TCF before each message.
  assert.equal(modem.sent.filter((s) => s.kind === 'tcf').length, 2);
});

test('caller: no DIS after MCF to EOM ends with remote-no-response after T1', async () => {
  const clock = new ManualClock();
  const modem = new ScriptedModem(clock);
  const send = document([
    { bitmap: fine, format: { resolution: 'fine' } },
    { bitmap: standard, format: { resolution: 'standard' } },
  ]);
  const call = runFaxCall({ modem, clock, role: 'caller', ecm: false, send });
  answerAsReceiver(modem, clock, { disAfterEom: false });
  let mcfAt = 0;
  const onSent = modem.onSent;
  modem.onSent = (s) => {
    onSent(s);
    if (isControl(s, 'EOM')) mcfAt = clock.now();
  };
  const { value } = await driveClock(clock, call.result, 600_000, 100);
  assert.equal(value.name, 'remote-no-response');
  assert.equal(value.pages, 1);
  assert.deepEqual(modem.controls, ['DCS', 'EOM', 'DCN']);
  const waited = clock.now() - mcfAt;
  assert.ok(waited >= 35_000 && waited <= 38_000, `gave up ${waited} ms after MCF`);
});

// ---- receiver --------------------------------------------------------------------------------

function dcs(over: Partial<DcsParameters>): Uint8Array {
  return encodeDcs({
    t37: false, t38: false, receive: true, rate: V17_14400, rateBits: 0, resolution: 'fine', inchBased: false, compression: 'mr',
    width: 1728, length: 'unlimited', minScanLineMs: 0, uncompressed: false, ecm: false, ecmFrameSize: 256, subaddress: false,
    senderId: false, t38InternetAware: false, ...over,
  });
}

const goodTcf = new Uint8Array(2700);

function receiver(): { clock: ManualClock; modem: ScriptedModem; result: Promise<FaxCallResult>; pages: ReceivedPage[] } {
  const clock = new ManualClock();
  const modem = new ScriptedModem(clock);
  const pages: ReceivedPage[] = [];
  const call = runFaxCall({ modem, clock, role: 'answerer', localIdent: '+1 555 0199', receive: { onPage: async (p) => void pages.push(p) } });
  return { clock, modem, result: call.result, pages };
}

test('answerer, non-ECM: EOM gets MCF, then DIS again; the next DCS (standard) applies to the next page', async () => {
  const { clock, modem, result, pages } = receiver();
  let dises = 0;
  modem.onSent = (s) => {
    if (isControl(s, 'DIS')) {
      // A DIS repeated by T4 before our DCS must not count as the new phase B.
      if (dises++ > 1) return;
      modem.frames({ fcf: 'DCS', x: true, fif: dcs({ resolution: dises === 1 ? 'fine' : 'standard' }) });
      modem.fastData(V17_14400, goodTcf);
    }
    if (isControl(s, 'CFR')) {
      const [bitmap, cmd] = dises === 1 ? [fine, 'EOM' as const] : [standard, 'EOP' as const];
      modem.fastData(V17_14400, encodePage(bitmap, { scheme: 'mr', k: dises === 1 ? 4 : 2 }));
      modem.frames({ fcf: cmd, x: true });
    }
    if (isControl(s, 'MCF') && dises > 1) modem.frames({ fcf: 'DCN', x: true });
  };
  const { value } = await driveClock(clock, result, 600_000, 50);
  assert.equal(value.name, 'ok', value.reason);
  assert.deepEqual(modem.controls, ['CSI DIS', 'CFR', 'MCF', 'CSI DIS', 'CFR', 'MCF']);
  assert.deepEqual(pages.map((p) => p.resolution), ['fine', 'standard']);
  assert.equal(firstDifference(pages[0]!.bitmap, fine), undefined);
  assert.equal(firstDifference(pages[1]!.bitmap, standard), undefined);
});

test('answerer, ECM: PPS-EOM completes the page with MCF; DIS; the next page is B4 wide', async () => {
  const { clock, modem, result, pages } = receiver();
  const frames = (bitmap: Bitmap): Uint8Array[] => {
    const coded = reverseBitsInOctets(encodePage(bitmap, { scheme: 'mmr' }));
    const out: Uint8Array[] = [];
    for (let i = 0; i * 256 < coded.length; i++) out.push(coded.subarray(i * 256, i * 256 + 256));
    return out;
  };
  let dises = 0;
  modem.onSent = (s) => {
    if (isControl(s, 'DIS')) {
      if (dises++ > 1) return;
      modem.frames({ fcf: 'DCS', x: true, fif: dcs({ ecm: true, compression: 'mmr', width: dises === 1 ? 1728 : 2048 }) });
      modem.fastData(V17_14400, goodTcf);
    }
    if (isControl(s, 'CFR')) {
      const f = frames(dises === 1 ? fine : wide);
      modem.emit({ type: 'modem.fast.carrier', rate: V17_14400, training: 'short' });
      f.forEach((data, n) => modem.emit({ type: 'modem.frame', frame: encodeFcd({ frameNumber: n, data }), fcsOk: true, fast: true }));
      for (let i = 0; i < 3; i++) modem.emit({ type: 'modem.frame', frame: encodeRcp(), fcsOk: true, fast: true });
      modem.emit({ type: 'modem.carrier.end', fast: true });
      modem.emit({ type: 'modem.frame', frame: encodePps({ fcf2: dises === 1 ? 'EOM' : 'EOP', page: dises - 1, block: 0, frames: f.length }, true), fcsOk: true, fast: false });
    }
    if (isControl(s, 'MCF') && dises > 1) modem.frames({ fcf: 'DCN', x: true });
  };
  const { value } = await driveClock(clock, result, 600_000, 50);
  assert.equal(value.name, 'ok', value.reason);
  assert.deepEqual(modem.controls, ['CSI DIS', 'CFR', 'MCF', 'CSI DIS', 'CFR', 'MCF']);
  assert.deepEqual(pages.map((p) => p.bitmap.width), [1728, 2048]);
  assert.equal(firstDifference(pages[0]!.bitmap, fine), undefined);
  assert.equal(firstDifference(pages[1]!.bitmap, wide), undefined);
});
