/**
 * One timer for many T.38 terminals. A terminal sends a packet every 20-30 ms of modem time
 * while a page is on the line; a thousand calls each arming its own timer would put tens of
 * thousands of timers a second through the event loop. Instead every terminal asks a shared
 * pacer to be woken at a time, the pacer groups wake-ups into slots of `granularityMs`, and
 * one clock timer serves the earliest slot: all terminals due in it are woken in one callback.
 *
 * A woken member returns when it next wants waking (or `undefined`). Members keep their own
 * timeline (the time each packet was due, not the time they were woken), so a late slot only
 * delays packets, it never stretches the modem timing.
 */
import type { Clock, TimerId } from '../../core/clock.ts';

export interface PacerMember {
  /** Called at or after the time asked for; returns the next wake-up time, or undefined. */
  onPacerTick(now: number): number | undefined;
}

interface Slot {
  readonly key: number;
  readonly members: Set<PacerMember>;
}

export class Pacer {
  private readonly slots = new Map<number, Slot>();
  /** Min-heap of slot keys (slot start = key * granularity); stale keys are skipped. */
  private readonly heap: number[] = [];
  private readonly slotOf = new Map<PacerMember, Slot>();
  private timer: TimerId | undefined;
  private armedKey = Number.POSITIVE_INFINITY;
  private running = false;

  constructor(
    readonly clock: Clock,
    readonly granularityMs = 5,
  ) {
    if (!(granularityMs > 0)) throw new RangeError('pacer granularity must be > 0');
  }

  /** Members currently waiting for a wake-up. */
  get size(): number {
    return this.slotOf.size;
  }

  /** Wakes `member` at `at` (clock time) or up to one granule later; replaces an earlier request. */
  wakeAt(member: PacerMember, at: number): void {
    const key = Math.ceil(at / this.granularityMs);
    const current = this.slotOf.get(member);
    if (current !== undefined) {
      if (current.key === key) return;
      current.members.delete(member);
    }
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = { key, members: new Set() };
      this.slots.set(key, slot);
      heapPush(this.heap, key);
    }
    slot.members.add(member);
    this.slotOf.set(member, slot);
    if (!this.running && key < this.armedKey) this.arm();
  }

  cancel(member: PacerMember): void {
    const current = this.slotOf.get(member);
    if (current === undefined) return;
    current.members.delete(member);
    this.slotOf.delete(member);
    // With nobody left waiting, no timer may keep the process alive.
    if (!this.running) this.arm();
  }

  /** Stops the timer; members stay registered but are not woken until `wakeAt` is called again. */
  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedKey = Number.POSITIVE_INFINITY;
  }

  private arm(): void {
    const key = this.earliestKey();
    if (key === this.armedKey) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedKey = key ?? Number.POSITIVE_INFINITY;
    if (key === undefined) return;
    this.timer = this.clock.setTimeout(this.fire, key * this.granularityMs - this.clock.now());
  }

  private earliestKey(): number | undefined {
    for (;;) {
      const key = this.heap[0];
      if (key === undefined) return undefined;
      const slot = this.slots.get(key);
      if (slot !== undefined && slot.members.size > 0) return key;
      if (slot !== undefined) this.slots.delete(key);
      heapPop(this.heap);
    }
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedKey = Number.POSITIVE_INFINITY;
    this.running = true;
    try {
      const now = this.clock.now();
      const dueKey = Math.floor(now / this.granularityMs);
      for (;;) {
        const key = this.earliestKey();
        if (key === undefined || key > dueKey) break;
        const slot = this.slots.get(key);
        heapPop(this.heap);
        this.slots.delete(key);
        if (slot === undefined) continue;
        for (const member of slot.members) {
          this.slotOf.delete(member);
          let next: number | undefined;
          try {
            next = member.onPacerTick(now);
          } catch {
            // A failing terminal must not stop the others' pacing; it is left unscheduled.
            next = undefined;
          }
          if (next !== undefined) this.wakeAt(member, Math.max(next, (dueKey + 1) * this.granularityMs));
        }
      }
    } finally {
      this.running = false;
      this.arm();
    }
  };
}

function heapPush(heap: number[], v: number): void {
  heap.push(v);
  let i = heap.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    const pv = heap[p] as number;
    if (pv <= v) break;
    heap[i] = pv;
    heap[p] = v;
    i = p;
  }
}

function heapPop(heap: number[]): void {
  const last = heap.pop();
  if (last === undefined || heap.length === 0) return;
  heap[0] = last;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && (heap[l] as number) < (heap[m] as number)) m = l;
    if (r < heap.length && (heap[r] as number) < (heap[m] as number)) m = r;
    if (m === i) return;
    const t = heap[i] as number;
    heap[i] = heap[m] as number;
    heap[m] = t;
    i = m;
  }
}
