import { FaxgateError } from '../errors.ts';

/** A named set of things plugins contribute (renderers by media type, trunks by name). */
export class Registry<T> {
  private readonly items = new Map<string, { owner: string; item: T }>();

  constructor(readonly name: string) {}

  add(key: string, item: T, owner: string): void {
    const existing = this.items.get(key);
    if (existing !== undefined) {
      throw new FaxgateError('REGISTRY_CONFLICT', `'${key}' is already registered in ${this.name}`, { details: { by: existing.owner, now: owner } });
    }
    this.items.set(key, { owner, item });
  }

  get(key: string): T | undefined {
    return this.items.get(key)?.item;
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  entries(): [string, T][] {
    return [...this.items].map(([k, v]) => [k, v.item]);
  }
}
