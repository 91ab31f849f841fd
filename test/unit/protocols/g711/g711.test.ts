import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DBM0_PEAK, decodeAlaw, decodeUlaw, dbm0ToPeak, encodeAlaw, encodeUlaw, lawForPayloadType, rmsToDbm0, SILENCE_BYTE } from '../../../../protocols/g711/index.ts';

const rms = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] as number) ** 2;
  return Math.sqrt(s / x.length);
};

test('reference values: zero, extremes, sign conventions', () => {
  assert.deepEqual([...decodeUlaw(Uint8Array.from([
    0xff, // +0: sign bit set means positive, all bits inverted
    0x7f, // -0
    0x80, // +max: segment 7, mantissa 15
    0x00, // -max
  ]))], [0, 0, 32124, -32124]);
  assert.deepEqual([...decodeAlaw(Uint8Array.from([
    0xd5, // +smallest (0x80 ^ 0x55): segment 0, mantissa 0 -> 8
    0x55, // -smallest
    0xaa, // +max: segment 7, mantissa 15 (0xff ^ 0x55)
    0x2a, // -max
  ]))], [8, -8, 32256, -32256]);
  assert.deepEqual([...encodeUlaw([0, 32767, -32768, 100_000])], [0xff, 0x80, 0x00, 0x80]);
  assert.deepEqual([...encodeAlaw([0, 32767, -32768, -1])], [0xd5, 0xaa, 0x2a, 0x55]);
  assert.equal(decodeUlaw(Uint8Array.of(SILENCE_BYTE.ulaw))[0], 0);
  assert.equal(Math.abs(decodeAlaw(Uint8Array.of(SILENCE_BYTE.alaw))[0] as number), 8);
  assert.equal(lawForPayloadType(0), 'ulaw');
  assert.equal(lawForPayloadType(8), 'alaw');
  assert.equal(lawForPayloadType(18), undefined);
});

test('the G.711 digital milliwatt decodes to a 1 kHz sine at 0 dBm0 and re-encodes to itself', () => {
  const dmw = {
    ulaw: Uint8Array.from([0x1e, 0x0b, 0x0b, 0x1e, 0x9e, 0x8b, 0x8b, 0x9e]),
    alaw: Uint8Array.from([0x34, 0x21, 0x21, 0x34, 0xb4, 0xa1, 0xa1, 0xb4]),
  };
  for (const [law, bytes] of Object.entries(dmw)) {
    const pcm = law === 'ulaw' ? decodeUlaw(bytes) : decodeAlaw(bytes);
    assert.ok(Math.abs(rmsToDbm0(rms(pcm))) < 0.1, `${law}: ${rmsToDbm0(rms(pcm))} dBm0`);
    // 8 samples per period at 8 kHz = 1 kHz: antisymmetric halves.
    for (let i = 0; i < 4; i++) assert.equal(pcm[i], -(pcm[i + 4] as number));
    const again = law === 'ulaw' ? encodeUlaw(pcm) : encodeAlaw(pcm);
    assert.deepEqual([...again], [...bytes]);
  }
  assert.ok(Math.abs(dbm0ToPeak(0) - DBM0_PEAK) < 1e-9);
});

test('every code word survives decode then encode (except µ-law negative zero)', () => {
  for (let b = 0; b < 256; b++) {
    const u = encodeUlaw(decodeUlaw(Uint8Array.of(b)))[0];
    assert.equal(u, b === 0x7f ? 0xff : b, `ulaw ${b}`);
    assert.equal(encodeAlaw(decodeAlaw(Uint8Array.of(b)))[0], b, `alaw ${b}`);
  }
});

test('quantization: monotonic, and a sine keeps its level with > 33 dB SNR from -30 to 0 dBm0', () => {
  for (const [enc, dec] of [[encodeUlaw, decodeUlaw], [encodeAlaw, decodeAlaw]] as const) {
    let prev = -Infinity;
    for (let s = -32768; s < 32768; s += 7) {
      const v = dec(enc([s]))[0] as number;
      assert.ok(v >= prev, `monotonic at ${s}`);
      prev = v;
    }
    for (const level of [0, -10, -20, -30]) {
      const x = Array.from({ length: 8000 }, (_, i) => dbm0ToPeak(level) * Math.sin((2 * Math.PI * 1020 * i) / 8000));
      const y = dec(enc(x));
      const err = x.map((v, i) => v - (y[i] as number));
      const snr = 20 * Math.log10(rms(x) / rms(err));
      assert.ok(snr > 33, `snr ${snr.toFixed(1)} dB at ${level} dBm0`);
      assert.ok(Math.abs(rmsToDbm0(rms(y)) - level) < 0.3);
    }
  }
});
