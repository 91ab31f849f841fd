/**
 * Per-trunk admission: at most `maxChannels` calls at once (both directions share the
 * channels the carrier sold), and at most `callsPerSecond` new outbound calls (carriers
 * answer 503 or block a trunk that bursts above its contracted rate).
 *
 *   outbound  acquire()          channel and token free -> a lease at once;
 *                                otherwise wait in a FIFO queue (at most queue.size
 *                                attempts, each at most queue.waitMs) -> a lease, or
 *                                `congestion` (queue full or waited too long)
 *   inbound   tryAcquireInbound() a channel free -> a lease; otherwise refuse with 503
 *                                (the carrier retries or routes elsewhere; no queueing:
 *                                the caller is already ringing)
 *
 * Calls per second is a token bucket: `callsPerSecond` tokens per second, holding at most
 * max(1, callsPerSecond) (a second's worth of burst). Queued attempts are served in order
 * as channels are released and tokens refill; nothing is lost: every acquire() settles,
 * with a lease or a refusal, and close() refuses whoever still waits.
 */
import type { Clock, TimerId } from '../../core/clock.ts';
import type { Trunk } from './schema.ts';

export interface ChannelGateOptions {
  readonly maxChannels: number;
  readonly callsPerSecond: number;
  readonly queueSize: number;
  readonly queueWaitMs: number;
}

export interface ChannelLease {
  readonly direction: 'inbound' | 'outbound';
  /** Frees the channel; calling it again does nothing. */
  release(): void;
}

export type GateRefusalReason = 'channels-full' | 'queue-full' | 'queue-timeout' | 'closed';

export interface GateRefusal {
  readonly ok: false;
  readonly result: 'congestion';
  readonly reason: GateRefusalReason;
  /** What the SIP layer answers an inbound call with. */
  readonly sipStatus: 503;
}

export type GateResult = { readonly ok: true; readonly lease: ChannelLease } | GateRefusal;

interface Waiter {
  readonly settle: (r: GateResult) => void;
  readonly timer: TimerId;
  readonly queuedAt: number;
}

export interface ChannelGateStats {
  readonly inUse: number;
  readonly queued: number;
  readonly granted: number;
  readonly refused: number;
  /** Longest time an outbound attempt waited in the queue, ms. */
  readonly maxWaitMs: number;
}

/**
 * One gate per trunk, by name. A trunk's channels count both directions, so inbound calls and
 * outbound attempts in one process must share these.
 */
export function gatesForTrunks(clock: Clock, trunks: readonly Trunk[]): Map<string, ChannelGate> {
  return new Map(trunks.map((t) => [t.name, new ChannelGate(clock, { maxChannels: t.maxChannels, callsPerSecond: t.callsPerSecond, queueSize: t.queue.size, queueWaitMs: t.queue.waitMs })]));
}

export class ChannelGate {
  private inUse = 0;
  private tokens: number;
  private refilledAt: number;
  private readonly capacity: number;
  private readonly queue: Waiter[] = [];
  private tokenTimer: TimerId | undefined;
  private closed = false;
  private granted = 0;
  private refused = 0;
  private maxWaitMs = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: ChannelGateOptions,
  ) {
    if (!(options.maxChannels >= 1) || !(options.callsPerSecond > 0)) throw new RangeError('maxChannels must be >= 1 and callsPerSecond > 0');
    this.capacity = Math.max(1, options.callsPerSecond);
    this.tokens = this.capacity;
    this.refilledAt = clock.now();
  }

  get stats(): ChannelGateStats {
    return { inUse: this.inUse, queued: this.queue.length, granted: this.granted, refused: this.refused, maxWaitMs: this.maxWaitMs };
  }

  /** An outbound call attempt: resolves with a lease, or a congestion refusal. */
  acquire(): Promise<GateResult> {
    if (this.closed) return Promise.resolve(this.refuse('closed'));
    // FIFO: a newcomer never overtakes an attempt already waiting.
    if (this.queue.length === 0 && this.inUse < this.options.maxChannels && this.takeToken()) {
      return Promise.resolve(this.grant('outbound'));
    }
    if (this.queue.length >= this.options.queueSize) return Promise.resolve(this.refuse('queue-full'));
    return new Promise<GateResult>((resolve) => {
      const waiter: Waiter = {
        settle: resolve,
        queuedAt: this.clock.now(),
        timer: this.clock.setTimeout(() => {
          const i = this.queue.indexOf(waiter);
          if (i < 0) return;
          this.queue.splice(i, 1);
          resolve(this.refuse('queue-timeout'));
        }, this.options.queueWaitMs),
      };
      this.queue.push(waiter);
      this.armTokenTimer();
    });
  }

  /** An inbound call: a lease now, or a refusal the SIP layer answers with 503. */
  tryAcquireInbound(): GateResult {
    if (this.closed) return this.refuse('closed');
    if (this.inUse >= this.options.maxChannels) return this.refuse('channels-full');
    return this.grant('inbound');
  }

  /** Refuses everything waiting and every later attempt (the trunk is removed or faxgate stops). */
  close(): void {
    this.closed = true;
    if (this.tokenTimer !== undefined) this.clock.clearTimeout(this.tokenTimer);
    this.tokenTimer = undefined;
    for (const w of this.queue.splice(0)) {
      this.clock.clearTimeout(w.timer);
      w.settle(this.refuse('closed'));
    }
  }

  private grant(direction: 'inbound' | 'outbound'): GateResult {
    this.inUse++;
    this.granted++;
    let released = false;
    return {
      ok: true,
      lease: {
        direction,
        release: () => {
          if (released) return;
          released = true;
          this.inUse--;
          this.serveQueue();
        },
      },
    };
  }

  private refuse(reason: GateRefusalReason): GateRefusal {
    this.refused++;
    return { ok: false, result: 'congestion', reason, sipStatus: 503 };
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.options.callsPerSecond);
    this.refilledAt = now;
  }

  private takeToken(): boolean {
    this.refill();
    // A hair under 1 still counts: float refill of 1/cps seconds can land at 0.9999999.
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens = Math.max(0, this.tokens - 1);
    return true;
  }

  private serveQueue(): void {
    if (this.closed) return;
    while (this.queue.length > 0 && this.inUse < this.options.maxChannels && this.takeToken()) {
      const w = this.queue.shift() as Waiter;
      this.clock.clearTimeout(w.timer);
      this.maxWaitMs = Math.max(this.maxWaitMs, this.clock.now() - w.queuedAt);
      w.settle(this.grant('outbound'));
    }
    this.armTokenTimer();
  }

  /** When the queue head waits only for a token, wake up when the next one is due. */
  private armTokenTimer(): void {
    if (this.tokenTimer !== undefined || this.closed) return;
    if (this.queue.length === 0 || this.inUse >= this.options.maxChannels) return;
    this.refill();
    const wait = Math.max(0, Math.ceil(((1 - this.tokens) / this.options.callsPerSecond) * 1000));
    this.tokenTimer = this.clock.setTimeout(() => {
      this.tokenTimer = undefined;
      this.serveQueue();
    }, wait);
  }
}
