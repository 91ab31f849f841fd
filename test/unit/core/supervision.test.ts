import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assign, emit, setup } from 'xstate';
import { ActorRuntime, type ChildSpec } from '../../../core/actors/runtime.ts';
import { ManualClock, settle } from '../../../core/clock.ts';
import { EventBus } from '../../../core/events.ts';
import { silentLogger } from '../../../core/logger.ts';
import { Scheduler } from '../../../core/scheduler.ts';
import { MemoryBackend } from '../../../core/store/memory-backend.ts';
import { Store, defineCollection } from '../../../core/store/store.ts';

interface CounterRecord {
  id: string;
  count: number;
  state: string;
}
const counters = defineCollection<CounterRecord>({ name: 'counters', id: (r) => r.id });

const counter = setup({
  types: {} as { context: { count: number }; events: { type: 'INC' } | { type: 'BOOM' } | { type: 'SLEEP'; ms: number } | { type: 'WAKE' } | { type: 'FINISH' } },
  actions: {
    explode: () => {
      throw new Error('modem on fire');
    },
  },
}).createMachine({
  id: 'counter',
  context: { count: 0 },
  initial: 'idle',
  states: {
    idle: {
      on: {
        INC: { actions: assign({ count: ({ context }) => context.count + 1 }) },
        BOOM: { actions: 'explode' },
        SLEEP: { target: 'sleeping', actions: emit(({ event }) => ({ type: 'faxgate.timer.set', timerId: 'nap', delayMs: event.ms, event: { type: 'WAKE' } })) },
        FINISH: 'finished',
      },
    },
    sleeping: { on: { WAKE: { target: 'idle', actions: assign({ count: ({ context }) => context.count + 100 }) } } },
    finished: { type: 'final' },
  },
});

function spec(restart: ChildSpec<typeof counter>['restart'], extra: Partial<ChildSpec<typeof counter, CounterRecord>> = {}): ChildSpec<typeof counter, CounterRecord> {
  return {
    logic: counter,
    restart,
    backoffMs: 100,
    record: { collection: counters, project: (s, meta) => ({ id: meta.id, count: s.context.count, state: String(s.value) }) },
    ...extra,
  };
}

function boot(backend: MemoryBackend, clock: ManualClock): { rt: ActorRuntime; scheduler: Scheduler; store: Store; events: EventBus } {
  const store = new Store(backend);
  const events = new EventBus();
  const scheduler = new Scheduler(store, clock, silentLogger, events);
  const rt = new ActorRuntime(store, scheduler, clock, silentLogger, events);
  rt.define('test.counter', 'plugin:test', spec('transient', { maxRestarts: 2 }));
  rt.define('test.call', 'plugin:test', spec('temporary'));
  return { rt, scheduler, store, events };
}

const record = (store: Store, id: string): Promise<CounterRecord | undefined> => store.namespace('plugin:test').forAccount('acme').collection(counters).get(id);

test('a throwing actor is restarted from its last snapshot after backoff; its sibling is untouched', async () => {
  const clock = new ManualClock();
  const { rt, events } = boot(new MemoryBackend(), clock);
  const seen: string[] = [];
  events.on('actor.restarted', (e) => seen.push(`${e.id}:${e.error}`));
  await rt.spawn('test.counter', { id: 'job-1', account: 'acme' });
  await rt.spawn('test.counter', { id: 'job-2', account: 'acme' });
  await rt.send('job-1', { type: 'INC' });
  await rt.send('job-1', { type: 'INC' });
  await rt.send('job-2', { type: 'INC' });
  await rt.send('job-1', { type: 'BOOM' });
  assert.equal(rt.status('job-1'), 'restarting');
  await assert.rejects(rt.send('job-1', { type: 'INC' }), /no running actor/);
  // The sibling keeps working while job-1 waits for its restart.
  await rt.send('job-2', { type: 'INC' });
  assert.equal((rt.snapshot('job-2') as { context: { count: number } }).context.count, 2);
  await clock.advanceAsync(100);
  assert.equal(rt.status('job-1'), 'running');
  assert.equal((rt.snapshot('job-1') as { context: { count: number } }).context.count, 2, 'restarted with the state it had before the throw');
  assert.deepEqual(seen, ['job-1:modem on fire']);
  assert.equal((await rt.entry('job-1'))?.restarts, 1);
});

