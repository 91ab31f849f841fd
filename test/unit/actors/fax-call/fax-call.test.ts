/**
 * The T.30 machine frame by frame against a scripted far end, on a ManualClock: timers
 * (T1, T2, T4), fallback after FTT, RTN and retraining, PPR retransmission, CTC, and every
 * failure's result name.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../../core/clock.ts';
import { runFaxCall, type FaxCallOptions, type FaxCallResult, type ReceivedPage } from '../../../../actors/fax-call/index.ts';
import {
  baseDisCapabilities,
  decodeDcs,
  decodeFcd,
  decodeFrame,
  encodeDcs,
  encodeDis,
  encodeFcd,
  encodeIdent,
  encodePpr,
  encodePps,
  encodeRcp,
  reverseBitsInOctets,
  type DcsParameters,
  type DisCapabilities,
  type ModemRate,
} from '../../../../protocols/t30/index.ts';
import { encodePage, firstDifference } from '../../../../protocols/t4/index.ts';
import { driveClock } from '../../../support/loopback-modem.ts';
import { textPage } from '../../../support/pages.ts';
import { ScriptedModem, type Sent } from './scripted-modem.ts';

const V17_14400: ModemRate = { modem: 'v17', bitRate: 14400 };

function remoteDis(over: Partial<DisCapabilities> = {}): Uint8Array {
  return encodeDis({ ...baseDisCapabilities(), fif: undefined, readyToReceive: true, modems: 'v27ter+v29+v17', fine: true, twoDimensional: true, maxLength: 'unlimited', ...over });
}

const page = textPage(1728, 120, 4);

function sender(over: Partial<FaxCallOptions> = {}): { clock: ManualClock; modem: ScriptedModem; result: Promise<FaxCallResult> } {
  const clock = new ManualClock();
  const modem = new ScriptedModem(clock);
  const call = runFaxCall({ modem, clock, role: 'caller', ecm: false, send: { pageCount: 1, resolution: 'fine', page: async () => page }, ...over });
  return { clock, modem, result: call.result };
}

function isControl(s: Sent, fcf: string): boolean {
  return s.kind === 'control' && s.fcfs.includes(fcf as never);
}

/** The far-end receiver's script: DIS after CNG, then `respond` for each transmission. */
function answerAs(modem: ScriptedModem, dis: Uint8Array, respond: (s: Sent, n: number) => void): void {
  let n = 0;
  modem.onSent = (s) => {
    if (s.kind === 'tone') {
      modem.frames({ fcf: 'CSI', final: false, fif: encodeIdent('+1 555 0100') }, { fcf: 'DIS', fif: dis });
      return;
    }
    respond(s, n++);
  };
}

// ---- transmitter -----------------------------------------------------------------------------

test('caller: no DIS within T1 ends with remote-no-response after about 35 s', async () => {
  const { clock, modem, result } = sender();
  const { value, elapsedMs } = await driveClock(clock, result, 120_000, 100);
  assert.equal(value.name, 'remote-no-response');
  assert.equal(value.phase, 'A');
  assert.ok(elapsedMs >= 35_000 && elapsedMs <= 35_200, `ended after ${elapsedMs} ms`);
  assert.equal(modem.sent[0]?.kind, 'tone');
});

test('caller: DCN in answer to DCS ends with dcn-in-negotiation', async () => {
  const { clock, modem, result } = sender();
  answerAs(modem, remoteDis(), (s) => {
    if (s.kind === 'tcf') modem.frames('DCN');
  });
  const { value } = await driveClock(clock, result, 120_000, 50);
  assert.equal(value.name, 'dcn-in-negotiation');
  assert.equal(value.code, 3230);
  assert.equal(value.remoteCsid, '+1 555 0100');
});

