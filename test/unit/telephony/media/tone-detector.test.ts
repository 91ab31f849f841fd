import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ToneDetector, type ToneEvent } from '../../../../telephony/media/tone-detector.ts';
import { ANSAM, CED, CNG, ToneGenerator, sine, toneSamples } from '../../../../telephony/media/tone-generator.ts';
import { dbm0ToPeak, decodeG711, encodeG711, type G711Law } from '../../../../protocols/g711/index.ts';

/** Deterministic PRNG (mulberry32) so a failing signal can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gaussian white noise at `levelDbm0` (RMS relative to a 0 dBm0 sine). */
function noise(levelDbm0: number, ms: number, seed = 1): Float64Array {
  const rnd = prng(seed);
  const rms = dbm0ToPeak(levelDbm0) / Math.SQRT2;
  const out = new Float64Array(ms * 8);
  for (let i = 0; i < out.length; i++) out[i] = rms * Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  return out;
}

function concat(...parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function mix(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v + (b[i] ?? 0));
}

/** Through a G.711 codec, as audio arrives from RTP. */
function viaG711(law: G711Law, x: Float64Array): Int16Array {
  return decodeG711(law, encodeG711(law, x));
}

/** Feeds in odd-sized chunks (RTP packets are not always 160 samples). */
function detect(x: ArrayLike<number>, detector = new ToneDetector()): ToneEvent[] {
  const events: ToneEvent[] = [];
  for (let i = 0; i < x.length; i += 97) events.push(...detector.push(Array.prototype.slice.call(x, i, i + 97) as number[]));
  return events;
}

/**
 * Speech-like signal: voiced syllables (a harmonic series on a gliding pitch, shaped by
 * three formants that move from syllable to syllable) separated by short pauses.
 */
function speechLike(ms: number, levelDbm0: number, seed: number): Float64Array {
  const rnd = prng(seed);
  const out = new Float64Array(ms * 8);
  let i = 0;
  while (i < out.length) {
    const syllable = Math.round((120 + rnd() * 250) * 8);
    const f0start = 90 + rnd() * 160;
    const f0end = f0start * (0.8 + rnd() * 0.4);
    const formants = [300 + rnd() * 600, 900 + rnd() * 1400, 2200 + rnd() * 900];
    let phase = 0;
    const harmonics: number[] = [];
    for (let n = 0; n < Math.min(syllable, out.length - i); n++) {
      const f0 = f0start + ((f0end - f0start) * n) / syllable;
      phase += (2 * Math.PI * f0) / 8000;
      let v = 0;
      for (let h = 1; h * f0 < 3800; h++) {
        const f = h * f0;
        harmonics[h] ??= formants.reduce((g, fm) => g + 1 / (1 + ((f - fm) / 120) ** 2), 0);
        v += (harmonics[h] as number) * Math.sin(h * phase);
      }
      out[i + n] = v * Math.sin((Math.PI * n) / syllable); // syllable envelope
    }
    harmonics.length = 0;
    i += syllable + Math.round(rnd() * 150 * 8);
  }
  let sum = 0;
  for (const v of out) sum += v * v;
  const scale = dbm0ToPeak(levelDbm0) / Math.SQRT2 / Math.sqrt(sum / out.length);
  return out.map((v) => v * scale);
}

const DTMF_LOW = [697, 770, 852, 941];
const DTMF_HIGH = [1209, 1336, 1477, 1633];

test('CNG is found after one 0.5 s burst, at -10 to -40 dBm0, through µ-law and A-law', () => {
  for (const law of ['ulaw', 'alaw'] as const) {
    for (const level of [-10, -20, -30, -40]) {
      const audio = viaG711(law, concat(noise(-60, 300, level), toneSamples({ ...CNG, levelDbm0: level }, 7500)));
      const events = detect(audio, new ToneDetector({ tones: ['CNG'] }));
      assert.equal(events.length, 2, `${law} ${level} dBm0: ${JSON.stringify(events)}`); // bursts at 0.3 s and 3.8 s
      const first = events[0] as ToneEvent;
      assert.equal(first.tone, 'CNG');
      // The burst ends at 0.8 s; it is reported 40 ms later (two silent blocks).
      assert.ok(first.atMs >= 800 && first.atMs <= 900, `at ${first.atMs}`);
      assert.ok(Math.abs(first.durationMs - 500) <= 40, `duration ${first.durationMs}`);
      assert.ok(Math.abs(first.levelDbm0 - level) < 1.5, `level ${first.levelDbm0}`);
    }
  }
});

test('CED and ANSam are found after 0.5 s, at -10 to -40 dBm0 and with noise', () => {
  for (const spec of [CED, ANSAM]) {
    for (const level of [-10, -25, -40]) {
      const audio = viaG711('ulaw', concat(new Float64Array(1600), toneSamples({ ...spec, levelDbm0: level }, 3300), new Float64Array(8000)));
      const events = detect(audio, new ToneDetector({ tones: ['CED'] }));
      assert.equal(events.length, 1, `${spec.ansam === true ? 'ANSam' : 'CED'} ${level}: ${JSON.stringify(events)}`);
      const e = events[0] as ToneEvent;
      assert.equal(e.tone, 'CED');
      assert.ok(e.atMs >= 200 + 480 && e.atMs <= 200 + 600, `at ${e.atMs}`);
      assert.ok(Math.abs(e.levelDbm0 - level) < 2, `level ${e.levelDbm0}`);
    }
  }
  // 2100 Hz at -30 dBm0 under white noise at -42 dBm0 (12 dB SNR over the whole band).
  const noisy = mix(toneSamples({ ...CED, levelDbm0: -30 }, 3300), noise(-42, 3300, 7));
  assert.deepEqual(detect(viaG711('alaw', noisy)).map((e) => e.tone), ['CED']);
  // CNG under the same noise.
  const noisyCng = mix(toneSamples({ ...CNG, levelDbm0: -30 }, 3500), noise(-42, 3500, 8));
  assert.deepEqual(detect(viaG711('ulaw', noisyCng)).map((e) => e.tone), ['CNG']);
});

