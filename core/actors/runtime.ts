import { createActor, type Actor, type AnyActorLogic, type EventFromLogic, type InputFrom, type SnapshotFrom } from 'xstate';
import type { Clock, TimerId } from '../clock.ts';
import { FaxgateError, errorMessage } from '../errors.ts';
import type { EventBus } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { Scheduler, TimerRecord } from '../scheduler.ts';
import type { Json } from '../store/backend.ts';
import { SYSTEM_ACCOUNT, defineCollection, type Collection, type CollectionDef, type Store, type Tx } from '../store/store.ts';

/**
 * The actor system: XState v5 actors under stable ids, with the supervision XState lacks and
 * persistence of their snapshots.
 *
 *   spawn(id) ──> running ──(throws)──> restarting ──(backoff on the clock)──> running
 *                   │  │                    └──(restart intensity exceeded)──> failed
 *                   │  └──(final state)──> done
 *                   └──(process dies)── rehydrate on start from the last persisted snapshot
 *
 * Supervision is data, as in OTP: each logic has a child spec. `temporary` actors (a fax
 * call: its media is gone) are never restarted; `transient` ones (a job) restart from their
 * last persisted snapshot after an error; `permanent` ones (a mailbox) restart even after
 * finishing. One actor failing never touches another: each is its own XState root.
 *
 * Persistence: after each change the actor's persisted snapshot, its domain record (the
 * spec's projection) and any durable timers it asked for go to the store in one batch.
 * Writes per actor are serialized and coalesced (a burst of transitions writes the latest).
 *
 * Durable timers: a machine asks for one by emitting `faxgate.timer.set` (see TimerRequest);
 * when it fires, the event is delivered and the new snapshot is written in the same batch as
 * the timer's deletion, so a timer's effect happens exactly once across crashes.
 */
export type RestartPolicy = 'permanent' | 'transient' | 'temporary';

export interface ChildSpec<TLogic extends AnyActorLogic, TRecord = unknown> {
  readonly logic: TLogic;
  readonly restart: RestartPolicy;
  /** Restart intensity: more than `maxRestarts` within `withinMs` marks the actor failed. */
  readonly maxRestarts?: number;
  readonly withinMs?: number;
  /** First restart delay, doubled per restart, capped at `maxBackoffMs`. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Whether snapshots are stored (default: all but temporary actors). */
  readonly persist?: boolean;
  /** The domain record written with each snapshot, in the defining plugin's namespace. */
  readonly record?: {
    readonly collection: CollectionDef<TRecord>;
    readonly project: (snapshot: SnapshotFrom<TLogic>, meta: { id: string; account: string; status: ActorStatus }) => TRecord | undefined;
  };
}

export type ActorStatus = 'running' | 'restarting' | 'failed' | 'done';

/** What a machine emits to ask for a durable timer; `event` is sent to it when due. */
export interface TimerRequest {
  readonly type: 'faxgate.timer.set';
  readonly timerId: string;
  /** Absolute due time (ms since epoch), or a delay from now. */
  readonly at?: number;
  readonly delayMs?: number;
  readonly event: { readonly type: string } & Record<string, Json>;
}
export interface TimerCancel {
  readonly type: 'faxgate.timer.cancel';
  readonly timerId: string;
}

export interface ActorEntry {
  readonly id: string;
  readonly logic: string;
  readonly account: string;
  readonly status: ActorStatus;
  readonly input: Json;
  readonly snapshot: Json | null;
  readonly restarts: number;
  readonly error?: string;
  readonly updatedAt: number;
}

const actorsDef = defineCollection<ActorEntry>({
  name: 'actors',
  id: (a) => a.id,
  indexes: { status: (a) => a.status, logic: (a) => `${a.logic}:${a.status}` },
});

interface Registered {
  readonly key: string;
  readonly namespace: string;
  readonly spec: ChildSpec<AnyActorLogic, unknown>;
}

