/**
 * FaxToneWatch between two RtpEndpoints on loopback UDP, time on a ManualClock: each 20 ms
 * step waits until the receiver has every packet sent so far, so the audio timeline and
 * the clock agree and nothing depends on the machine's speed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { ManualClock, systemClock } from '../../../../core/clock.ts';
import { dbm0ToPeak, decodeG711, encodeG711, type G711Law } from '../../../../protocols/g711/index.ts';
import { encodeRtp } from '../../../../protocols/rtp/index.ts';
import {
  CNG, FaxToneWatch, RtpEndpoint, ToneDetector, ToneGenerator, sine, type FaxTone, type FrameSource, type ToneEvent,
} from '../../../../telephony/media/index.ts';

const LAW: Record<number, G711Law> = { 0: 'ulaw', 8: 'alaw' };

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** `far` sends to `near`; `near` learns `far`'s address from the first packet (symmetric RTP). */
async function pair(payloadType: number) {
  const clock = new ManualClock();
  const near = await RtpEndpoint.open({ clock, localPort: 0, localAddress: '127.0.0.1', payloadType });
  const far = await RtpEndpoint.open({ clock, localPort: 0, localAddress: '127.0.0.1', payloadType, remote: { host: '127.0.0.1', port: near.localPort } });
  /** Advances `ms` in 20 ms steps, each one delivered before the next (both directions). */
  const run = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 20) {
      clock.advance(20);
      await until(() => near.stats.received >= far.stats.sent && (near.remote === undefined || far.stats.received >= near.stats.sent));
    }
  };
  const close = async (): Promise<void> => {
    await far.close();
    await near.close();
  };
  return { clock, near, far, run, close };
}

/** Frames of a prepared signal, then silence. */
function framesOf(law: G711Law, x: Float64Array): FrameSource {
  let at = 0;
  return () => {
    const frame = new Float64Array(160);
    frame.set(x.subarray(at, at + 160));
    at += 160;
    return encodeG711(law, frame);
  };
}