test('caller: FTT at 14400 falls back to 12000, CFR, page, MCF, DCN', async () => {
  const { clock, modem, result } = sender();
  let tcfs = 0;
  answerAs(modem, remoteDis(), (s) => {
    if (s.kind === 'tcf') modem.frames(tcfs++ === 0 ? 'FTT' : 'CFR');
    if (isControl(s, 'EOP')) modem.frames('MCF');
  });
  const { value } = await driveClock(clock, result, 300_000, 50);
  assert.equal(value.name, 'ok', value.reason);
  assert.equal(value.bitRate, 12000);
  assert.deepEqual(modem.sent.flatMap((s) => (s.kind === 'tcf' ? [s.rate.bitRate] : [])), [14400, 12000]);
  assert.deepEqual(modem.controls, ['DCS', 'DCS', 'EOP', 'DCN']);
  // The DCS of the second try carries the new rate (T.30 Table 2 bits 11-14).
  const dcs = modem.sent.filter((s) => isControl(s, 'DCS')).map((s) => decodeDcs(decodeFrame((s as { frames: Uint8Array[] }).frames.at(-1)!).fif));
  assert.deepEqual(dcs.map((d) => d.rate?.bitRate), [14400, 12000]);
  const p = modem.sent.find((s) => s.kind === 'page');
  assert.ok(p !== undefined && p.kind === 'page' && p.rate.bitRate === 12000 && p.octets > 0);
});

test('caller: FTT at every rate ends with training-failed after the whole fallback chain', async () => {
  const { clock, modem, result } = sender();
  answerAs(modem, remoteDis(), (s) => {
    if (s.kind === 'tcf') modem.frames('FTT');
  });
  const { value } = await driveClock(clock, result, 600_000, 50);
  assert.equal(value.name, 'training-failed');
  assert.equal(value.phase, 'B');
  assert.deepEqual(
    modem.sent.flatMap((s) => (s.kind === 'tcf' ? [`${s.rate.modem}/${s.rate.bitRate}`] : [])),
    ['v17/14400', 'v17/12000', 'v17/9600', 'v29/9600', 'v17/7200', 'v29/7200', 'v27ter/4800', 'v27ter/2400'],
  );
  assert.equal(modem.controls.at(-1), 'DCN');
});

test('caller: a receiver without V.17 is trained at V.29 9600 first', async () => {
  const { clock, modem, result } = sender();
  answerAs(modem, remoteDis({ modems: 'v27ter+v29' }), (s) => {
    if (s.kind === 'tcf') modem.frames('CFR');
    if (isControl(s, 'EOP')) modem.frames('MCF');
  });
  const { value } = await driveClock(clock, result, 300_000, 50);
  assert.equal(value.name, 'ok');
  assert.equal(value.bitRate, 9600);
  assert.deepEqual(modem.sent.flatMap((s) => (s.kind === 'tcf' ? [s.rate.modem] : [])), ['v29']);
});

test('caller: a receiver that cannot receive is incompatible', async () => {
  const { clock, modem, result } = sender();
  answerAs(modem, remoteDis({ readyToReceive: false }), () => undefined);
  const { value } = await driveClock(clock, result, 120_000, 50);
  assert.equal(value.name, 'incompatible');
  assert.deepEqual(modem.controls, ['DCN']);
});

test('caller: RTN makes it retrain one rate lower and send the page again', async () => {
  const { clock, modem, result } = sender();
  let eops = 0;
  answerAs(modem, remoteDis(), (s) => {
    if (s.kind === 'tcf') modem.frames('CFR');
    if (isControl(s, 'EOP')) modem.frames(eops++ === 0 ? 'RTN' : 'MCF');
  });
  const { value } = await driveClock(clock, result, 300_000, 50);
  assert.equal(value.name, 'ok', value.reason);
  assert.equal(value.pages, 1);
  assert.deepEqual(modem.controls, ['DCS', 'EOP', 'DCS', 'EOP', 'DCN']);
  assert.deepEqual(modem.sent.flatMap((s) => (s.kind === 'page' ? [s.rate.bitRate] : [])), [14400, 12000]);
});

test('caller: RTN for every try ends with page-rejected', async () => {
  const { clock, modem, result } = sender();
  answerAs(modem, remoteDis(), (s) => {
    if (s.kind === 'tcf') modem.frames('CFR');
    if (isControl(s, 'EOP')) modem.frames('RTN');
  });
  const { value } = await driveClock(clock, result, 600_000, 50);
  assert.equal(value.name, 'page-rejected');
  assert.equal(value.pages, 0);
  assert.equal(modem.sent.filter((s) => s.kind === 'page').length, 4);
});

