import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { ManualClock } from '../../../../core/clock.ts';
import { decodeRtp, encodeRtp, type RtpPacket } from '../../../../protocols/rtp/index.ts';
import { decodeUlaw } from '../../../../protocols/g711/index.ts';
import { ReorderBuffer, type InOrderPacket } from '../../../../telephony/media/reorder-buffer.ts';
import { RtpEndpoint } from '../../../../telephony/media/rtp-endpoint.ts';
import { ToneDetector } from '../../../../telephony/media/tone-detector.ts';
import { CNG, ToneGenerator } from '../../../../telephony/media/tone-generator.ts';

const pkt = (seq: number): RtpPacket => ({ payloadType: 0, marker: false, sequenceNumber: seq & 0xffff, timestamp: seq * 160, ssrc: 7, csrcs: [], payload: Uint8Array.of(seq & 0xff), paddingLength: 0 });
const seqs = (out: InOrderPacket[]): number[] => out.map((p) => p.packet.sequenceNumber);

test('reorder buffer: in order, swapped, duplicated, lost, late, wrapping, resync', () => {
  const b = new ReorderBuffer({ depth: 3 });
  const played: InOrderPacket[] = [];
  const push = (s: number): void => void played.push(...b.push(pkt(s)));
  // 65533, 65535 (65534 delayed), 65534, 0, 0 (duplicate), 2, 3, 4, 5 (1 lost), 1 (late), 4 (duplicate)
  for (const s of [65533, 65535, 65534, 0, 0, 2, 3, 4, 5, 1, 4]) push(s);
  played.push(...b.flush());
  assert.deepEqual(seqs(played), [65533, 65534, 65535, 0, 2, 3, 4, 5]);
  assert.deepEqual(played.map((p) => p.lostBefore), [0, 0, 0, 0, 1, 0, 0, 0]);
  assert.deepEqual({ ...b.stats }, { received: 11, delivered: 8, lost: 1, duplicates: 2, late: 1, reordered: 1, resyncs: 0 });
  // A far end that restarts its counter: played at once, not held for 30,000 packets.
  const r = new ReorderBuffer();
  assert.deepEqual(seqs(r.push(pkt(100))), [100]);
  assert.deepEqual(seqs(r.push(pkt(30_000))), [30_000]);
  assert.deepEqual(seqs(r.push(pkt(30_001))), [30_001]);
  assert.equal(r.stats.resyncs, 1);
});

test('reorder buffer: random jitter within the depth loses nothing', () => {
  let seed = 99;
  const rnd = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const order = Array.from({ length: 2000 }, (_, i) => ({ seq: (60_000 + i) & 0xffff, at: i + rnd() * 2.5 }));
  order.sort((a, b) => a.at - b.at);
  const b = new ReorderBuffer({ depth: 3 });
  const out: number[] = [];
  for (const o of order) out.push(...seqs(b.push(pkt(o.seq))));
  out.push(...seqs(b.flush()));
  assert.deepEqual(out, Array.from({ length: 2000 }, (_, i) => (60_000 + i) & 0xffff));
  assert.equal(b.stats.lost, 0);
  assert.ok(b.stats.reordered > 100);
});

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('two endpoints on loopback: 20 ms packetization on a ManualClock, symmetric RTP, CNG heard through µ-law', async () => {
  const clock = new ManualClock();
  const b = await RtpEndpoint.open({ clock, localPort: 0, localAddress: '127.0.0.1', payloadType: 0 });
  const a = await RtpEndpoint.open({ clock, localPort: 0, localAddress: '127.0.0.1', payloadType: 0, remote: { host: '127.0.0.1', port: b.localPort }, ssrc: 0x1234, initialSequence: 65530, initialTimestamp: 1000 });
  try {
    const received: InOrderPacket[] = [];
    const detector = new ToneDetector({ tones: ['CNG'] });
    const tones: string[] = [];
    b.onPacket((p) => {
      received.push(p);
      tones.push(...detector.push(decodeUlaw(p.packet.payload)).map((e) => e.tone));
    });
    const gen = new ToneGenerator(CNG);
    a.startSending(() => gen.nextG711('ulaw'));
    // 1 s of media: the first frame at t=0, then one every 20 ms.
    for (let t = 0; t < 1000; t += 20) {
      clock.advance(20);
      await new Promise((r) => setImmediate(r));
    }
    await until(() => received.length >= 51);
    a.stopSending();
    b.flush();
    assert.equal(received.length, 51);
    assert.equal(a.stats.sent, 51);
    const first = received[0]?.packet as RtpPacket;
    assert.deepEqual([first.sequenceNumber, first.timestamp, first.ssrc, first.marker, first.payload.length], [65530, 1000, 0x1234, true, 160]);
    // Sequence wraps, timestamps step by 160 samples, marker only on the first.
    received.forEach((p, i) => {
      assert.equal(p.packet.sequenceNumber, (65530 + i) & 0xffff);
      assert.equal(p.packet.timestamp, 1000 + 160 * i);
      assert.equal(p.packet.marker, i === 0);
    });
    assert.deepEqual(tones, ['CNG']);
    assert.equal(b.lastPacketAt, clock.now());
    // b learnt a's address from its packets and answers there.
    assert.equal(b.remote?.port, (a as unknown as { socket: { address(): { port: number } } }).socket.address().port);
    const back: InOrderPacket[] = [];
    a.onPacket((p) => back.push(p));
    b.sendFrame(new Uint8Array(160).fill(0xff));
    await until(() => back.length === 1);
    // A silent frame (no payload) advances the timestamp and sets the marker on the next.
    b.sendFrame(undefined);
    b.sendFrame(new Uint8Array(160).fill(0xff));
    await until(() => back.length === 2);
    assert.equal(((back[1]?.packet.timestamp as number) - (back[0]?.packet.timestamp as number)) >>> 0, 320);
    assert.equal(back[1]?.packet.marker, true);
  } finally {
    await a.close();
    await b.close();
  }
});

test('endpoint discards RTCP, STUN and garbage, and puts jittered packets back in order', async () => {
  const clock = new ManualClock();
  const ep = await RtpEndpoint.open({ clock, localPort: 0, localAddress: '127.0.0.1', payloadType: 0 });
  const raw = createSocket('udp4');
  try {
    const got: InOrderPacket[] = [];
    ep.onPacket((p) => got.push(p));
    const send = (d: Uint8Array): Promise<void> => new Promise((r) => raw.send(d, ep.localPort, '127.0.0.1', () => r()));
    await send(Uint8Array.from([0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])); // RTCP SR
    await send(Uint8Array.from([0x00, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])); // STUN
    await send(Uint8Array.from([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9])); // bad padding
    for (const s of [10, 12, 11, 13]) await send(encodeRtp(pkt(s)));
    await until(() => got.length === 4);
    ep.flush();
    assert.deepEqual(seqs(got), [10, 11, 12, 13]);
    assert.equal(ep.stats.discarded, 3);
    assert.equal(decodeRtp(encodeRtp(pkt(13))).payload[0], 13);
  } finally {
    raw.close();
    await ep.close();
  }
});
