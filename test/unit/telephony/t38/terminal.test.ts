/**
 * The T.38 terminal against itself over an in-memory link on a ManualClock: what one sends
 * through the FaxModem interface, the other reports as ModemEvents, with the timing of a
 * modem on a line, through loss, jitter and reordering. A capturing transport checks the
 * IFP sequence on the wire (preamble time, key packet copies, sig-end rules).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../core/clock.ts';
import type { ModemEvent } from '../../../../telephony/fax-modem.ts';
import { Pacer, T38Terminal, createMemoryLink, type DatagramTransport, type LinkFaults, type T38TerminalOptions } from '../../../../telephony/t38/index.ts';
import { decodeIfp, type IfpPacket } from '../../../../protocols/t38/index.ts';
import { decodeUdptl } from '../../../../protocols/udptl/index.ts';
import { encodeFrame, type ModemRate } from '../../../../protocols/t30/index.ts';

const V17_14400: ModemRate = { modem: 'v17', bitRate: 14400 };
const V29_9600: ModemRate = { modem: 'v29', bitRate: 9600 };

interface Timed {
  readonly at: number;
  readonly event: ModemEvent;
}

function pair(faults: LinkFaults = {}, options: Partial<T38TerminalOptions> = {}) {
  const clock = new ManualClock();
  const link = createMemoryLink(clock, faults);
  const a = new T38Terminal({ transport: link.a, clock, ...options });
  const b = new T38Terminal({ transport: link.b, clock, ...options });
  const seen: Timed[] = [];
  b.onEvent((event) => seen.push({ at: clock.now(), event }));
  return { clock, link, a, b, seen, start: clock.now() };
}

/** Runs the clock until `p` settles (or `limitMs` of simulated time pass). */
async function run<T>(clock: ManualClock, p: Promise<T>, limitMs = 120_000): Promise<T> {
  let settled = false;
  const guarded = p.finally(() => (settled = true));
  for (let t = 0; t < limitMs && !settled; t += 10) await clock.advanceAsync(10);
  assert.ok(settled, 'operation did not finish in simulated time');
  return guarded;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function frames(seen: readonly Timed[]): Extract<ModemEvent, { type: 'modem.frame' }>[] {
  return seen.map((s) => s.event).filter((e): e is Extract<ModemEvent, { type: 'modem.frame' }> => e.type === 'modem.frame');
}

function fastData(seen: readonly Timed[]): Uint8Array {
  return concat(seen.map((s) => s.event).flatMap((e) => (e.type === 'modem.fast.data' ? [e.data] : [])));
}

const csi = encodeFrame({ fcf: 'CSI', x: false, final: false, fif: new TextEncoder().encode('  4321 5678 90 1+') });
const dis = encodeFrame({ fcf: 'DIS', x: false, final: true, fif: Uint8Array.of(0x00, 0xee, 0xf8, 0x80, 0x80, 0x91, 0x80, 0x80, 0x18) });

describe('T38Terminal: control frames over V.21', () => {
  it('delivers each frame in HDLC order with its FCS verdict, then the carrier end and silence', async () => {
    const { clock, a, seen } = pair();
    await run(clock, a.sendControl([csi, dis]));
    await clock.advanceAsync(200);
    const got = frames(seen);
    assert.equal(got.length, 2);
    assert.deepEqual(got[0]?.frame, csi);
    assert.deepEqual(got[1]?.frame, dis);
    assert.ok(got.every((f) => f.fcsOk && !f.fast));
    const types = seen.map((s) => s.event.type);
    assert.deepEqual(types, ['modem.control.carrier', 'modem.frame', 'modem.frame', 'modem.carrier.end', 'modem.silence']);
  });

  it('keeps at least 1 s of preamble and V.21 speed (300 bit/s) before the first frame ends', async () => {
    const { clock, a, seen } = pair();
    await run(clock, a.sendControl([dis]));
    const carrier = seen.find((s) => s.event.type === 'modem.control.carrier');
    const frame = seen.find((s) => s.event.type === 'modem.frame');
    assert.ok(carrier && frame);
    // Preamble 1000 ms, then the frame's octets at 26.7 ms each.
    const minimum = 1000 + ((dis.length - 1) * 8000) / 300;
    assert.ok(frame.at - carrier.at >= minimum, `frame after ${frame.at - carrier.at} ms, want >= ${minimum}`);
    assert.ok(frame.at - carrier.at < minimum + 300, `frame after ${frame.at - carrier.at} ms: too slow`);
  });

  it('gets every frame through 5% loss with redundancy 3', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { clock, a, seen, link } = pair({ loss: 0.05, seed });
      for (let i = 0; i < 4; i++) await run(clock, a.sendControl([csi, dis]));
      await clock.advanceAsync(200);
      assert.ok(link.stats.dropped > 0, 'the link dropped nothing: the test proves nothing');
      const got = frames(seen);
      assert.equal(got.length, 8, `seed ${seed}`);
      assert.ok(got.every((f) => f.fcsOk), `seed ${seed}: a frame was damaged`);
    }
  });

  it('reports damaged frames (FCS bad) when loss is not repaired', async () => {
    const { clock, a, seen } = pair({ loss: 0.2, seed: 7 }, { errorCorrection: { mode: 'none' } });
    for (let i = 0; i < 4; i++) await run(clock, a.sendControl([csi, dis]));
    await clock.advanceAsync(200);
    const got = frames(seen);
    assert.ok(got.some((f) => !f.fcsOk) || got.length < 8, 'no damage seen at 20% loss without redundancy');
    for (const f of got.filter((g) => g.fcsOk)) assert.ok([csi, dis].some((x) => Buffer.from(x).equals(Buffer.from(f.frame))));
  });

  it('puts reordered packets back in order without redundancy when a reorder depth is set', async () => {
    const { clock, a, seen, link } = pair({ delayMs: 20, jitterMs: 80, seed: 12 }, { errorCorrection: { mode: 'none' }, reorderDepth: 4 });
    for (let i = 0; i < 3; i++) await run(clock, a.sendControl([csi, dis]));
    await clock.advanceAsync(300);
    assert.equal(link.stats.dropped, 0);
    const got = frames(seen);
    assert.equal(got.length, 6);
    assert.ok(got.every((f) => f.fcsOk));
  });

  it('gets frames through jitter that reorders packets', async () => {
    const { clock, a, seen } = pair({ delayMs: 20, jitterMs: 60, seed: 11 });
    for (let i = 0; i < 3; i++) await run(clock, a.sendControl([csi, dis]));
    await clock.advanceAsync(300);
    const got = frames(seen);
    assert.equal(got.length, 6);
    assert.ok(got.every((f) => f.fcsOk));
  });
});