test('caller: no answer to EOP: sent three times (T4 apart), then remote-hangup in phase D', async () => {
  const { clock, modem, result } = sender();
  answerAs(modem, remoteDis(), (s) => {
    if (s.kind === 'tcf') modem.frames('CFR');
  });
  const { value } = await driveClock(clock, result, 300_000, 50);
  assert.equal(value.name, 'remote-hangup');
  assert.equal(value.phase, 'D');
  assert.deepEqual(modem.controls, ['DCS', 'EOP', 'EOP', 'EOP', 'DCN']);
  const eops = modem.sent.filter((s) => isControl(s, 'EOP')).map((s) => s.at);
  // Each repeat follows the previous send (1.2 s here) plus T4 (3 s).
  assert.equal(eops[1]! - eops[0]!, 4200);
});

test('caller, ECM: PPR gets exactly the frames it lists again, then PPS again', async () => {
  const big = textPage(1728, 600, 9);
  const { clock, modem, result } = sender({ ecm: true, send: { pageCount: 1, resolution: 'fine', page: async () => big } });
  let ppsSeen = 0;
  answerAs(modem, remoteDis({ ecm: true, t6: true }), (s) => {
    if (s.kind === 'tcf') modem.frames('CFR');
    if (isControl(s, 'PPS')) modem.emit({ type: 'modem.frame', frame: ppsSeen++ === 0 ? encodePpr([1, 4], false) : new Uint8Array([0xff, 0x13, 0x8c]), fcsOk: true, fast: false });
  });
  const { value } = await driveClock(clock, result, 300_000, 50);
  assert.equal(value.name, 'ok', value.reason);
  assert.equal(value.ecm, true);
  assert.equal(value.compression, 'mmr');
  const bursts = modem.sent.filter((s): s is Extract<Sent, { kind: 'ecm' }> => s.kind === 'ecm');
  assert.equal(bursts.length, 2);
  const numbers = (b: Extract<Sent, { kind: 'ecm' }>): number[] =>
    b.frames.flatMap((f) => (decodeFrame(f).fcf === 'FCD' ? [decodeFcd(f).frameNumber] : []));
  assert.ok(numbers(bursts[0]!).length > 5);
  assert.deepEqual(numbers(bursts[1]!), [1, 4]);
  assert.equal(bursts[1]!.frames.filter((f) => decodeFrame(f).fcf === 'RCP').length, 3);
  // The image in the frames is the page in MMR, bit-reversed for HDLC (T.4 Annex A).
  const data = bursts[0]!.frames.flatMap((f) => (decodeFrame(f).fcf === 'FCD' ? [decodeFcd(f).data] : []));
  const joined = reverseBitsInOctets(Uint8Array.from(data.flatMap((d) => [...d])));
  assert.deepEqual(joined, encodePage(big, { scheme: 'mmr' }));
});

test('caller, ECM: the fourth PPR brings CTC at a lower rate, CTR, and the frames again at that rate', async () => {
  const { clock, modem, result } = sender({ ecm: true });
  let pps = 0;
  answerAs(modem, remoteDis({ ecm: true, t6: true }), (s) => {
    if (s.kind === 'tcf') modem.frames('CFR');
    if (isControl(s, 'PPS')) modem.emit({ type: 'modem.frame', frame: pps++ < 4 ? encodePpr([0], false) : new Uint8Array([0xff, 0x13, 0x8c]), fcsOk: true, fast: false });
    if (isControl(s, 'CTC')) modem.frames('CTR');
  });
  const { value } = await driveClock(clock, result, 300_000, 50);
  assert.equal(value.name, 'ok', value.reason);
  assert.deepEqual(modem.controls, ['DCS', 'PPS', 'PPS', 'PPS', 'PPS', 'CTC', 'PPS', 'DCN']);
  assert.deepEqual(modem.sent.flatMap((s) => (s.kind === 'ecm' ? [s.rate.bitRate] : [])), [14400, 14400, 14400, 14400, 12000]);
});