interface Live {
  readonly id: string;
  readonly account: string;
  readonly input: Json;
  readonly reg: Registered;
  actor: Actor<AnyActorLogic>;
  status: ActorStatus;
  restarts: number;
  restartTimes: number[];
  error: string | undefined;
  /** Writes waiting for the next snapshot write (durable timers, a fired timer's deletion). */
  pending: Tx;
  dirty: boolean;
  flushQueued: boolean;
  chain: Promise<void>;
  lastGood: Json | null;
  restartTimer: TimerId | undefined;
  detach: () => void;
}

const TIMER_KIND = 'actor.event';

export class ActorRuntime {
  private readonly registry: Collection<ActorEntry>;
  private readonly logics = new Map<string, Registered>();
  private readonly live = new Map<string, Live>();
  private stopping = false;

  constructor(
    private readonly store: Store,
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly events: EventBus,
  ) {
    this.registry = store.namespace('core').forAccount(SYSTEM_ACCOUNT).collection(actorsDef);
    scheduler.handle(TIMER_KIND, (timer, tx) => this.onTimer(timer, tx));
  }

  /** Registers a logic under `key` (plugins get keys prefixed with their name). */
  define<TLogic extends AnyActorLogic, TRecord>(key: string, namespace: string, spec: ChildSpec<TLogic, TRecord>): void {
    if (this.logics.has(key)) throw new FaxgateError('ACTOR_DUPLICATE_LOGIC', 'an actor logic with this name is already defined', { details: { logic: key } });
    this.logics.set(key, { key, namespace, spec: spec as unknown as ChildSpec<AnyActorLogic, unknown> });
  }

  /** Starts a new actor. Resolves once its first snapshot is stored. */
  async spawn<TLogic extends AnyActorLogic>(key: string, options: { id: string; account: string; input?: InputFrom<TLogic> }): Promise<void> {
    const reg = this.logics.get(key);
    if (reg === undefined) throw new FaxgateError('ACTOR_UNKNOWN_LOGIC', 'no actor logic with this name', { details: { logic: key } });
    if (this.stopping) throw new FaxgateError('RUNTIME_STOPPING', 'the runtime is stopping and takes no new work');
    if (this.live.has(options.id) || (await this.registry.get(options.id)) !== undefined) {
      throw new FaxgateError('ACTOR_EXISTS', 'an actor with this id already exists', { details: { id: options.id } });
    }
    const input = (options.input ?? null) as Json;
    const live = this.start(reg, options.id, options.account, input, null, 0);
    this.events.emit('actor.started', { id: options.id, logic: key, account: options.account, restored: false });
    await this.flush(live);
  }

  /** Sends an event; resolves once the resulting snapshot is stored. */
  async send(id: string, event: { type: string } & Record<string, unknown>): Promise<void> {
    const live = this.live.get(id);
    if (live === undefined || live.status !== 'running') {
      throw new FaxgateError('ACTOR_NOT_RUNNING', 'no running actor with this id', { details: { id, status: live?.status ?? 'unknown' } });
    }
    live.actor.send(event as EventFromLogic<AnyActorLogic>);
    await this.flush(live);
  }

  snapshot(id: string): SnapshotFrom<AnyActorLogic> | undefined {
    return this.live.get(id)?.actor.getSnapshot();
  }

  status(id: string): ActorStatus | undefined {
    return this.live.get(id)?.status;
  }

  async entry(id: string): Promise<ActorEntry | undefined> {
    return this.registry.get(id);
  }