test('frequency tolerance: CNG 1100 +/- 38 Hz and CED 2100 +/- 15 Hz are accepted, farther is not', () => {
  for (const f of [1062, 1080, 1100, 1120, 1138]) {
    assert.deepEqual(detect(toneSamples({ ...CNG, frequency: f, levelDbm0: -20 }, 3500)).map((e) => e.tone), ['CNG'], `${f} Hz`);
  }
  for (const f of [2085, 2100, 2115]) {
    assert.deepEqual(detect(toneSamples({ ...CED, frequency: f, levelDbm0: -20 }, 2000)).map((e) => e.tone), ['CED'], `${f} Hz`);
  }
  for (const f of [950, 1250]) assert.deepEqual(detect(toneSamples({ ...CNG, frequency: f, levelDbm0: -20 }, 3500)), [], `${f} Hz`);
  for (const f of [1900, 2300]) assert.deepEqual(detect(toneSamples({ ...CED, frequency: f, levelDbm0: -20 }, 2000)), [], `${f} Hz`);
});

test('no false positives: white noise, speech-like audio, DTMF, a 1000 Hz test tone, continuous 1100 Hz, short blips', () => {
  const quiet = (x: ArrayLike<number>, what: string): void => assert.deepEqual(detect(x), [], what);
  for (const level of [-10, -25, -40]) quiet(viaG711('ulaw', noise(level, 10_000, level)), `noise ${level} dBm0`);
  for (let seed = 1; seed <= 6; seed++) quiet(viaG711('alaw', speechLike(20_000, -15 - seed * 3, seed)), `speech-like seed ${seed}`);
  // Every DTMF digit, 100 ms on / 100 ms off, and held 1 s each.
  const dtmf: Float64Array[] = [];
  for (const lo of DTMF_LOW) {
    for (const hi of DTMF_HIGH) {
      const pair = (ms: number): Float64Array => mix(sine(lo, -10, ms), sine(hi, -8, ms));
      dtmf.push(pair(100), new Float64Array(800), pair(1000), new Float64Array(800));
    }
  }
  quiet(viaG711('ulaw', concat(...dtmf)), 'DTMF');
  quiet(viaG711('ulaw', sine(1000, -10, 10_000)), '1000 Hz test tone');
  quiet(viaG711('ulaw', sine(1004, 0, 10_000)), '1004 Hz milliwatt');
  // 1100 Hz that does not stop is not CNG (its bursts are half a second).
  quiet(viaG711('ulaw', sine(1100, -15, 10_000)), 'continuous 1100 Hz');
  // 2100 Hz blips shorter than 0.5 s are not CED.
  quiet(concat(sine(2100, -15, 300), new Float64Array(4000), sine(2100, -15, 300)), 'short 2100 Hz');
  // Below the level threshold.
  quiet(toneSamples({ ...CED, levelDbm0: -50 }, 3000), 'CED at -50 dBm0');
  // Speech over which CNG sounds is still found (a caller talking while the machine calls).
  const talkOver = mix(toneSamples({ ...CNG, levelDbm0: -12 }, 3500), speechLike(3500, -30, 9));
  assert.deepEqual(detect(talkOver).map((e) => e.tone), ['CNG']);
});

test('cadence: with cngBursts 2, two bursts 3.5 s apart are needed', () => {
  const d = new ToneDetector({ tones: ['CNG'], cngBursts: 2 });
  const events = detect(toneSamples(CNG, 7200), d);
  assert.equal(events.length, 1);
  assert.ok((events[0] as ToneEvent).atMs > 4000);
  // Two bursts 1 s apart are not a CNG cadence.
  const wrong = concat(sine(1100, -12, 500), new Float64Array(8000), sine(1100, -12, 500), new Float64Array(8000));
  assert.deepEqual(detect(wrong, new ToneDetector({ tones: ['CNG'], cngBursts: 2 })), []);
});

test('the generator streams frames with continuous phase and the right cadence', () => {
  const g = new ToneGenerator(CNG);
  const frames: number[] = [];
  for (let i = 0; i < 175; i++) frames.push(Math.max(...g.next().map(Math.abs))); // 3.5 s
  const on = frames.filter((p) => p > 1000).length;
  assert.equal(on, 25); // 500 ms of 20 ms frames
  assert.ok(frames.slice(0, 25).every((p) => p > dbm0ToPeak(-12) * 0.95));
  // Phase continuity: frame-by-frame equals one long block.
  const a = new ToneGenerator(CED);
  const pieces = concat(a.next(160), a.next(37), a.next(123));
  const whole = new ToneGenerator(CED).next(320);
  assert.ok(pieces.every((v, i) => Math.abs(v - (whole[i] as number)) < 1e-9));
  assert.equal(new ToneGenerator(CED).nextG711('ulaw').length, 160);
});

test('throughput: at least 200x real time', () => {
  const audio = viaG711('ulaw', speechLike(30_000, -20, 3));
  const d = new ToneDetector();
  const t0 = performance.now();
  d.push(audio);
  const ms = performance.now() - t0;
  assert.ok(ms < 30_000 / 200, `${ms.toFixed(1)} ms for 30 s of audio`);
});