/** Watches `detected` without awaiting it: what it resolved with, and when on the clock. */
function observe(watch: FaxToneWatch, clock: ManualClock): { settled: boolean; tone?: ToneEvent | undefined; at?: number } {
  const seen: { settled: boolean; tone?: ToneEvent | undefined; at?: number } = { settled: false };
  void watch.detected.then((tone) => Object.assign(seen, { settled: true, tone, at: clock.now() }));
  return seen;
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** White noise, uniform, at roughly `levelDbm0`. */
function noise(levelDbm0: number, ms: number): Float64Array {
  const rnd = prng(7);
  const amp = (dbm0ToPeak(levelDbm0) / Math.SQRT2) * Math.sqrt(3);
  return Float64Array.from({ length: ms * 8 }, () => amp * (2 * rnd() - 1));
}

/**
 * Voiced "syllables": harmonics of a pitch gliding 100-250 Hz, loudest near two formants
 * that change per syllable (one sits by 1100 Hz now and then), with short pauses between.
 */
function speechLike(ms: number): Float64Array {
  const rnd = prng(11);
  const out = new Float64Array(ms * 8);
  for (let i = 0; i < out.length;) {
    const len = Math.round(8 * (150 + 250 * rnd()));
    const f0 = 100 + 150 * rnd();
    const formants = [400 + 500 * rnd(), 1000 + 800 * rnd()];
    let phase = 0;
    for (let n = 0; n < len && i + n < out.length; n++) {
      const pitch = f0 * (1 + (0.15 * n) / len);
      phase += (2 * Math.PI * pitch) / 8000;
      let v = 0;
      for (let h = 1; h * pitch < 3600; h++) {
        const gain = formants.reduce((g, f) => g + 1 / (1 + ((h * pitch - f) / 150) ** 2), 0);
        v += gain * Math.sin(h * phase);
      }
      out[i + n] = 2500 * v * Math.sin((Math.PI * n) / len);
    }
    i += len + Math.round(8 * 80 * rnd());
  }
  return out;
}

for (const payloadType of [0, 8]) {
  const law = LAW[payloadType] as G711Law;
  test(`${law}: CNG from a ToneGenerator is detected 0.5 s into the audio, while the watch plays CED back`, async () => {
    const { clock, near, far, run, close } = await pair(payloadType);
    try {
      const generator = new ToneGenerator(CNG);
      const start = clock.now();
      far.startSending(() => generator.nextG711(law));
      const heardBack = new ToneDetector({ tones: ['CED'] });
      const ced: ToneEvent[] = [];
      far.onPacket(({ packet }) => {
        assert.equal(packet.payloadType, payloadType);
        ced.push(...heardBack.push(decodeG711(law, packet.payload)));
      });
      const watch = new FaxToneWatch({ endpoint: near, payloadType, clock, detect: ['CNG'], play: 'CED' });
      const seen = observe(watch, clock);
      await run(1200);
      assert.ok(seen.settled, 'CNG detected');
      assert.equal(seen.tone?.tone, 'CNG');
      // The burst ends at 500 ms; the detector needs two quiet 20 ms blocks to call it ended.
      assert.ok((seen.tone?.atMs ?? 0) >= 500 && (seen.tone?.atMs ?? 0) <= 600, `atMs ${seen.tone?.atMs}`);
      assert.ok((seen.at ?? Infinity) - start <= 600, `detected ${(seen.at ?? Infinity) - start} ms after the first packet`);
      assert.ok(Math.abs((seen.tone?.durationMs ?? 0) - 500) <= 40, `burst ${seen.tone?.durationMs} ms`);
      // Our CED reached the far end (500 ms of it make a detection).
      assert.deepEqual(ced.map((e) => e.tone), ['CED']);
      // Detected: listening is over, the CED goes on until stop().
      const sent = near.stats.sent;
      await run(100);
      assert.ok(near.stats.sent > sent);
      watch.stop();
      const stopped = near.stats.sent;
      await run(100);
      assert.equal(near.stats.sent, stopped, 'stop() ended our tone');
      assert.equal(await watch.detected, seen.tone, 'stop() after detection keeps the tone');
    } finally {
      await close();
    }
  });
}

test('caller and answerer both watching (PCMA): the caller plays CNG and hears ANSam, the answerer hears CNG first', async () => {
  const { clock, near, far, run, close } = await pair(8);
  try {
    const answerer = new FaxToneWatch({ endpoint: near, payloadType: 8, clock, detect: ['CNG'], play: 'ANSam' });
    const caller = new FaxToneWatch({ endpoint: far, payloadType: 8, clock, detect: ['CED'], play: 'CNG' });
    const cng = observe(answerer, clock);
    const ced = observe(caller, clock);
    await run(1500);
    assert.equal(cng.tone?.tone, 'CNG');
    assert.equal(ced.tone?.tone, 'CED');
    // ANSam's phase reversals (every 450 ms) do not break the run: 500 ms of it, then CED.
    assert.ok((ced.tone?.atMs ?? 0) >= 500 && (ced.tone?.atMs ?? 0) <= 560, `CED at ${ced.tone?.atMs}`);
    assert.ok((cng.at ?? Infinity) < (ced.at ?? 0) + 100);
    caller.stop();
    answerer.stop();
  } finally {
    await close();
  }
});

const notFax: ReadonlyArray<readonly [string, () => Float64Array]> = [
  ['silence', () => new Float64Array(8000 * 8)],
  ['white noise at -15 dBm0', () => noise(-15, 8000)],
  ['speech-like syllables at about -15 dBm0', () => speechLike(8000)],
  // A tone that never stops is an alarm or a test line, not CNG's 0.5 s burst.
  ['1100 Hz for 8 s', () => sine(1100, -12, 8000)],
  ['1100 Hz bursts of 200 ms', () => Float64Array.from({ length: 64_000 }, (_, i) => (i % 8000 < 1600 ? dbm0ToPeak(-12) * Math.sin((2 * Math.PI * 1100 * i) / 8000) : 0))],
  // Shorter than the 500 ms CED needs.
  ['2100 Hz blips of 300 ms', () => Float64Array.from({ length: 64_000 }, (_, i) => (i % 12000 < 2400 ? dbm0ToPeak(-12) * Math.sin((2 * Math.PI * 2100 * i) / 8000) : 0))],
  ['dial tone 400 Hz', () => sine(400, -10, 8000)],
];

for (const [name, signal] of notFax) {
  test(`no fax tone in ${name} (8 s, both tones watched)`, async () => {
    const { clock, near, far, run, close } = await pair(0);
    try {
      far.startSending(framesOf('ulaw', signal()));
      const watch = new FaxToneWatch({ endpoint: near, payloadType: 0, clock, detect: ['CNG', 'CED'] });
      const seen = observe(watch, clock);
      await run(8000);
      assert.equal(near.stats.received, 401);
      assert.equal(seen.settled, false, `detected ${JSON.stringify(seen.tone)}`);
      watch.stop();
      assert.equal(await watch.detected, undefined);
    } finally {
      await close();
    }
  });
}

test('stop() before any tone: resolves undefined, twice is harmless, our tone stops, a CNG after it is ignored', async () => {
  const { clock, near, far, run, close } = await pair(0);
  try {
    const watch = new FaxToneWatch({ endpoint: near, payloadType: 0, clock, detect: ['CNG'], play: 'CED' });
    far.startSending(() => new Uint8Array(160).fill(0xff));
    await run(200);
    const sent = near.stats.sent;
    assert.ok(sent >= 9, `we played while waiting (${sent} packets)`);
    watch.stop();
    watch.stop();
    assert.equal(await watch.detected, undefined);
    const generator = new ToneGenerator(CNG);
    far.startSending(() => generator.nextG711('ulaw'));
    await run(800);
    assert.equal(near.stats.sent, sent, 'no packet of ours after stop()');
    assert.equal(clock.pending, 1, 'only the far end\'s sending timer is left');
  } finally {
    await close();
  }
});

test('timeoutMs: no tone within the time resolves undefined and leaves no timer behind', async () => {
  const { clock, near, close } = await pair(0);
  try {
    const watch = new FaxToneWatch({ endpoint: near, payloadType: 0, clock, detect: ['CED'], timeoutMs: 5000 });
    const seen = observe(watch, clock);
    clock.advance(4990);
    await Promise.resolve();
    assert.equal(seen.settled, false);
    clock.advance(10);
    assert.equal(await watch.detected, undefined);
    assert.equal(clock.pending, 0);
  } finally {
    await close();
  }
});

test('a sender that suppresses silence: one CNG burst is reported by the idle fill, not 3 s later with the next burst', async () => {
  const { clock, near, far, run, close } = await pair(0);
  try {
    const generator = new ToneGenerator(CNG);
    // RtpEndpoint.sendFrame(undefined) advances the timestamp without a packet: RFC 3551 DTX.
    far.startSending(() => {
      const x = generator.next();
      return x.some((v) => v !== 0) ? encodeG711('ulaw', x) : undefined;
    });
    const start = clock.now();
    const watch = new FaxToneWatch({ endpoint: near, payloadType: 0, clock, detect: ['CNG'] });
    const seen = observe(watch, clock);
    await run(1000);
    assert.equal(near.stats.received, 25, 'the burst only');
    assert.equal(seen.tone?.tone, 'CNG');
    // The burst's last packet leaves at 480 ms; 200 ms later the idle fill ends the burst.
    assert.equal((seen.at ?? 0) - start, 680);
  } finally {
    await close();
  }
});

test('a timestamp gap is silence: CNG cadence holds across DTX pauses and a timestamp wrap, lost packets are bridged, RFC 4733 events ignored', async () => {
  const clock = new ManualClock();
  const near = await RtpEndpoint.open({ clock, localPort: 0, localAddress: '127.0.0.1', payloadType: 0 });
  const raw = createSocket('udp4');
  try {
    // Two bursts 3.5 s apart make CNG only if the 3 s pause between them counts as audio:
    // fed back to back, they would be one 1 s tone, too long for CNG.
    const watch = new FaxToneWatch({ endpoint: near, payloadType: 0, clock, detect: ['CNG'], detector: { cngBursts: 2 } });
    const seen = observe(watch, clock);
    const generator = new ToneGenerator(CNG);
    const send = (p: Uint8Array): Promise<void> => new Promise((r) => raw.send(p, near.localPort, '127.0.0.1', () => r()));
    let seq = 65_500;
    let sent = 0;
    for (let frame = 0; frame < 200; frame++) {
      const x = generator.next();
      const timestamp = (0xfffff000 + frame * 160) >>> 0; // wraps at frame 26, in the pause
      if (x.every((v) => v === 0)) continue; // DTX: nothing sent during the 3 s off
      if (frame === 10 || frame === 197) {
        seq++; // lost in the network: sequence number and timestamp skip it
        continue;
      }
      const rtp = { marker: false, timestamp, ssrc: 0xfa, csrcs: [], paddingLength: 0 };
      await send(encodeRtp({ ...rtp, payloadType: 0, sequenceNumber: seq++ & 0xffff, payload: encodeG711('ulaw', x) }));
      sent++;
      if (frame % 5 === 0) {
        await send(encodeRtp({ ...rtp, payloadType: 101, sequenceNumber: seq++ & 0xffff, payload: Uint8Array.of(5, 10, 0, 160) }));
        sent++;
      }
    }
    await until(() => near.stats.received >= sent);
    assert.equal(seen.settled, false, 'the second burst has not ended yet');
    // The far end stays quiet. Frames 198-199 wait behind the loss of 197 in the reorder
    // buffer: the idle timer flushes them, then after one more idle period fills the silence
    // that ends burst 2.
    const delivered = near.stats.delivered;
    clock.advance(200);
    await Promise.resolve();
    assert.equal(near.stats.delivered, delivered + 2, 'frames 198 and 199 flushed');
    assert.equal(seen.settled, false, 'the silence not assumed yet');
    clock.advance(200);
    await Promise.resolve();
    assert.equal(near.stats.lost, 2);
    assert.equal(seen.tone?.tone, 'CNG');
    assert.ok(Math.abs((seen.tone?.durationMs ?? 0) - 500) <= 40, `burst ${seen.tone?.durationMs} ms`);
    // Burst 2 ends at 4 s of audio (frame 200), two quiet blocks later it is reported.
    assert.ok((seen.tone?.atMs ?? 0) >= 4000 && (seen.tone?.atMs ?? 0) <= 4060, `atMs ${seen.tone?.atMs}`);
  } finally {
    raw.close();
    await near.close();
  }
});

test('an event-loop stall longer than idleMs does not cut a burst: audio queued in the socket cancels the idle fill (system clock)', async () => {
  const near = await RtpEndpoint.open({ clock: systemClock, localPort: 0, localAddress: '127.0.0.1', payloadType: 0 });
  const raw = createSocket('udp4');
  try {
    const watch = new FaxToneWatch({ endpoint: near, payloadType: 0, clock: systemClock, detect: ['CNG'], idleMs: 300, timeoutMs: 3000 });
    const generator = new ToneGenerator(CNG);
    const packet = (n: number): Uint8Array =>
      encodeRtp({ payloadType: 0, marker: n === 0, sequenceNumber: n, timestamp: n * 160, ssrc: 9, csrcs: [], payload: generator.nextG711('ulaw'), paddingLength: 0 });
    await new Promise<void>((r) => raw.connect(near.localPort, '127.0.0.1', () => r()));
    for (let n = 0; n < 10; n++) raw.send(packet(n));
    await until(() => near.stats.received === 10);
    // The rest of the burst and the silence after it reach the socket while the loop is
    // blocked for longer than idleMs: the idle timer is due before they are read.
    // (Blocked in a setImmediate: the next turn of the loop then starts with due timers.)
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        for (let n = 10; n < 40; n++) raw.send(packet(n));
        const blockedUntil = Date.now() + 500;
        while (Date.now() < blockedUntil);
        resolve();
      }),
    );
    const tone = await watch.detected;
    assert.equal(tone?.tone, 'CNG');
    assert.ok(Math.abs((tone?.durationMs ?? 0) - 500) <= 40, `burst ${tone?.durationMs} ms`);
  } finally {
    raw.close();
    await near.close();
  }
});
