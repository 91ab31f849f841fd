/**
 * Time, injected. Everything that waits (XState delays, T.30 timers, the durable scheduler,
 * retry backoff) takes a Clock, so tests drive time instead of sleeping. The shape matches
 * XState's `clock` option, so the same object is handed to `createActor`.
 */
export type TimerId = unknown;

export interface Clock {
  /** Milliseconds since the epoch, as the rest of the system sees it. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

/** Node's setTimeout overflows above 2^31-1 ms (about 24.8 days): longer waits are re-armed. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS)),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
};

interface ManualTimer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/**
 * A clock that only moves when told to. `advance` fires due timers in time order (ties in
 * creation order), including timers that fired timers create within the window.
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: ManualTimer[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const timer: ManualTimer = { id: this.nextId++, at: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(id: TimerId): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Pending timers, for assertions. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
  }

  /** Advances time and lets promise callbacks that the fired timers started run in between. */
  async advanceAsync(ms: number, step = ms): Promise<void> {
    let left = ms;
    do {
      const d = Math.min(step, left);
      this.advance(d);
      left -= d;
      await settle();
    } while (left > 0);
    // Timers armed by the callbacks that just settled may already be due.
    this.advance(0);
    await settle();
  }
}

/** Lets queued microtasks and I/O callbacks run (store writes complete within a few turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * A clock that runs `scale` times faster than real time, for interop tests where the far
 * end (the SpanDSP harness) runs on the same scaled time: both sides see T.30's timers and
 * modem durations as on a real line, in a tenth of the wall time at scale 10.
 */
export class ScaledClock implements Clock {
  private readonly realStart = performance.now();
  private readonly start: number;

  constructor(
    readonly scale: number,
    start = Date.now(),
  ) {
    if (!(scale > 0)) throw new RangeError('clock scale must be > 0');
    this.start = start;
  }

  now(): number {
    return this.start + (performance.now() - this.realStart) * this.scale;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    return setTimeout(fn, Math.min(Math.max(0, ms) / this.scale, MAX_TIMER_MS));
  }

  clearTimeout(id: TimerId): void {
    clearTimeout(id as NodeJS.Timeout);
  }
}
