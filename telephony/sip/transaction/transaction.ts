/**
 * What every transaction shares: the context it runs in (clock, timers, the send function
 * bound to its peer and transport) and named timers that are cancelled on termination.
 */
import type { Clock, TimerId } from '../../../core/clock.ts';
import type { SipTimers } from './timers.ts';

export interface TransactionContext {
  readonly clock: Clock;
  readonly timers: SipTimers;
  readonly reliable: boolean;
  /** Sends bytes to the transaction's peer on its transport. */
  send(data: Uint8Array): void;
  /** Called once when the transaction reaches Terminated, so the layer forgets it. */
  terminated(): void;
}

export abstract class Transaction<State extends string> {
  private readonly running = new Map<string, TimerId>();
  protected constructor(
    readonly key: string,
    protected readonly ctx: TransactionContext,
    private current: State,
  ) {}

  get state(): State {
    return this.current;
  }

  protected transition(to: State): void {
    this.current = to;
    if (to === 'Terminated') {
      for (const id of this.running.values()) this.ctx.clock.clearTimeout(id);
      this.running.clear();
      this.ctx.terminated();
    }
  }

  /** Ends the transaction at once, silently (the endpoint is shutting down). */
  abort(): void {
    if (this.current !== 'Terminated') this.transition('Terminated' as State);
  }

  /** (Re)starts the timer named as in the RFC ('A', 'B', ...). */
  protected startTimer(name: string, ms: number, fire: () => void): void {
    this.stopTimer(name);
    this.running.set(name, this.ctx.clock.setTimeout(() => {
      this.running.delete(name);
      fire();
    }, ms));
  }

  protected stopTimer(name: string): void {
    const id = this.running.get(name);
    if (id !== undefined) this.ctx.clock.clearTimeout(id);
    this.running.delete(name);
  }
}
