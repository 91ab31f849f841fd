import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, settle } from '../../../../core/clock.ts';
import { ChannelGate, MemoryT38RefusalStore, T38RefusalMemory, type GateResult } from '../../../../telephony/trunks/index.ts';

/** Starts an acquire and records when (clock ms) and how it settled. */
function track(gate: ChannelGate, clock: ManualClock, log: { id: number; at: number; r: GateResult }[], id: number): void {
  const start = clock.now();
  void gate.acquire().then((r) => log.push({ id, at: clock.now() - start, r }));
}

test('channels: the 3rd call on a 2-channel trunk waits for a release, FIFO, nothing lost', async () => {
  const clock = new ManualClock();
  const gate = new ChannelGate(clock, { maxChannels: 2, callsPerSecond: 100, queueSize: 10, queueWaitMs: 60_000 });
  const log: { id: number; at: number; r: GateResult }[] = [];
  for (let id = 1; id <= 5; id++) track(gate, clock, log, id);
  await settle();
  assert.deepEqual(log.map((l) => l.id), [1, 2]);
  assert.deepEqual(gate.stats.queued, 3);
  // Inbound shares the channels: refused with 503 while full.
  const inbound = gate.tryAcquireInbound();
  assert.deepEqual(inbound.ok ? 'lease' : [inbound.reason, inbound.sipStatus, inbound.result], ['channels-full', 503, 'congestion']);
  const lease = (i: number) => {
    const r = log.find((l) => l.id === i)?.r;
    assert.ok(r?.ok);
    return r.lease;
  };
  clock.advance(1000);
  lease(1).release();
  lease(1).release(); // twice does nothing
  await settle();
  assert.deepEqual(log.map((l) => l.id), [1, 2, 3]);
  assert.equal(gate.stats.inUse, 2);
  lease(2).release();
  lease(3).release();
  await settle();
  assert.deepEqual(log.map((l) => l.id), [1, 2, 3, 4, 5]);
  assert.ok(log.every((l) => l.r.ok));
  lease(4).release();
  const inb = gate.tryAcquireInbound();
  assert.ok(inb.ok && inb.lease.direction === 'inbound');
  assert.equal(gate.stats.inUse, 2);
  assert.equal(gate.stats.maxWaitMs, 1000);
});

test('calls per second: a burst of 10 at 2 cps is spread over time by the token bucket', async () => {
  const clock = new ManualClock();
  const gate = new ChannelGate(clock, { maxChannels: 100, callsPerSecond: 2, queueSize: 100, queueWaitMs: 60_000 });
  const log: { id: number; at: number; r: GateResult }[] = [];
  for (let id = 1; id <= 10; id++) track(gate, clock, log, id);
  await settle();
  // Steps of 50 ms: every grant falls on a step boundary, so `at` is exact.
  await clock.advanceAsync(10_000, 50);
  assert.equal(log.length, 10);
  assert.ok(log.every((l) => l.r.ok));
  // Two at once (a second's burst), then one every 500 ms.
  assert.deepEqual(log.map((l) => l.at), [0, 0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000]);
  // Any 1-second window holds at most 2 + 1 starts (burst plus the refill).
  for (const a of log) assert.ok(log.filter((b) => b.at >= a.at && b.at < a.at + 1000).length <= 3);
});

test('a fractional rate (0.5 cps) and queue limits: full queue and wait timeout give congestion', async () => {
  const clock = new ManualClock();
  const gate = new ChannelGate(clock, { maxChannels: 10, callsPerSecond: 0.5, queueSize: 2, queueWaitMs: 3_000 });
  const log: { id: number; at: number; r: GateResult }[] = [];
  for (let id = 1; id <= 4; id++) track(gate, clock, log, id);
  await settle();
  // 1 passes (the bucket holds one token), 2 and 3 queue, 4 finds the queue full.
  assert.deepEqual(log.map((l) => [l.id, l.r.ok ? 'ok' : l.r.reason]), [[1, 'ok'], [4, 'queue-full']]);
  await clock.advanceAsync(5_000, 100);
  // 2 gets the next token at 2 s; 3 would need 4 s but gives up at 3 s.
  assert.deepEqual(log.map((l) => [l.id, l.at, l.r.ok ? 'ok' : l.r.reason]), [[1, 0, 'ok'], [4, 0, 'queue-full'], [2, 2000, 'ok'], [3, 3000, 'queue-timeout']]);
  // Queue size 0: refuse at once instead of waiting.
  const strict = new ChannelGate(clock, { maxChannels: 1, callsPerSecond: 10, queueSize: 0, queueWaitMs: 1000 });
  assert.ok((await strict.acquire()).ok);
  const r = await strict.acquire();
  assert.ok(!r.ok && r.reason === 'queue-full');
  // close() settles the waiting.
  const g = new ChannelGate(clock, { maxChannels: 1, callsPerSecond: 10, queueSize: 5, queueWaitMs: 60_000 });
  await g.acquire();
  const waiting = g.acquire();
  g.close();
  const closed = await waiting;
  assert.ok(!closed.ok && closed.reason === 'closed');
  assert.equal(clock.pending, 0);
});

test('T.38 refusal memory: initial offer refused -> audio then re-INVITE; re-INVITE refused -> give up; expiry', async () => {
  const clock = new ManualClock();
  const store = new MemoryT38RefusalStore(clock);
  const memory = new T38RefusalMemory(clock, store, 3_600_000);
  const dest = '+81363684001';
  assert.deepEqual(await memory.plan('jp', dest, 'offer-in-invite'), { action: 'call', policy: 'offer-in-invite', remembered: undefined });
  assert.equal(await memory.recordRefusal('jp', dest, 'initial-offer', 486), false); // busy is no T.38 refusal
  assert.equal(await memory.recordRefusal('jp', dest, 'initial-offer', 488), true);
  let plan = await memory.plan('jp', dest, 'offer-in-invite');
  assert.equal(plan.action === 'call' && plan.policy, 'audio-then-reinvite');
  // Another trunk or destination is unaffected.
  assert.equal((await memory.plan('other', dest, 'offer-in-invite')).action === 'call' && 'ok', 'ok');
  assert.equal((await memory.plan('jp', '+81363684002', 'offer-in-invite')).remembered, undefined);
  await memory.recordRefusal('jp', dest, 'reinvite', 606);
  plan = await memory.plan('jp', dest, 'audio-then-reinvite');
  assert.deepEqual([plan.action, plan.action === 'give-up' ? plan.result : '', plan.remembered?.sipStatus], ['give-up', 't38-refused', 606]);
  // 'never' never offers T.38, so nothing to give up on.
  assert.equal((await memory.plan('jp', dest, 'never')).action, 'call');
  clock.advance(3_600_000);
  assert.deepEqual(await memory.plan('jp', dest, 'audio-then-reinvite'), { action: 'call', policy: 'audio-then-reinvite', remembered: undefined });
  assert.equal(store.size, 0);
  // A success clears the record at once.
  await memory.recordRefusal('jp', dest, 'initial-offer', 488);
  await memory.recordSuccess('jp', dest);
  assert.equal((await memory.plan('jp', dest, 'offer-in-invite')).remembered, undefined);
  // Bounded: the oldest goes first.
  const small = new MemoryT38RefusalStore(clock, 2);
  const m2 = new T38RefusalMemory(clock, small);
  for (const d of ['+1', '+2', '+3']) await m2.recordRefusal('t', d, 'initial-offer', 488);
  assert.equal(small.size, 2);
  assert.equal(await small.get('t', '+1'), undefined);
});