test('more restarts than the intensity allows mark the actor failed, with the error stored', async () => {
  const clock = new ManualClock();
  const { rt, events } = boot(new MemoryBackend(), clock);
  const failed: string[] = [];
  events.on('actor.failed', (e) => failed.push(e.error));
  await rt.spawn('test.counter', { id: 'job', account: 'acme' });
  for (let i = 0; i < 3; i++) {
    await rt.send('job', { type: 'BOOM' }).catch(() => undefined);
    await clock.advanceAsync(10_000);
  }
  assert.deepEqual(failed, ['modem on fire']);
  const entry = await rt.entry('job');
  assert.equal(entry?.status, 'failed');
  assert.equal(entry?.error, 'modem on fire');
  assert.equal(rt.status('job'), undefined);
});

test('a temporary actor (a call) is never restarted', async () => {
  const clock = new ManualClock();
  const { rt } = boot(new MemoryBackend(), clock);
  await rt.spawn('test.call', { id: 'call-1', account: 'acme' });
  await rt.send('call-1', { type: 'BOOM' });
  await clock.advanceAsync(60_000, 1000);
  assert.equal((await rt.entry('call-1'))?.status, 'failed');
  assert.equal(rt.status('call-1'), undefined);
});

test('snapshot and domain record are stored together; a new runtime rehydrates and continues', async () => {
  const backend = new MemoryBackend();
  const clock = new ManualClock();
  const a = boot(backend, clock);
  await a.rt.spawn('test.counter', { id: 'job', account: 'acme' });
  for (let i = 0; i < 3; i++) await a.rt.send('job', { type: 'INC' });
  assert.deepEqual(await record(a.store, 'job'), { id: 'job', count: 3, state: 'idle' });
  assert.equal(((await a.rt.entry('job'))?.snapshot as { context: { count: number } }).context.count, 3);
  // The process dies here (no stop): a fresh runtime over the same store picks the actor up.
  const b = boot(backend, clock);
  assert.equal(await b.rt.rehydrate(), 1);
  await b.rt.send('job', { type: 'INC' });
  assert.deepEqual(await record(b.store, 'job'), { id: 'job', count: 4, state: 'idle' });
  await b.rt.send('job', { type: 'FINISH' });
  await settle();
  assert.equal((await b.rt.entry('job'))?.status, 'done');
  const c = boot(backend, clock);
  assert.equal(await c.rt.rehydrate(), 0, 'finished actors are not restarted');
});

test('a durable timer requested by a machine wakes it once, even across a crash', async () => {
  const backend = new MemoryBackend();
  const clock = new ManualClock();
  const a = boot(backend, clock);
  await a.scheduler.load();
  a.scheduler.start();
  await a.rt.spawn('test.counter', { id: 'job', account: 'acme' });
  await a.rt.send('job', { type: 'SLEEP', ms: 3 * 86_400_000 });
  assert.equal(a.scheduler.size, 1);
  await a.scheduler.stop(); // crash: timer pending, actor asleep
  clock.advance(4 * 86_400_000);
  const b = boot(backend, clock);
  await b.scheduler.load();
  await b.rt.rehydrate();
  b.scheduler.start();
  await clock.advanceAsync(0);
  assert.deepEqual(await record(b.store, 'job'), { id: 'job', count: 100, state: 'idle' });
  assert.equal(b.scheduler.size, 0);
  const c = boot(backend, clock);
  await c.scheduler.load();
  assert.equal(c.scheduler.size, 0, 'the timer was deleted with the snapshot it produced');
});
