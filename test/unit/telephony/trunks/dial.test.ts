import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../core/clock.ts';
import { parseFaxNumber } from '../../../../protocols/fax-numbers/index.ts';
import { ChannelGate, OutboundRouter, dialWithFailover, loadTrunkConfig, type AttemptOutcome, type Trunk } from '../../../../telephony/trunks/index.ts';

const config = loadTrunkConfig({
  trunks: [
    { name: 'a', host: '192.0.2.1', prefixes: ['+81'], priority: 1, maxChannels: 1, queue: { size: 0 } },
    { name: 'b', host: '192.0.2.2', prefixes: ['+81'], priority: 2 },
    { name: 'c', host: '192.0.2.3', prefixes: ['+'], priority: 3 },
  ],
});

function gates(clock: ManualClock): (t: Trunk) => ChannelGate {
  const map = new Map(config.trunks.map((t) => [t.name, new ChannelGate(clock, { maxChannels: t.maxChannels, callsPerSecond: t.callsPerSecond, queueSize: t.queue.size, queueWaitMs: t.queue.waitMs })]));
  return (t) => map.get(t.name) as ChannelGate;
}

test('fails over on 503 and timeouts, stops on busy, and releases every lease', async () => {
  const clock = new ManualClock();
  const gateFor = gates(clock);
  const router = new OutboundRouter(config.trunks);
  const script: Record<string, AttemptOutcome> = { a: { kind: 'status', status: 503 }, b: { kind: 'timeout' }, c: { kind: 'status', status: 486 } };
  const r = await dialWithFailover(parseFaxNumber('03-6368-4001'), router, gateFor, async (t) => script[t.name] as AttemptOutcome);
  assert.deepEqual(r.attempts.map((a) => [a.trunk, a.result]), [['a', 'congestion'], ['b', 'no-route'], ['c', 'busy']]);
  assert.deepEqual([r.result, r.trunk], ['busy', 'c']);
  for (const t of config.trunks) assert.equal(gateFor(t).stats.inUse, 0);
  // Success on the first trunk ends at once.
  const ok = await dialWithFailover(parseFaxNumber('03-6368-4001'), router, gateFor, async () => ({ kind: 'status', status: 200 }));
  assert.deepEqual([ok.result, ok.trunk, ok.attempts.length], ['ok', 'a', 1]);
  // No trunk routes the number.
  const none = await dialWithFailover({ e164: '+81363684001' }, new OutboundRouter([]), gateFor, async () => ({ kind: 'status', status: 200 }));
  assert.deepEqual([none.result, none.trunk, none.attempts.length], ['no-route', undefined, 0]);
});

test('a full trunk (its one channel busy, no queue) is skipped as congestion, and a throwing attempt still releases', async () => {
  const clock = new ManualClock();
  const gateFor = gates(clock);
  const router = new OutboundRouter(config.trunks);
  const held = await gateFor(config.trunks[0] as Trunk).acquire();
  assert.ok(held.ok);
  const tried: string[] = [];
  const r = await dialWithFailover(parseFaxNumber('03-6368-4001'), router, gateFor, async (t) => {
    tried.push(t.name);
    return { kind: 'status', status: 200 };
  });
  assert.deepEqual(tried, ['b']);
  assert.deepEqual(r.attempts.map((a) => [a.trunk, a.outcome.kind]), [['a', 'congestion'], ['b', 'status']]);
  held.lease.release();
  await assert.rejects(dialWithFailover(parseFaxNumber('03-6368-4001'), router, gateFor, async () => {
    throw new Error('transport closed');
  }), /transport closed/);
  assert.equal(gateFor(config.trunks[0] as Trunk).stats.inUse, 0);
});
