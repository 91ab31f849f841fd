/**
 * A typed event emitter for calls and registrations. A throwing listener is reported to
 * `onListenerError` and never stops the other listeners or the SIP stack that emitted.
 */
export type EventMap = Record<string, readonly unknown[]>;

export class TypedEmitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Array<(...args: E[keyof E]) => void>>();
  onListenerError: (err: unknown, event: string) => void = () => undefined;

  on<K extends keyof E>(event: K, fn: (...args: E[K]) => void): this {
    const list = this.listeners.get(event) ?? [];
    list.push(fn as (...args: E[keyof E]) => void);
    this.listeners.set(event, list);
    return this;
  }

  once<K extends keyof E>(event: K, fn: (...args: E[K]) => void): this {
    const wrapper = (...args: E[K]): void => {
      this.off(event, wrapper);
      fn(...args);
    };
    return this.on(event, wrapper);
  }

  off<K extends keyof E>(event: K, fn: (...args: E[K]) => void): this {
    const list = this.listeners.get(event);
    if (list !== undefined) this.listeners.set(event, list.filter((l) => l !== fn));
    return this;
  }

  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) {
      try {
        (fn as (...a: E[K]) => void)(...args);
      } catch (err) {
        this.onListenerError(err, String(event));
      }
    }
  }
}