// ---- receiver --------------------------------------------------------------------------------

function receiver(over: Partial<FaxCallOptions> = {}): { clock: ManualClock; modem: ScriptedModem; result: Promise<FaxCallResult>; pages: ReceivedPage[] } {
  const clock = new ManualClock();
  const modem = new ScriptedModem(clock);
  const pages: ReceivedPage[] = [];
  const call = runFaxCall({ modem, clock, role: 'answerer', localIdent: '+1 555 0199', receive: { onPage: async (p) => void pages.push(p) }, ...over });
  return { clock, modem, result: call.result, pages };
}

function dcs(over: Partial<DcsParameters> = {}): Uint8Array {
  const p: DcsParameters = {
    t37: false, t38: false, receive: true, rate: V17_14400, rateBits: 0, resolution: 'fine', inchBased: false, compression: 'mr',
    width: 1728, length: 'unlimited', minScanLineMs: 0, uncompressed: false, ecm: false, ecmFrameSize: 256, subaddress: false,
    senderId: false, t38InternetAware: false, ...over,
  };
  return encodeDcs(p);
}

const goodTcf = new Uint8Array(2700);

test('answerer: DIS every T4 until T1, then remote-no-response', async () => {
  const { clock, modem, result } = receiver();
  const { value, elapsedMs } = await driveClock(clock, result, 120_000, 100);
  assert.equal(value.name, 'remote-no-response');
  assert.equal(value.phase, 'B');
  assert.equal(modem.sent[0]?.kind, 'tone');
  const dis = modem.controls.filter((c) => c === 'CSI DIS').length;
  assert.ok(dis >= 7 && dis <= 9, `DIS sent ${dis} times`);
  assert.ok(elapsedMs >= 38_000 && elapsedMs < 42_000, `${elapsedMs}`);
});

test('answerer: a bad TCF gets FTT, a good one CFR; then the page, MCF, DCN: ok', async () => {
  const { clock, modem, result, pages } = receiver();
  const coded = encodePage(page, { scheme: 'mr', k: 4 });
  let dcsSent = 0;
  modem.onSent = (s) => {
    if (isControl(s, 'DIS') && dcsSent < 2) {
      modem.frames({ fcf: 'TSI', x: true, final: false, fif: encodeIdent('sender') }, { fcf: 'DCS', x: true, fif: dcs() });
      const tcf = new Uint8Array(2700);
      if (dcsSent++ === 0) tcf.fill(0x55, 0, 2000); // a modem that did not train
      modem.fastData(V17_14400, tcf);
    }
    if (isControl(s, 'FTT')) modem.frames({ fcf: 'DCS', x: true, fif: dcs() });
    if (isControl(s, 'FTT')) modem.fastData(V17_14400, goodTcf);
    if (isControl(s, 'CFR')) {
      modem.fastData(V17_14400, coded);
      modem.frames({ fcf: 'EOP', x: true });
    }
    if (isControl(s, 'MCF')) modem.frames({ fcf: 'DCN', x: true });
  };
  const { value } = await driveClock(clock, result, 300_000, 50);
  assert.equal(value.name, 'ok', value.reason);
  assert.deepEqual(modem.controls, ['CSI DIS', 'FTT', 'CFR', 'MCF']);
  assert.equal(value.remoteCsid, 'sender');
  assert.equal(pages.length, 1);
  assert.equal(firstDifference(pages[0]!.bitmap, page), undefined);
});