  /** Live actors by logic and status, for metrics. */
  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const l of this.live.values()) {
      const k = `${l.reg.key}\u0000${l.status}`;
      out.set(k, (out.get(k) ?? 0) + 1);
    }
    return out;
  }

  /** Restarts every stored actor that was running when the process last stopped or died. */
  async rehydrate(): Promise<number> {
    let n = 0;
    for (const status of ['running', 'restarting'] as const) {
      for (const entry of await this.registry.findBy('status', status)) {
        const reg = this.logics.get(entry.logic);
        if (reg === undefined) {
          this.logger.warn({ actor: entry.id, logic: entry.logic }, 'stored actor has no registered logic (plugin removed?); left as is');
          continue;
        }
        if (this.live.has(entry.id)) continue;
        const live = this.start(reg, entry.id, entry.account, entry.input, entry.snapshot, entry.restarts);
        this.events.emit('actor.started', { id: entry.id, logic: entry.logic, account: entry.account, restored: true });
        live.dirty = true;
        await this.flush(live);
        n++;
      }
    }
    return n;
  }

  /** Stops every actor, leaving the stored ones to be rehydrated at the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const live of this.live.values()) {
      if (live.restartTimer !== undefined) this.clock.clearTimeout(live.restartTimer);
    }
    await Promise.all([...this.live.values()].map((l) => this.flush(l).catch(() => undefined)));
    for (const live of this.live.values()) {
      live.detach();
      live.actor.stop();
    }
    this.live.clear();
  }

  private start(reg: Registered, id: string, account: string, input: Json, snapshot: Json | null, restarts: number): Live {
    const actor = createActor(reg.spec.logic, {
      id,
      clock: this.clock,
      ...(snapshot !== null ? { snapshot: snapshot as SnapshotFrom<AnyActorLogic> } : { input }),
    });
    const live: Live = {
      id,
      account,
      input,
      reg,
      actor,
      status: 'running',
      restarts,
      restartTimes: [],
      error: undefined,
      pending: this.store.tx(),
      dirty: true,
      flushQueued: false,
      chain: Promise.resolve(),
      lastGood: snapshot,
      restartTimer: undefined,
      detach: () => undefined,
    };
    const existing = this.live.get(id);
    if (existing !== undefined) live.restartTimes = existing.restartTimes;
    this.live.set(id, live);
    const sub = actor.subscribe({
      next: (s) => {
        if (live.actor !== actor) return;
        if (s.status === 'active') live.lastGood = actor.getPersistedSnapshot() as Json;
        live.dirty = true;
        this.queueFlush(live);
      },
      error: (err) => {
        if (live.actor === actor) this.onError(live, err);
      },
      complete: () => {
        if (live.actor === actor) this.onDone(live);
      },
    });
    const onSet = actor.on('faxgate.timer.set', (e) => this.onTimerRequest(live, e as unknown as TimerRequest));
    const onCancel = actor.on('faxgate.timer.cancel', (e) => {
      void this.scheduler.cancel(timerKey(live.id, (e as unknown as TimerCancel).timerId), live.pending);
    });
    live.detach = () => {
      sub.unsubscribe();
      onSet.unsubscribe();
      onCancel.unsubscribe();
    };
    actor.start();
    return live;
  }

  private onTimerRequest(live: Live, req: TimerRequest): void {
    const at = req.at ?? this.clock.now() + (req.delayMs ?? 0);
    void this.scheduler.schedule(
      { id: timerKey(live.id, req.timerId), kind: TIMER_KIND, account: live.account, at, payload: { actor: live.id, event: req.event } },
      live.pending,
    );
    live.dirty = true;
    this.queueFlush(live);
  }

  /** A durable timer for an actor fell due: deliver its event, store the result with the timer's deletion. */
  private async onTimer(timer: TimerRecord, tx: Tx): Promise<void> {
    const payload = timer.payload as { actor: string; event: { type: string } };
    const live = this.live.get(payload.actor);
    if (live === undefined || live.status !== 'running') {
      const entry = await this.registry.get(payload.actor);
      if (entry === undefined || entry.status === 'done' || entry.status === 'failed') return; // nothing left to wake: drop it
      throw new FaxgateError('ACTOR_NOT_READY', 'the timer\'s actor is not running yet', { details: { actor: payload.actor } });
    }
    live.actor.send(payload.event as EventFromLogic<AnyActorLogic>);
    if (live.status !== 'running') {
      // The event made the actor throw: keep the timer, so the restarted actor gets it again
      // (until its restart intensity runs out and it is marked failed).
      throw new FaxgateError('ACTOR_THREW', 'the actor threw on its timer event', { details: { actor: live.id } });
    }
    live.pending.merge(tx);
    live.dirty = true;
    await this.flush(live);
  }

  private queueFlush(live: Live): void {
    if (live.flushQueued) return;
    live.flushQueued = true;
    queueMicrotask(() => {
      live.flushQueued = false;
      void this.flush(live).catch((err) => this.logger.error({ actor: live.id, err: errorMessage(err) }, 'storing an actor snapshot failed'));
    });
  }

  /** Writes the latest state after any write already in progress. */
  private flush(live: Live): Promise<void> {
    live.chain = live.chain.then(
      () => this.write(live),
      () => this.write(live),
    );
    return live.chain;
  }

  private async write(live: Live): Promise<void> {
    if (!live.dirty && live.pending.size === 0) return;
    live.dirty = false;
    const tx = this.store.tx().merge(live.pending);
    const persist = live.reg.spec.persist ?? live.reg.spec.restart !== 'temporary';
    const snap = live.actor.getSnapshot() as { status: string };
    const snapshot = live.status === 'running' && snap.status === 'active' && persist ? (live.actor.getPersistedSnapshot() as Json) : live.status === 'done' ? null : live.lastGood;
    const entry: ActorEntry = {
      id: live.id,
      logic: live.reg.key,
      account: live.account,
      status: live.status,
      input: live.input,
      snapshot: persist ? snapshot : null,
      restarts: live.restarts,
      ...(live.error !== undefined ? { error: live.error } : {}),
      updatedAt: this.clock.now(),
    };
    if (persist || live.status !== 'running') tx.put(this.registry, entry);
    const rec = live.reg.spec.record;
    if (rec !== undefined && snap.status !== 'error') {
      const value = rec.project(live.actor.getSnapshot(), { id: live.id, account: live.account, status: live.status });
      if (value !== undefined) {
        tx.put(this.store.namespace(live.reg.namespace).forAccount(live.account).collection(rec.collection), value);
      }
    }
    await tx.commit();
  }

  private onError(live: Live, err: unknown): void {
    const message = errorMessage(err);
    const spec = live.reg.spec;
    const now = this.clock.now();
    const within = spec.withinMs ?? 60_000;
    live.restartTimes = [...live.restartTimes.filter((t) => now - t < within), now];
    live.error = message;
    if (spec.restart === 'temporary' || live.restartTimes.length > (spec.maxRestarts ?? 5) || this.stopping) {
      live.status = 'failed';
      this.logger.error({ actor: live.id, logic: live.reg.key, err: message }, 'actor failed');
      this.events.emit('actor.failed', { id: live.id, logic: live.reg.key, account: live.account, error: message });
      live.dirty = true;
      void this.flush(live).finally(() => {
        live.detach();
        if (this.live.get(live.id) === live) this.live.delete(live.id);
      });
      return;
    }
    live.status = 'restarting';
    live.restarts++;
    const delay = Math.min((spec.backoffMs ?? 100) * 2 ** (live.restartTimes.length - 1), spec.maxBackoffMs ?? 30_000);
    this.logger.warn({ actor: live.id, logic: live.reg.key, err: message, restartInMs: delay }, 'actor threw; restarting');
    live.dirty = true;
    void this.flush(live);
    live.restartTimer = this.clock.setTimeout(() => {
      live.restartTimer = undefined;
      if (this.stopping) return;
      void live.chain.then(() => {
        live.detach();
        const next = this.start(live.reg, live.id, live.account, live.input, live.lastGood, live.restarts);
        this.events.emit('actor.restarted', { id: live.id, logic: live.reg.key, account: live.account, restarts: live.restarts, error: message });
        return this.flush(next);
      });
    }, delay);
  }

  private onDone(live: Live): void {
    if (live.status !== 'running') return;
    live.status = 'done';
    this.events.emit('actor.done', { id: live.id, logic: live.reg.key, account: live.account });
    live.dirty = true;
    void this.flush(live).finally(() => {
      live.detach();
      if (this.live.get(live.id) === live) this.live.delete(live.id);
      if (live.reg.spec.restart === 'permanent' && !this.stopping) {
        const next = this.start(live.reg, live.id, live.account, live.input, null, live.restarts + 1);
        void this.flush(next);
      }
    });
  }
}

function timerKey(actorId: string, timerId: string): string {
  return `${actorId}#${timerId}`;
}
