import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, settle } from '../../../core/clock.ts';
import { EventBus } from '../../../core/events.ts';
import { silentLogger } from '../../../core/logger.ts';
import { Scheduler, type TimerRecord } from '../../../core/scheduler.ts';
import { MemoryBackend } from '../../../core/store/memory-backend.ts';
import { Store, defineCollection } from '../../../core/store/store.ts';

const DAY = 86_400_000;
const fired = defineCollection<{ id: string; count: number; at: number }>({ name: 'fired', id: (r) => r.id });

function setupScheduler(backend: MemoryBackend, clock: ManualClock): { scheduler: Scheduler; store: Store; log: string[] } {
  const store = new Store(backend);
  const scheduler = new Scheduler(store, clock, silentLogger, new EventBus());
  const log: string[] = [];
  const coll = store.namespace('t').forAccount('acme').collection(fired);
  scheduler.handle('count', async (t: TimerRecord, tx) => {
    const prev = await coll.get(t.id);
    tx.put(coll, { id: t.id, count: (prev?.count ?? 0) + 1, at: clock.now() });
    log.push(t.id);
  });
  return { scheduler, store, log };
}

test('timers fire in due order at their time, including 35 days ahead (beyond setTimeout range)', async () => {
  const clock = new ManualClock();
  const { scheduler, log } = setupScheduler(new MemoryBackend(), clock);
  await scheduler.load();
  scheduler.start();
  const t0 = clock.now();
  await scheduler.schedule({ id: 'late', kind: 'count', account: 'acme', at: t0 + 35 * DAY, payload: null });
  await scheduler.schedule({ id: 'soon', kind: 'count', account: 'acme', at: t0 + 1000, payload: null });
  await scheduler.schedule({ id: 'mid', kind: 'count', account: 'acme', at: t0 + 2 * DAY, payload: null });
  assert.equal(clock.pending, 1, 'only the earliest timer is armed');
  await clock.advanceAsync(999);
  assert.deepEqual(log, []);
  await clock.advanceAsync(1);
  assert.deepEqual(log, ['soon']);
  await clock.advanceAsync(34 * DAY, DAY);
  assert.deepEqual(log, ['soon', 'mid']);
  await clock.advanceAsync(DAY, 60_000);
  assert.deepEqual(log, ['soon', 'mid', 'late']);
  assert.equal(scheduler.size, 0);
});

test('after a restart, overdue timers fire at once and each fires exactly once', async () => {
  const backend = new MemoryBackend();
  const clock = new ManualClock();
  const first = setupScheduler(backend, clock);
  await first.scheduler.load();
  first.scheduler.start();
  await first.scheduler.schedule({ id: 'a', kind: 'count', account: 'acme', at: clock.now() + 5000, payload: null });
  await first.scheduler.schedule({ id: 'b', kind: 'count', account: 'acme', at: clock.now() + 60_000, payload: null });
  await first.scheduler.stop(); // the process "dies" with both pending

  clock.advance(10_000); // down for 10 s: a is overdue
  const second = setupScheduler(backend, clock);
  await second.scheduler.load();
  assert.equal(second.scheduler.size, 2);
  second.scheduler.start();
  await clock.advanceAsync(0);
  assert.deepEqual(second.log, ['a']);
  await clock.advanceAsync(60_000, 1000);
  assert.deepEqual(second.log, ['a', 'b']);
  const coll = second.store.namespace('t').forAccount('acme').collection(fired);
  assert.deepEqual([(await coll.get('a'))?.count, (await coll.get('b'))?.count], [1, 1]);
  // A third start finds nothing left to fire.
  const third = setupScheduler(backend, clock);
  await third.scheduler.load();
  assert.equal(third.scheduler.size, 0);
});

test('a failing handler keeps its timer and is retried with backoff; its writes do not land', async () => {
  const clock = new ManualClock();
  const store = new Store(new MemoryBackend());
  const scheduler = new Scheduler(store, clock, silentLogger, new EventBus());
  const coll = store.namespace('t').forAccount('acme').collection(fired);
  let attempts = 0;
  scheduler.handle('flaky', (t, tx) => {
    attempts++;
    tx.put(coll, { id: `${t.id}-${attempts}`, count: attempts, at: clock.now() });
    if (attempts < 3) throw new Error('mail server down');
  });
  await scheduler.load();
  scheduler.start();
  await scheduler.schedule({ id: 'x', kind: 'flaky', account: 'acme', at: clock.now() + 100, payload: null });
  await clock.advanceAsync(100);
  assert.equal(attempts, 1);
  await clock.advanceAsync(1000); // first retry after 1 s
  assert.equal(attempts, 2);
  await clock.advanceAsync(1999);
  assert.equal(attempts, 2, 'second retry waits 2 s');
  await clock.advanceAsync(1);
  assert.equal(attempts, 3);
  assert.equal(scheduler.size, 0);
  assert.deepEqual((await coll.list()).map((r) => r.id), ['x-3'], 'only the successful attempt wrote');
});

test('timers of a kind nobody handles yet wait for their handler; cancel removes a timer', async () => {
  const clock = new ManualClock();
  const store = new Store(new MemoryBackend());
  const scheduler = new Scheduler(store, clock, silentLogger, new EventBus());
  await scheduler.load();
  scheduler.start();
  await scheduler.schedule({ id: 'orphan', kind: 'later', account: 'acme', at: clock.now(), payload: { n: 1 } });
  await scheduler.schedule({ id: 'gone', kind: 'later', account: 'acme', at: clock.now(), payload: null });
  await scheduler.cancel('gone');
  await clock.advanceAsync(1000);
  const seen: unknown[] = [];
  scheduler.handle('later', (t) => {
    seen.push(t.payload);
  });
  await clock.advanceAsync(0);
  assert.deepEqual(seen, [{ n: 1 }]);
});
