import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../core/clock.ts';
import { CallWatchdog, type WatchdogReason } from '../../../../telephony/media/call-watchdog.ts';

function setup(extra: { maxDurationMs?: number } = {}): { clock: ManualClock; dog: CallWatchdog; fired: { reason: WatchdogReason; idleMs: number; at: number }[] } {
  const clock = new ManualClock();
  const start = clock.now();
  const fired: { reason: WatchdogReason; idleMs: number; at: number }[] = [];
  const dog = new CallWatchdog({ clock, mediaTimeoutMs: 10_000, afterPhaseEMs: 5_000, ...extra, onExpire: (reason, d) => fired.push({ reason, idleMs: d.idleMs, at: clock.now() - start }) });
  return { clock, dog, fired };
}

test('media flowing keeps the call; 10 s of silence ends it, once', () => {
  const { clock, dog, fired } = setup();
  for (let t = 0; t < 60_000; t += 20) {
    clock.advance(20);
    dog.packetSeen();
  }
  assert.deepEqual(fired, []);
  assert.ok(clock.pending <= 1, 'one timer at a time');
  clock.advance(9_999);
  assert.deepEqual(fired, []);
  clock.advance(1);
  assert.deepEqual(fired, [{ reason: 'media-timeout', idleMs: 10_000, at: 70_000 }]);
  clock.advance(60_000);
  assert.equal(fired.length, 1);
  assert.equal(dog.expired, true);
  assert.equal(clock.pending, 0);
});

test('a far end that never sends is caught too', () => {
  const { clock, fired } = setup();
  clock.advance(10_000);
  assert.equal(fired[0]?.reason, 'media-timeout');
});

test('after phase E the call may linger 5 s even with media still flowing', () => {
  const { clock, dog, fired } = setup();
  for (let t = 0; t < 30_000; t += 1000) {
    clock.advance(1000);
    dog.packetSeen();
  }
  dog.phaseE();
  for (let t = 0; t < 4_980; t += 20) {
    clock.advance(20);
    dog.packetSeen();
  }
  assert.equal(fired.length, 0);
  clock.advance(20);
  assert.deepEqual(fired.map((f) => [f.reason, f.at]), [['linger-after-phase-e', 35_000]]);
});

test('stop() cancels; max duration is a ceiling', () => {
  const a = setup();
  a.dog.stop();
  a.clock.advance(100_000);
  assert.deepEqual(a.fired, []);
  assert.equal(a.clock.pending, 0);
  const b = setup({ maxDurationMs: 30_000 });
  for (let t = 0; t < 40_000; t += 100) {
    b.clock.advance(100);
    b.dog.packetSeen();
  }
  assert.deepEqual(b.fired.map((f) => [f.reason, f.at]), [['max-duration', 30_000]]);
});
