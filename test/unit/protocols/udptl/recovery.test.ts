import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  UdptlReceiver,
  UdptlSender,
  decodeUdptl,
  type UdptlDelivery,
  type UdptlErrorCorrection,
} from '../../../../protocols/udptl/index.ts';

/** Deterministic PRNG (mulberry32) so a failing loss pattern can be replayed. */
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

/** IFP-sized payloads of varying length and content, so FEC padding and XOR are exercised. */
function makeIfps(n: number, seed: number): Uint8Array[] {
  const rnd = prng(seed);
  return Array.from({ length: n }, (_, i) => {
    const len = 1 + Math.floor(rnd() * 40);
    const b = new Uint8Array(len);
    for (let j = 0; j < len; j++) b[j] = Math.floor(rnd() * 256);
    b[0] = (i & 0x7f) | 0x80; // never all-zero: keeps padded rebuilds distinguishable
    return b;
  });
}

interface Outcome {
  delivered: Map<number, Uint8Array>;
  order: number[];
  lost: number;
  sources: Record<string, number>;
  receiver: UdptlReceiver;
}

function run(ec: UdptlErrorCorrection, ifps: Uint8Array[], drop: (i: number) => boolean, startSeq = 0): Outcome {
  const sender = new UdptlSender({ errorCorrection: ec, startSeq });
  const receiver = new UdptlReceiver();
  const delivered = new Map<number, Uint8Array>();
  const order: number[] = [];
  const sources: Record<string, number> = {};
  let lost = 0;
  const take = (ds: UdptlDelivery[]): void => {
    for (const d of ds) {
      if (d.type === 'lost') {
        lost += d.count;
        continue;
      }
      const index = (d.seq - startSeq) & 0xffff;
      order.push(index);
      delivered.set(index, d.ifp);
      sources[d.source] = (sources[d.source] ?? 0) + 1;
    }
  };
  ifps.forEach((ifp, i) => {
    const datagram = sender.next(ifp);
    if (!drop(i)) take(receiver.receiveDatagram(datagram));
  });
  take(receiver.flush());
  return { delivered, order, lost, sources, receiver };
}

function assertInOrder(o: Outcome): void {
  for (let i = 1; i < o.order.length; i++) assert.ok((o.order[i] ?? 0) > (o.order[i - 1] ?? 0), 'delivered out of order');
}

function assertAllExact(o: Outcome, ifps: Uint8Array[], last: number): void {
  for (let i = 0; i < last; i++) {
    const got = o.delivered.get(i);
    assert.ok(got, `IFP ${i} missing`);
    const want = ifps[i] ?? new Uint8Array(0);
    // FEC rebuilds come back zero-padded to the longest IFP of the group.
    assert.deepEqual(got.subarray(0, want.length), want, `IFP ${i} differs`);
    assert.ok(got.subarray(want.length).every((b) => b === 0), `IFP ${i} has non-zero padding`);
  }
}

test('no loss: every IFP delivered once, in order, from its primary', () => {
  const ifps = makeIfps(500, 1);
  const o = run({ mode: 'redundancy', depth: 2 }, ifps, () => false);
  assert.equal(o.delivered.size, 500);
  assert.equal(o.sources['primary'], 500);
  assertInOrder(o);
  assertAllExact(o, ifps, 500);
});

for (const rate of [0.01, 0.05]) {
  test(`random ${rate * 100}% loss: redundancy 3 recovers everything but the tail`, () => {
    const ifps = makeIfps(5000, 2);
    const rnd = prng(1000 + rate * 100);
    const dropped = new Set<number>();
    const o = run({ mode: 'redundancy', depth: 3 }, ifps, (i) => {
      const d = i < 4990 && rnd() < rate;
      if (d) dropped.add(i);
      return d;
    });
    assert.ok(dropped.size > 5000 * rate * 0.6, `the loss model dropped ${dropped.size}`);
    assert.equal(o.lost, 0);
    assert.equal(o.sources['redundancy'], dropped.size);
    assertInOrder(o);
    assertAllExact(o, ifps, 5000);
  });

  test(`random ${rate * 100}% loss: parity FEC (span 3, 2 entries) recovers almost everything`, () => {
    const ifps = makeIfps(5000, 3);
    const rnd = prng(2000 + rate * 100);
    let dropped = 0;
    const o = run({ mode: 'fec', span: 3, entries: 2 }, ifps, (i) => {
      const d = i > 10 && i < 4990 && rnd() < rate;
      if (d) dropped++;
      return d;
    });
    const recovered = o.sources['fec'] ?? 0;
    // Each group holds 3 packets: a loss is unrecoverable only if a second one falls in its group.
    assert.ok(recovered / dropped > (rate < 0.02 ? 0.97 : 0.85), `recovered ${recovered} of ${dropped}`);
    assert.equal(recovered + o.lost, dropped);
    assertInOrder(o);
    for (const [i, got] of o.delivered) {
      const want = ifps[i] ?? new Uint8Array(0);
      assert.deepEqual(got.subarray(0, want.length), want, `IFP ${i}`);
    }
  });
}