test('answerer: a page with many bad rows is refused with RTN; sent again it is taken', async () => {
  const { clock, modem, result, pages } = receiver();
  const coded = encodePage(page, { scheme: 'mh' });
  const damaged = coded.slice();
  for (let i = 200; i < damaged.length - 200; i += 37) damaged[i] = 0xff; // about 1 octet in 37
  let sends = 0;
  modem.onSent = (s) => {
    if (isControl(s, 'DIS')) {
      modem.frames({ fcf: 'DCS', x: true, fif: dcs({ compression: 'mh' }) });
      modem.fastData(V17_14400, goodTcf);
    }
    if (isControl(s, 'CFR')) {
      modem.fastData(V17_14400, sends++ === 0 ? damaged : coded);
      modem.frames({ fcf: 'EOP', x: true });
    }
    if (isControl(s, 'RTN')) {
      modem.frames({ fcf: 'DCS', x: true, fif: dcs({ compression: 'mh' }) });
      modem.fastData(V17_14400, goodTcf);
    }
    if (isControl(s, 'MCF')) modem.frames({ fcf: 'DCN', x: true });
  };
  const { value } = await driveClock(clock, result, 300_000, 50);
  assert.equal(value.name, 'ok', value.reason);
  assert.deepEqual(modem.controls, ['CSI DIS', 'CFR', 'RTN', 'CFR', 'MCF']);
  assert.equal(pages.length, 1);
  assert.equal(firstDifference(pages[0]!.bitmap, page), undefined);
});

test('answerer: the line closes mid-page: sender-hangup (8010) in phase C', async () => {
  const { clock, modem, result } = receiver();
  modem.onSent = (s) => {
    if (isControl(s, 'DIS')) {
      modem.frames({ fcf: 'DCS', x: true, fif: dcs() });
      modem.fastData(V17_14400, goodTcf);
    }
    if (isControl(s, 'CFR')) {
      modem.emit({ type: 'modem.fast.carrier', rate: V17_14400, training: 'short' });
      modem.emit({ type: 'modem.fast.data', data: encodePage(page, { scheme: 'mr' }).subarray(0, 500) });
      clock.setTimeout(() => modem.emit({ type: 'modem.closed', reason: 'hangup' }), 1000);
    }
  };
  const { value } = await driveClock(clock, result, 300_000, 50);
  assert.equal(value.name, 'sender-hangup');
  assert.equal(value.phase, 'C');
  assert.match(value.reason, /in phase C/);
});

test('answerer: data stops mid-page without a carrier end: sender-hangup (8010) T2 after the last data', async () => {
  const { clock, modem, result } = receiver();
  let lastData = 0;
  modem.onSent = (s) => {
    if (isControl(s, 'DIS')) {
      modem.frames({ fcf: 'DCS', x: true, fif: dcs() });
      modem.fastData(V17_14400, goodTcf);
    }
    if (isControl(s, 'CFR')) {
      modem.emit({ type: 'modem.fast.carrier', rate: V17_14400, training: 'short' });
      const data = encodePage(page, { scheme: 'mr' });
      for (let i = 0; i < 10; i++) {
        clock.setTimeout(() => {
          modem.emit({ type: 'modem.fast.data', data: data.subarray(i * 50, i * 50 + 50) });
          lastData = clock.now();
        }, i * 500);
      }
    }
  };
  const { value } = await driveClock(clock, result, 300_000, 50);
  assert.equal(value.name, 'sender-hangup');
  assert.equal(value.phase, 'C');
  const ended = clock.now();
  assert.ok(ended - lastData >= 6000 && ended - lastData <= 7000, `${ended - lastData}`);
});

