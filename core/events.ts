import type { Logger } from './logger.ts';

/**
 * The typed event map. Layers and plugins add their events by declaration merging:
 *
 *     declare module '../../core/events.ts' { interface FaxgateEvents { 'fax.sent': {...} } }
 *
 * Event names are flat and namespaced (`actor.failed`, `fax.call.ended`), like FreeSWITCH's.
 */
export interface FaxgateEvents {
  'actor.started': { id: string; logic: string; account: string; restored: boolean };
  'actor.restarted': { id: string; logic: string; account: string; restarts: number; error: string };
  'actor.failed': { id: string; logic: string; account: string; error: string };
  'actor.done': { id: string; logic: string; account: string };
  'timer.fired': { id: string; kind: string; account: string; late: number };
  'plugin.started': { name: string; version: string };
  'runtime.stopping': Record<string, never>;
}

export type EventName = keyof FaxgateEvents;
type Listener<K extends EventName> = (payload: FaxgateEvents[K]) => void;
export type Observer = <K extends EventName>(name: K, payload: FaxgateEvents[K]) => void;

/**
 * Synchronous, typed pub/sub. A listener that throws is logged and skipped: it never breaks
 * the emitter or the listeners after it. Monitoring reads the separate observer stream,
 * which sees every event.
 */
export class EventBus {
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();
  private readonly observers = new Set<Observer>();

  constructor(private readonly logger?: Logger) {}

  on<K extends EventName>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  observe(observer: Observer): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  emit<K extends EventName>(name: K, payload: FaxgateEvents[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as Listener<K>)(payload);
      } catch (err) {
        this.logger?.error({ err, event: name }, 'event listener threw');
      }
    }
    for (const observer of this.observers) {
      try {
        observer(name, payload);
      } catch (err) {
        this.logger?.error({ err, event: name }, 'event observer threw');
      }
    }
  }
}