test('bursts: redundancy 3 rides over 3 lost in a row, and reports the rest of a 5-packet burst as lost', () => {
  const ifps = makeIfps(100, 4);
  const o3 = run({ mode: 'redundancy', depth: 3 }, ifps, (i) => i >= 40 && i < 43);
  assert.equal(o3.lost, 0);
  assertAllExact(o3, ifps, 100);
  const o5 = run({ mode: 'redundancy', depth: 3 }, ifps, (i) => i >= 40 && i < 45);
  assert.equal(o5.lost, 2); // 40 and 41 are older than the 3 copies in packet 45
  assert.equal(o5.delivered.has(40) || o5.delivered.has(41), false);
  assert.equal(o5.delivered.size, 98);
  assertInOrder(o5);
});

test('bursts: interleaved FEC (span 3, 2 entries) repairs 2 in a row, not 3', () => {
  const ifps = makeIfps(100, 5);
  const two = run({ mode: 'fec', span: 3, entries: 2 }, ifps, (i) => i === 50 || i === 51);
  assert.equal(two.lost, 0);
  assertAllExact(two, ifps, 100);
  const one = run({ mode: 'fec', span: 3, entries: 1 }, ifps, (i) => i === 50 || i === 51);
  assert.equal(one.lost, 2); // both in the same group of every later packet
});

test('sequence numbers: start at 32768 (Cisco) and wrap from 65535 to 0 without a hiccup', () => {
  const ifps = makeIfps(300, 6);
  const o = run({ mode: 'redundancy', depth: 2 }, ifps, (i) => i === 5 || i === 200, 65400);
  assert.equal(o.lost, 0);
  assert.equal(o.receiver.stats.restarts, 0);
  assertInOrder(o);
  assertAllExact(o, ifps, 300);
  const cisco = new UdptlSender({ errorCorrection: { mode: 'none' }, startSeq: 32768 });
  assert.equal(decodeUdptl(cisco.next(Uint8Array.of(0))).seq, 32768);
});

test('duplicates and late packets are dropped; reordering within the depth is put right', () => {
  const sender = new UdptlSender({ errorCorrection: { mode: 'none' } });
  const datagrams = makeIfps(6, 7).map((ifp) => sender.next(ifp));
  const receiver = new UdptlReceiver({ reorderDepth: 2 });
  const seqs = (ds: UdptlDelivery[]): string => ds.map((d) => (d.type === 'ifp' ? `${d.seq}` : `lost${d.firstSeq}x${d.count}`)).join(',');
  const feed = (i: number): string => seqs(receiver.receiveDatagram(datagrams[i] ?? new Uint8Array(0)));
  assert.equal(feed(0), '0');
  assert.equal(feed(0), ''); // key packets are sent several times
  assert.equal(feed(2), ''); // 1 may still come
  assert.equal(feed(1), '1,2');
  assert.equal(feed(4), '');
  assert.equal(feed(5), '');
  assert.equal(seqs(receiver.flush()), 'lost3x1,4,5');
  assert.equal(feed(3), ''); // too late now
  assert.deepEqual(
    { duplicates: receiver.stats.duplicates, late: receiver.stats.late, lost: receiver.stats.lost },
    { duplicates: 1, late: 1, lost: 1 },
  );
});

test('a jump far outside the window restarts the stream', () => {
  const a = new UdptlSender({ errorCorrection: { mode: 'none' }, startSeq: 10 });
  const b = new UdptlSender({ errorCorrection: { mode: 'none' }, startSeq: 30000 });
  const receiver = new UdptlReceiver();
  receiver.receiveDatagram(a.next(Uint8Array.of(1)));
  const out = receiver.receiveDatagram(b.next(Uint8Array.of(2)));
  assert.deepEqual(out.map((d) => d.type === 'ifp' && d.seq), [30000]);
  assert.equal(receiver.stats.restarts, 1);
});

test('sender trims redundancy, oldest first, to the maximum datagram size', () => {
  const sender = new UdptlSender({ errorCorrection: { mode: 'redundancy', depth: 4 }, maxDatagramSize: 31 });
  for (let i = 0; i < 4; i++) sender.next(new Uint8Array(8).fill(i + 1));
  const p = decodeUdptl(sender.next(new Uint8Array(8).fill(9)));
  assert.equal(p.redundancy?.length, 2); // seq 2 + primary 9 + choice/count 2 = 13, and 9 per copy: 2 copies fit in 31
  assert.deepEqual(p.redundancy?.[0], new Uint8Array(8).fill(4));
  assert.throws(() => new UdptlSender({ errorCorrection: { mode: 'fec', span: 0, entries: 1 } }), { code: 'UDPTL_BAD_ARGUMENT' });
});

test('FEC wind-up: the first packets cover what exists', () => {
  const sender = new UdptlSender({ errorCorrection: { mode: 'fec', span: 3, entries: 2 } });
  const spans = Array.from({ length: 8 }, (_, i) => {
    const p = decodeUdptl(sender.next(Uint8Array.of(i + 1)));
    return `${p.fec?.npackets}/${p.fec?.data.length}`;
  });
  assert.deepEqual(spans, ['0/0', '0/0', '0/0', '3/1', '3/1', '3/1', '3/2', '3/2']);
});