test('answerer, ECM: a missing frame gets PPR for exactly it; the block completes with MCF', async () => {
  const { clock, modem, result, pages } = receiver();
  const coded = reverseBitsInOctets(encodePage(page, { scheme: 'mmr' }));
  const frames: Uint8Array[] = [];
  for (let i = 0; i * 64 < coded.length; i++) frames.push(coded.subarray(i * 64, i * 64 + 64));
  const sendFrames = (numbers: number[]): void => {
    modem.emit({ type: 'modem.fast.carrier', rate: V17_14400, training: 'short' });
    for (const n of numbers) modem.emit({ type: 'modem.frame', frame: encodeFcd({ frameNumber: n, data: frames[n]! }), fcsOk: true, fast: true });
    for (let i = 0; i < 3; i++) modem.emit({ type: 'modem.frame', frame: encodeRcp(), fcsOk: true, fast: true });
    modem.emit({ type: 'modem.carrier.end', fast: true });
    modem.emit({ type: 'modem.frame', frame: encodePps({ fcf2: 'EOP', page: 0, block: 0, frames: frames.length }, true), fcsOk: true, fast: false });
  };
  let ppr: number[] = [];
  modem.onSent = (s) => {
    if (isControl(s, 'DIS')) {
      modem.frames({ fcf: 'DCS', x: true, fif: dcs({ ecm: true, compression: 'mmr', ecmFrameSize: 64 }) });
      modem.fastData(V17_14400, goodTcf);
    }
    if (isControl(s, 'CFR')) sendFrames(frames.map((_, i) => i).filter((i) => i !== 2));
    if (isControl(s, 'PPR') && s.kind === 'control') {
      const f = decodeFrame(s.frames[0]!).fif;
      ppr = [...Array(256).keys()].filter((n) => ((f[n >> 3]! >> (n & 7)) & 1) === 1);
      sendFrames(ppr);
    }
    if (isControl(s, 'MCF')) modem.frames({ fcf: 'DCN', x: true });
  };
  const { value } = await driveClock(clock, result, 300_000, 50);
  assert.ok(frames.length > 3);
  assert.equal(value.name, 'ok', value.reason);
  assert.deepEqual(ppr, [2]);
  assert.deepEqual(modem.controls, ['CSI DIS', 'CFR', 'PPR', 'MCF']);
  assert.equal(firstDifference(pages[0]!.bitmap, page), undefined);
});

test('abort: the call ends with cancelled after sending DCN', async () => {
  const clock = new ManualClock();
  const modem = new ScriptedModem(clock);
  const call = runFaxCall({ modem, clock, role: 'caller', ecm: false, send: { pageCount: 1, resolution: 'fine', page: async () => page } });
  answerAs(modem, remoteDis(), () => undefined);
  clock.setTimeout(() => call.abort(), 5000);
  const { value } = await driveClock(clock, call.result, 120_000, 50);
  assert.equal(value.name, 'cancelled');
  assert.equal(value.code, 403);
  assert.equal(modem.controls.at(-1), 'DCN');
});

test('a caller without a document and an answerer without a sink are refused at once (no polling)', async () => {
  const clock = new ManualClock();
  const modem = new ScriptedModem(clock);
  const r = await runFaxCall({ modem, clock, role: 'answerer', send: { pageCount: 1, resolution: 'fine', page: async () => page } }).result;
  assert.equal(r.name, 'incompatible');
  assert.equal(modem.sent.length, 0);
});

test('the logger hears every state change', async () => {
  const clock = new ManualClock();
  const modem = new ScriptedModem(clock);
  const lines: string[] = [];
  const call = runFaxCall({ modem, clock, role: 'caller', send: { pageCount: 1, resolution: 'fine', page: async () => page }, logger: { debug: (_m, f) => lines.push(String(f?.state)) } });
  const { value } = await driveClock(clock, call.result, 120_000, 100);
  assert.equal(value.name, 'remote-no-response');
  assert.deepEqual(lines, ['{"transmitter":"phaseA"}', '"released"']);
});

test('caller, ECM: a coded page in the negotiated coding goes into FCD frames as it is', async () => {
  // Without EOFB: coding the bitmap again would add one, so equality proves pass-through.
  const data = encodePage(page, { scheme: 'mmr', eofb: false });
  const coded = { kind: 'coded', compression: 'mmr', width: 1728, height: page.height, resolution: 'fine', data } as const;
  const { clock, modem, result } = sender({ ecm: true, send: { pageCount: 1, resolution: 'fine', page: async () => coded } });
  answerAs(modem, remoteDis({ ecm: true, t6: true }), (s) => {
    if (s.kind === 'tcf') modem.frames('CFR');
    if (isControl(s, 'PPS')) modem.frames('MCF');
  });
  const { value } = await driveClock(clock, result, 300_000, 50);
  assert.equal(value.name, 'ok', value.reason);
  const burst = modem.sent.find((s): s is Extract<Sent, { kind: 'ecm' }> => s.kind === 'ecm')!;
  const sent = reverseBitsInOctets(Uint8Array.from(burst.frames.flatMap((f) => (decodeFrame(f).fcf === 'FCD' ? [...decodeFcd(f).data] : []))));
  assert.deepEqual(sent, data);
});
