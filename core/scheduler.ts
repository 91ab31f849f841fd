import type { Clock, TimerId } from './clock.ts';
import { MAX_TIMER_MS } from './clock.ts';
import { FaxgateError, errorMessage } from './errors.ts';
import type { EventBus } from './events.ts';
import type { Logger } from './logger.ts';
import type { Json } from './store/backend.ts';
import { SYSTEM_ACCOUNT, defineCollection, type Collection, type Store, type Tx } from './store/store.ts';

/**
 * Durable timers. A timer is a stored record with an absolute due time; only the earliest one
 * is armed on the clock, so a million pending timers cost one clock timer. Firing runs the
 * handler registered for the timer's kind and deletes the timer in the same atomic batch as
 * the handler's own writes: after a crash a timer has either fired (its effects and its
 * deletion landed together) or not (neither did) and fires after restart, late ones at once.
 */
export interface TimerRecord {
  readonly id: string;
  readonly kind: string;
  readonly account: string;
  /** Due time, ms since the epoch. */
  readonly at: number;
  readonly payload: Json;
  readonly createdAt: number;
}

/** Adds the handler's writes to `tx`; the scheduler commits them with the timer's deletion. */
export type TimerHandler = (timer: TimerRecord, tx: Tx) => void | Promise<void>;

const timersDef = defineCollection<TimerRecord>({ name: 'timers', id: (t) => t.id });

/** How long a failing handler waits before its timer is tried again (doubling, capped). */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;

export class Scheduler {
  private readonly timers: Collection<TimerRecord>;
  private readonly handlers = new Map<string, TimerHandler>();
  /** Pending timers by id, and the due order (sorted ascending by at, then id). */
  private readonly pending = new Map<string, TimerRecord>();
  private order: TimerRecord[] = [];
  private readonly retryAt = new Map<string, { at: number; delay: number }>();
  private armed: { id: TimerId; at: number } | undefined;
  private running = false;
  private firing: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly events: EventBus,
  ) {
    this.timers = store.namespace('core').forAccount(SYSTEM_ACCOUNT).collection(timersDef);
  }

  /** One handler per kind; timers of a kind nobody handles wait until a handler appears. */
  handle(kind: string, handler: TimerHandler): void {
    if (this.handlers.has(kind)) throw new FaxgateError('SCHEDULER_DUPLICATE_KIND', 'a timer kind already has a handler', { details: { kind } });
    this.handlers.set(kind, handler);
    this.rearm();
  }

  /** Loads the stored timers. Firing starts with `start()`, once every handler is registered. */
  async load(): Promise<void> {
    for (const t of await this.timers.list()) this.insert(t);
  }

  start(): void {
    this.running = true;
    this.rearm();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.disarm();
    await this.firing;
  }

  get size(): number {
    return this.pending.size;
  }

  get(id: string): TimerRecord | undefined {
    return this.pending.get(id);
  }

  /** Adds a timer inside `tx` (armed once `tx` commits), or on its own when no tx is given. */
  async schedule(timer: Omit<TimerRecord, 'createdAt'>, tx?: Tx): Promise<void> {
    const record: TimerRecord = { ...timer, createdAt: this.clock.now() };
    const own = tx ?? this.store.tx();
    own.put(this.timers, record).onCommit(() => {
      this.remove(record.id);
      this.insert(record);
      this.rearm();
    });
    if (tx === undefined) await own.commit();
  }

  async cancel(id: string, tx?: Tx): Promise<void> {
    const own = tx ?? this.store.tx();
    own.delete(this.timers, id).onCommit(() => {
      this.remove(id);
      this.rearm();
    });
    if (tx === undefined) await own.commit();
  }

  private insert(t: TimerRecord): void {
    this.pending.set(t.id, t);
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.order[mid]!;
      if (m.at < t.at || (m.at === t.at && m.id < t.id)) lo = mid + 1;
      else hi = mid;
    }
    this.order.splice(lo, 0, t);
  }

  private remove(id: string): void {
    const t = this.pending.get(id);
    if (t === undefined) return;
    this.pending.delete(id);
    this.retryAt.delete(id);
    const i = this.order.indexOf(t);
    if (i >= 0) this.order.splice(i, 1);
  }

  private dueAt(t: TimerRecord): number {
    return Math.max(t.at, this.retryAt.get(t.id)?.at ?? 0);
  }

  /** The next timer that can fire now or later: one whose kind has a handler. */
  private next(): TimerRecord | undefined {
    let best: TimerRecord | undefined;
    for (const t of this.order) {
      if (best !== undefined && t.at > this.dueAt(best)) break;
      if (!this.handlers.has(t.kind)) continue;
      if (best === undefined || this.dueAt(t) < this.dueAt(best)) best = t;
    }
    return best;
  }

  private disarm(): void {
    if (this.armed !== undefined) this.clock.clearTimeout(this.armed.id);
    this.armed = undefined;
  }

  private rearm(): void {
    if (!this.running || this.firing !== undefined) return;
    const t = this.next();
    if (t === undefined) {
      this.disarm();
      return;
    }
    const at = this.dueAt(t);
    if (this.armed !== undefined && this.armed.at === at) return;
    this.disarm();
    const delay = Math.min(Math.max(0, at - this.clock.now()), MAX_TIMER_MS);
    this.armed = { at, id: this.clock.setTimeout(() => this.onAlarm(), delay) };
  }

  private onAlarm(): void {
    this.armed = undefined;
    if (!this.running || this.firing !== undefined) return;
    this.firing = this.fireDue().finally(() => {
      this.firing = undefined;
      this.rearm();
    });
  }

  /** Fires, one at a time and in due order, every timer that is due now. */
  private async fireDue(): Promise<void> {
    for (;;) {
      if (!this.running) return;
      const t = this.next();
      if (t === undefined || this.dueAt(t) > this.clock.now()) return;
      const handler = this.handlers.get(t.kind);
      if (handler === undefined) return;
      const tx = this.store.tx();
      tx.delete(this.timers, t.id);
      try {
        await handler(t, tx);
        await tx.commit();
        this.remove(t.id);
        this.events.emit('timer.fired', { id: t.id, kind: t.kind, account: t.account, late: Math.max(0, this.clock.now() - t.at) });
      } catch (err) {
        const prev = this.retryAt.get(t.id)?.delay ?? 0;
        const delay = Math.min(prev === 0 ? RETRY_FIRST_MS : prev * 2, RETRY_MAX_MS);
        this.retryAt.set(t.id, { at: this.clock.now() + delay, delay });
        this.logger.error({ timer: t.id, kind: t.kind, err: errorMessage(err), retryInMs: delay }, 'timer handler failed; the timer stays and is tried again');
      }
    }
  }
}
