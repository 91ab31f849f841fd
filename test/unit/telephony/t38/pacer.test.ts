/**
 * The shared pacer: members woken at (or one granule after) the time they asked for, in
 * time order, with a single clock timer whatever the number of members.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../core/clock.ts';
import { Pacer, type PacerMember } from '../../../../telephony/t38/index.ts';

function member(log: string[], name: string, clock: StartClock, every?: number, times = 1): PacerMember {
  let left = times;
  return {
    onPacerTick(now) {
      log.push(`${name}@${now - clock.start}`);
      return --left > 0 && every !== undefined ? now + every : undefined;
    },
  };
}

class StartClock extends ManualClock {
  readonly start = this.now();
}

describe('Pacer', () => {
  it('wakes members at the granule at or after their time, earliest first', () => {
    const clock = new StartClock();
    const pacer = new Pacer(clock, 5);
    const log: string[] = [];
    pacer.wakeAt(member(log, 'b', clock), clock.start + 12);
    pacer.wakeAt(member(log, 'a', clock), clock.start + 3);
    pacer.wakeAt(member(log, 'c', clock), clock.start + 15);
    assert.equal(clock.pending, 1);
    clock.advance(100);
    assert.deepEqual(log, ['a@5', 'b@15', 'c@15']);
  });

  it('re-arms for the next wake-up a member asks for, and cancel stops it', () => {
    const clock = new StartClock();
    const pacer = new Pacer(clock, 5);
    const log: string[] = [];
    const m = member(log, 'm', clock, 30, 10);
    pacer.wakeAt(m, clock.start);
    clock.advance(95);
    assert.deepEqual(log, ['m@0', 'm@30', 'm@60', 'm@90']);
    pacer.cancel(m);
    clock.advance(200);
    assert.equal(log.length, 4);
    assert.equal(pacer.size, 0);
  });

  it('a later request replaces an earlier one; an earlier one re-arms the timer', () => {
    const clock = new StartClock();
    const pacer = new Pacer(clock, 5);
    const log: string[] = [];
    const m = member(log, 'm', clock);
    pacer.wakeAt(m, clock.start + 100);
    pacer.wakeAt(m, clock.start + 20);
    clock.advance(50);
    assert.deepEqual(log, ['m@20']);
    const n = member(log, 'n', clock);
    pacer.wakeAt(n, clock.start + 60);
    pacer.wakeAt(n, clock.start + 500);
    clock.advance(100);
    assert.deepEqual(log, ['m@20']);
    clock.advance(400);
    assert.deepEqual(log, ['m@20', 'n@500']);
  });

  it('keeps one timer for a thousand members', () => {
    const clock = new StartClock();
    const pacer = new Pacer(clock, 5);
    const log: string[] = [];
    for (let i = 0; i < 1000; i++) pacer.wakeAt(member(log, `m${i}`, clock, 30, 5), clock.start + (i % 97));
    assert.equal(clock.pending, 1);
    clock.advance(1000);
    assert.equal(log.length, 5000);
    assert.equal(clock.pending, 0);
  });

  it('a throwing member does not stop the others', () => {
    const clock = new StartClock();
    const pacer = new Pacer(clock, 5);
    const log: string[] = [];
    pacer.wakeAt({ onPacerTick: () => { throw new Error('boom'); } }, clock.start + 5);
    pacer.wakeAt(member(log, 'ok', clock), clock.start + 5);
    clock.advance(10);
    assert.deepEqual(log, ['ok@5']);
  });
});

describe('Pacer timers', () => {
  it('leaves no timer behind once every member is cancelled', () => {
    const clock = new StartClock();
    const pacer = new Pacer(clock, 5);
    const m: PacerMember = { onPacerTick: () => undefined };
    pacer.wakeAt(m, clock.start + 60_000);
    assert.equal(clock.pending, 1);
    pacer.cancel(m);
    assert.equal(clock.pending, 0);
  });
});