describe('T38Terminal: fast modem', () => {
  it('sends TCF as training, zeros for the time asked at the rate, and the carrier end', async () => {
    const { clock, a, seen } = pair();
    const t0 = clock.now();
    await run(clock, a.sendTcf(V17_14400, 1500, 'long'));
    const elapsed = clock.now() - t0;
    const carrier = seen.find((s) => s.event.type === 'modem.fast.carrier')?.event;
    assert.deepEqual(carrier, { type: 'modem.fast.carrier', rate: V17_14400, training: 'long' });
    const data = fastData(seen);
    assert.equal(data.length, 1500 * 14400 / 8000);
    assert.ok(data.every((b) => b === 0));
    assert.ok(seen.some((s) => s.event.type === 'modem.carrier.end' && s.event.fast));
    // V.17 long training 1393 ms + 1500 ms of zeros; the call returns with the sig-end (the
    // last 30 ms chunk), so the engine listens at once.
    assert.ok(elapsed >= 2863 && elapsed < 2950, `TCF took ${elapsed} ms`);
  });

  it('streams page data at the modem rate, padded after the page, in order through jitter', async () => {
    const { clock, a, seen } = pair({ delayMs: 10, jitterMs: 50, seed: 3 }, { padAfterPageMs: 40 });
    const page = Uint8Array.from({ length: 9000 }, (_, i) => (i * 7 + (i >> 5)) & 0xff);
    async function* rows(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < page.length; at += 216) yield page.subarray(at, at + 216);
    }
    const t0 = clock.now();
    await run(clock, a.sendPage(V29_9600, rows(), 'short'));
    await clock.advanceAsync(200);
    const elapsed = clock.now() - t0;
    const data = fastData(seen);
    const pad = Math.ceil((40 * 9600) / 8000);
    assert.equal(data.length, page.length + pad);
    assert.deepEqual(data.subarray(0, page.length), page);
    assert.ok(data.subarray(page.length).every((b) => b === 0));
    const lineMs = ((page.length + pad) * 8000) / 9600;
    assert.ok(elapsed >= lineMs + 234, `page took ${elapsed} ms, the modem needs ${lineMs + 234}`);
    assert.ok(elapsed < lineMs + 234 + 600, `page took ${elapsed} ms: too slow`);
    assert.deepEqual(
      seen.map((s) => s.event.type).filter((t) => t !== 'modem.fast.data'),
      ['modem.fast.carrier', 'modem.carrier.end', 'modem.silence'],
    );
  });

  it('waits for a slow page producer instead of bursting to catch up', async () => {
    const clock = new ManualClock();
    const sent: number[] = [];
    const capture = captureTransport(clock, sent);
    const a = new T38Terminal({ transport: capture, clock, errorCorrection: { mode: 'none' } });
    async function* slow(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 4; i++) {
        await new Promise<void>((r) => clock.setTimeout(r, 500));
        yield new Uint8Array(540);
      }
    }
    await run(clock, a.sendPage(V17_14400, slow(), 'short'));
    const dataTimes = capture.packets.filter((p) => describeIfp(p.ifp) === 'v17-14400:t4-non-ecm-data').map((p) => p.at);
    const gaps = dataTimes.slice(1).map((t, i) => t - (dataTimes[i] as number));
    // 30 ms chunks: never two data packets closer than the modem could send them.
    assert.ok(gaps.every((g) => g >= 25), `gaps ${gaps.join(',')}`);
  });

  it('carries ECM frames over the fast modem, with the 200 ms ECM preamble', async () => {
    const { clock, a, seen } = pair({ loss: 0.02, seed: 5 });
    const fcd = Array.from({ length: 8 }, (_, n) => encodeFrame({ fcf: 'FCD', x: false, final: false, fif: Uint8Array.from({ length: 257 }, (_, i) => (i === 0 ? n : (i * n) & 0xff)) }));
    const rcp = encodeFrame({ fcf: 'RCP', x: false, final: true, fif: new Uint8Array(0) });
    await run(clock, a.sendEcmFrames(V17_14400, [...fcd, rcp, rcp, rcp], 'short'));
    await clock.advanceAsync(200);
    const got = frames(seen);
    assert.equal(got.length, 11);
    got.forEach((f, i) => {
      assert.ok(f.fast && f.fcsOk);
      assert.deepEqual(f.frame, i < 8 ? fcd[i] : rcp);
    });
    const carrier = seen.find((s) => s.event.type === 'modem.fast.carrier');
    const first = seen.find((s) => s.event.type === 'modem.frame');
    assert.ok(carrier && first && first.at - carrier.at >= 142 + 200);
  });

  it('localTCF: no TCF data crosses the network, the receiver reports a good TCF', async () => {
    const clock = new ManualClock();
    const link = createMemoryLink(clock);
    const a = new T38Terminal({ transport: link.a, clock, rateManagement: 'localTCF' });
    const b = new T38Terminal({ transport: link.b, clock, rateManagement: 'localTCF' });
    const seen: ModemEvent[] = [];
    b.onEvent((e) => seen.push(e));
    await run(clock, a.sendTcf(V17_14400, 1500, 'long'));
    await clock.advanceAsync(100);
    assert.ok(link.stats.sent < 12, `${link.stats.sent} datagrams for a local TCF`);
    const data = seen.flatMap((e) => (e.type === 'modem.fast.data' ? [e.data] : []));
    assert.equal(concat(data).length, 2700);
    assert.ok(concat(data).every((x) => x === 0));
    assert.ok(seen.some((e) => e.type === 'modem.carrier.end' && e.fast));
  });
});

