/**
 * Ends calls that would otherwise hold a channel for nothing, the most reported fax failure
 * in the field: the far end stopped sending media (a gateway that crashed, a NAT binding
 * that closed, a BYE that was lost), or the fax is over (T.30 phase E) and nobody hangs up.
 *
 * The call wiring feeds it: `packetSeen()` for every RTP or UDPTL datagram (cheap: it only
 * stores the time), `phaseE()` when T.30 reaches phase E. It fires `onExpire` once, with the
 * reason, and stops. One timer at a time on the injected Clock: when it fires before the
 * media deadline really passed (packets kept coming), it re-arms for the new deadline.
 */
import type { Clock, TimerId } from '../../core/clock.ts';

export type WatchdogReason = 'media-timeout' | 'linger-after-phase-e' | 'max-duration';

export interface CallWatchdogOptions {
  readonly clock: Clock;
  /** No packet for this long ends the call (N s). */
  readonly mediaTimeoutMs: number;
  /** A call still up this long after phase E is ended (M s). */
  readonly afterPhaseEMs: number;
  /** Optional ceiling on the whole call. */
  readonly maxDurationMs?: number;
  readonly onExpire: (reason: WatchdogReason, details: { readonly idleMs: number; readonly callMs: number }) => void;
}

export class CallWatchdog {
  private readonly startedAt: number;
  private lastPacketAt: number;
  private phaseEAt: number | undefined;
  private timer: TimerId | undefined;
  private done = false;

  constructor(private readonly options: CallWatchdogOptions) {
    this.startedAt = options.clock.now();
    // Media is expected from the start: a call whose far end never sends is dead too.
    this.lastPacketAt = this.startedAt;
    this.arm();
  }

  packetSeen(): void {
    this.lastPacketAt = this.options.clock.now();
  }

  phaseE(): void {
    if (this.phaseEAt !== undefined || this.done) return;
    this.phaseEAt = this.options.clock.now();
    this.rearm();
  }

  /** The call ended normally. */
  stop(): void {
    this.done = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  get expired(): boolean {
    return this.done;
  }

  private deadlines(): { at: number; reason: WatchdogReason }[] {
    const o = this.options;
    const list: { at: number; reason: WatchdogReason }[] = [{ at: this.lastPacketAt + o.mediaTimeoutMs, reason: 'media-timeout' }];
    if (this.phaseEAt !== undefined) list.push({ at: this.phaseEAt + o.afterPhaseEMs, reason: 'linger-after-phase-e' });
    if (o.maxDurationMs !== undefined) list.push({ at: this.startedAt + o.maxDurationMs, reason: 'max-duration' });
    return list.sort((a, b) => a.at - b.at);
  }

  private rearm(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.arm();
  }

  private arm(): void {
    if (this.done) return;
    const next = this.deadlines()[0];
    if (next === undefined) return;
    this.timer = this.options.clock.setTimeout(() => this.check(), Math.max(0, next.at - this.options.clock.now()));
  }

  private check(): void {
    this.timer = undefined;
    if (this.done) return;
    const now = this.options.clock.now();
    const due = this.deadlines().find((d) => d.at <= now);
    if (due === undefined) return this.arm();
    this.done = true;
    this.options.onExpire(due.reason, { idleMs: now - this.lastPacketAt, callMs: now - this.startedAt });
  }
}
