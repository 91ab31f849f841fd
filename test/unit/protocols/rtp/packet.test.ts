import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtpDecodeError, decodeRtp, encodeRtp, looksLikeRtp, seqDelta, timestampDelta, type RtpPacket } from '../../../../protocols/rtp/index.ts';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function roundTrip(wire: Uint8Array, expected: RtpPacket): void {
  const got = decodeRtp(wire);
  assert.deepEqual({ ...got, payload: [...got.payload], extension: got.extension && { ...got.extension, data: [...got.extension.data] } },
    { ...expected, payload: [...expected.payload], extension: expected.extension && { ...expected.extension, data: [...expected.extension.data] } });
  assert.equal(hex(encodeRtp(expected)), hex(wire));
}

function rejects(wire: Uint8Array, code: string): void {
  assert.throws(() => decodeRtp(wire), (e: unknown) => e instanceof RtpDecodeError && e.code === code);
}

test('plain PCMU packet: fixed header, payload', () => {
  roundTrip(bytes(
    0x80, // V=2, P=0, X=0, CC=0
    0x80, // M=1 (first packet of a talkspurt), PT=0 PCMU
    0x12, 0x34, // seq 0x1234
    0x00, 0x00, 0x01, 0x40, // timestamp 320
    0xde, 0xad, 0xbe, 0xef, // SSRC
    0xff, 0xff, 0x7f, // payload: µ-law silence
  ), { payloadType: 0, marker: true, sequenceNumber: 0x1234, timestamp: 320, ssrc: 0xdeadbeef, csrcs: [], payload: bytes(0xff, 0xff, 0x7f), paddingLength: 0 });
});

test('CSRCs, extension and padding together', () => {
  roundTrip(bytes(
    0xb2, // V=2, P=1, X=1, CC=2
    0x08, // M=0, PT=8 PCMA
    0xff, 0xff, // seq 65535
    0xff, 0xff, 0xff, 0xff, // timestamp 2^32-1
    0x00, 0x00, 0x00, 0x01, // SSRC 1
    0x00, 0x00, 0x00, 0x02, // CSRC 2
    0x00, 0x00, 0x00, 0x03, // CSRC 3
    0xbe, 0xde, 0x00, 0x01, // extension: profile 0xBEDE, 1 word
    0x10, 0xaa, 0x00, 0x00, // one-byte element id 1 len 1, padding
    0xd5, 0xd5, // payload
    0x00, 0x00, 0x03, // padding: 3 octets including the count
  ), {
    payloadType: 8, marker: false, sequenceNumber: 65535, timestamp: 0xffffffff, ssrc: 1, csrcs: [2, 3],
    extension: { profile: 0xbede, data: bytes(0x10, 0xaa, 0x00, 0x00) }, payload: bytes(0xd5, 0xd5), paddingLength: 3,
  });
});

test('malformed packets are refused with the codec error only', () => {
  rejects(bytes(0x80, 0x00, 0x00), 'RTP_TRUNCATED');
  rejects(bytes(0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 'RTP_BAD_VERSION'); // V=1
  rejects(bytes(0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 'RTP_TRUNCATED'); // CC=1 but 2 octets left
  rejects(bytes(0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0x00, 0x02, 0, 0, 0, 0), 'RTP_TRUNCATED'); // X: 2 words announced, 1 present
  rejects(bytes(0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00), 'RTP_BAD_PADDING'); // count 0
  rejects(bytes(0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x03), 'RTP_BAD_PADDING'); // count 3 > 2 octets
  rejects(new Uint8Array(1501).fill(0x80), 'RTP_LIMIT_EXCEEDED');
  const big = new Uint8Array(12 + 4 + 2048);
  big.set([0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0x02, 0x00]); // 512 words
  assert.throws(() => decodeRtp(big, { maxPacketSize: 4096, maxExtensionSize: 1024 }), (e: unknown) => e instanceof RtpDecodeError && e.code === 'RTP_LIMIT_EXCEEDED');
  const base: RtpPacket = { payloadType: 0, marker: false, sequenceNumber: 0, timestamp: 0, ssrc: 0, csrcs: [], payload: bytes(), paddingLength: 0 };
  for (const bad of [{ payloadType: 128 }, { sequenceNumber: 65536 }, { timestamp: -1 }, { csrcs: new Array<number>(16).fill(0) }, { paddingLength: 256 }, { extension: { profile: 1, data: bytes(1, 2) } }]) {
    assert.throws(() => encodeRtp({ ...base, ...bad }), (e: unknown) => e instanceof RtpDecodeError && e.code === 'RTP_BAD_ARGUMENT');
  }
});

test('random bytes decode or fail with RtpDecodeError, and decoded packets re-encode identically', () => {
  let seed = 12345;
  const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
  let decoded = 0;
  for (let n = 0; n < 20000; n++) {
    const b = Uint8Array.from({ length: 8 + (rnd() % 48) }, rnd);
    b[0] = ((b[0] as number) & 0x3f) | 0x80; // mostly version 2, to reach the deeper checks
    try {
      const p = decodeRtp(b);
      decoded++;
      assert.equal(hex(encodeRtp(p).subarray(0, b.length - p.paddingLength)), hex(b.subarray(0, b.length - p.paddingLength)));
    } catch (e) {
      assert.ok(e instanceof RtpDecodeError, String(e));
    }
  }
  assert.ok(decoded > 1000);
});

test('RTP versus RTCP/STUN on a shared port; wrap-around arithmetic', () => {
  assert.equal(looksLikeRtp(bytes(0x80, 0x00, ...new Array<number>(10).fill(0))), true);
  assert.equal(looksLikeRtp(bytes(0x80, 200, ...new Array<number>(10).fill(0))), false); // RTCP SR
  assert.equal(looksLikeRtp(bytes(0x00, 0x01, ...new Array<number>(18).fill(0))), false); // STUN binding request
  assert.equal(seqDelta(65535, 0), 1);
  assert.equal(seqDelta(0, 65535), -1);
  assert.equal(seqDelta(100, 90), -10);
  assert.equal(timestampDelta(0xffffff60, 0x00000000), 160);
  assert.equal(timestampDelta(160, 0), -160);
});