describe('T38Terminal: what goes on the wire', () => {
  it('sends indicators and sig-ends as 3 copies 15 ms apart, no-signal after each sig-end, never hdlc-sig-end after fcs-OK-sig-end', async () => {
    const clock = new ManualClock();
    const capture = captureTransport(clock, []);
    const a = new T38Terminal({ transport: capture, clock });
    await run(clock, a.sendControl([csi, dis]));
    await run(clock, a.sendTcf(V17_14400, 1500, 'long'));
    await clock.advanceAsync(300);
    const names = capture.packets.map((p) => describeIfp(p.ifp));
    const preamble = capture.packets.filter((p) => describeIfp(p.ifp) === 'v21-preamble');
    assert.equal(preamble.length, 3);
    assert.deepEqual(preamble.map((p) => p.at - (preamble[0]?.at ?? 0)), [0, 15, 30]);
    const firstData = capture.packets.find((p) => describeIfp(p.ifp).startsWith('v21:hdlc-data'));
    assert.ok(firstData && firstData.at - (preamble[0]?.at ?? 0) >= 1000);
    assert.equal(names.filter((n) => n === 'v21:hdlc-fcs-OK-sig-end').length, 3);
    assert.equal(names.filter((n) => n === 'v17-14400:t4-non-ecm-sig-end').length, 3);
    assert.equal(names.filter((n) => n === 'v17-14400-long-training').length, 3);
    assert.equal(names.filter((n) => n.endsWith('hdlc-sig-end')).length, 0);
    const lastSigEnd = names.lastIndexOf('v21:hdlc-fcs-OK-sig-end');
    assert.equal(names[lastSigEnd + 1], 'no-signal');
    assert.equal(names.at(-1), 'no-signal');
    // 54 octets per TCF packet at 14,400 bit/s, 30 ms apart.
    const tcf = capture.packets.filter((p) => describeIfp(p.ifp) === 'v17-14400:t4-non-ecm-data');
    assert.ok(tcf.every((p) => p.ifp.type === 't30-data' && p.ifp.fields[0]?.data?.length === 54));
    assert.equal((tcf[1]?.at ?? 0) - (tcf[0]?.at ?? 0), 30);
    // Redundancy 3 by default.
    assert.equal(capture.packets.at(-1)?.redundancy, 3);
  });

  it('respects the maximum datagram size by trimming redundancy and chunking data', async () => {
    const clock = new ManualClock();
    const capture = captureTransport(clock, []);
    const a = new T38Terminal({ transport: capture, clock, maxDatagramSize: 100, dataChunkMs: 100 });
    await run(clock, a.sendPage(V17_14400, [new Uint8Array(3000).fill(0x55)], 'short'));
    assert.ok(capture.sizes.every((n) => n <= 100), `largest datagram ${Math.max(...capture.sizes)}`);
  });

  it('emits idle-timeout when nothing arrives', async () => {
    const clock = new ManualClock();
    const link = createMemoryLink(clock);
    const b = new T38Terminal({ transport: link.b, clock, idleTimeoutMs: 5000 });
    const seen: ModemEvent[] = [];
    b.onEvent((e) => seen.push(e));
    await clock.advanceAsync(4900, 100);
    assert.equal(seen.length, 0);
    await clock.advanceAsync(200, 100);
    assert.deepEqual(seen.map((e) => e.type), ['modem.closed']);
    assert.equal(seen[0]?.type === 'modem.closed' ? seen[0].reason : '', 'idle-timeout');
    await assert.rejects(b.sendSilence(10));
    await b.close();
  });

  it('keeps one clock timer for many terminals on a shared pacer', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(clock);
    const terminals = Array.from({ length: 50 }, () => new T38Terminal({ transport: captureTransport(clock, []), clock, pacer }));
    const sends = terminals.map((t, i) => t.sendTcf(V17_14400, 500 + i, 'long'));
    let maxPending = 0;
    let done = false;
    void Promise.all(sends).then(() => (done = true));
    for (let i = 0; i < 400 && !done; i++) {
      maxPending = Math.max(maxPending, clock.pending);
      await clock.advanceAsync(10);
    }
    assert.ok(done);
    assert.equal(maxPending, 1);
    assert.ok(terminals.every((t) => t.stats.packetsSent >= 20));
  });

  it('close() rejects pending sends', async () => {
    const { a, clock } = pair();
    const p = a.sendTcf(V17_14400, 1500, 'long');
    await clock.advanceAsync(100);
    await a.close();
    await assert.rejects(p, /closed/);
  });
});

interface Captured {
  at: number;
  ifp: IfpPacket;
  redundancy: number;
}

function captureTransport(clock: ManualClock, _log: number[]): DatagramTransport & { packets: Captured[]; sizes: number[] } {
  const packets: Captured[] = [];
  const sizes: number[] = [];
  return {
    packets,
    sizes,
    send(d) {
      const u = decodeUdptl(d);
      sizes.push(d.length);
      packets.push({ at: clock.now(), ifp: decodeIfp(u.primary, { version: 0 }), redundancy: u.redundancy?.length ?? 0 });
    },
    onDatagram() {},
    async close() {},
  };
}

function describeIfp(p: IfpPacket): string {
  if (p.type === 't30-indicator') return p.indicator;
  return `${p.dataType}:${p.fields.map((f) => f.type).join('+')}`;
}
