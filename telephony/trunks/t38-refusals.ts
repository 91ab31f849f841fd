/**
 * Remembering that a destination refused T.38 (488 Not Acceptable Here or 606 Not
 * Acceptable to the offer), so the next attempt does not repeat what failed. Operators do
 * this by hand in the field ("turn T.38 off for that number after a failed try", see
 * FIELD-NOTES); here it is a record per (trunk, destination) that expires.
 *
 *   trunk policy        refused how                 next attempt
 *   offer-in-invite     488/606 to the INVITE       audio-then-reinvite
 *   audio-then-reinvite 488/606 to our re-INVITE    give up: result t38-refused (no
 *   wait-for-reinvite   (the far end never asked)   G.711 modem yet; a later plugin can
 *                                                   take the call in audio instead)
 *
 * The store is an interface with async methods so the core store can hold the records
 * later (surviving restarts, shared in a cluster); the in-memory one is for one process.
 */
import type { Clock } from '../../core/clock.ts';
import type { T38Policy } from './schema.ts';

export interface T38RefusalRecord {
  /** Destination E.164. */
  readonly destination: string;
  readonly trunk: string;
  /** What was refused: the T.38 offer in the initial INVITE, or a re-INVITE to T.38. */
  readonly refused: 'initial-offer' | 'reinvite';
  readonly sipStatus: number;
  /** Clock ms. */
  readonly at: number;
  readonly expiresAt: number;
}

export interface T38RefusalStore {
  get(trunk: string, destination: string): Promise<T38RefusalRecord | undefined>;
  put(record: T38RefusalRecord): Promise<void>;
  delete(trunk: string, destination: string): Promise<void>;
}

/** In-process records with expiry checked on read; bounded (oldest dropped first). */
export class MemoryT38RefusalStore implements T38RefusalStore {
  private readonly records = new Map<string, T38RefusalRecord>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 100_000,
  ) {}

  async get(trunk: string, destination: string): Promise<T38RefusalRecord | undefined> {
    const key = `${trunk}\0${destination}`;
    const r = this.records.get(key);
    if (r === undefined) return undefined;
    if (r.expiresAt <= this.clock.now()) {
      this.records.delete(key);
      return undefined;
    }
    return r;
  }

  async put(record: T38RefusalRecord): Promise<void> {
    const key = `${record.trunk}\0${record.destination}`;
    this.records.delete(key); // re-insert: Map order is age order
    this.records.set(key, record);
    while (this.records.size > this.maxEntries) {
      const oldest = this.records.keys().next().value;
      if (oldest === undefined) break;
      this.records.delete(oldest);
    }
  }

  async delete(trunk: string, destination: string): Promise<void> {
    this.records.delete(`${trunk}\0${destination}`);
  }

  get size(): number {
    return this.records.size;
  }
}

export type T38Plan =
  | { readonly action: 'call'; readonly policy: T38Policy; readonly remembered: T38RefusalRecord | undefined }
  /** T.38 is known not to work to this destination on this trunk: end with t38-refused. */
  | { readonly action: 'give-up'; readonly result: 't38-refused'; readonly remembered: T38RefusalRecord };

/** Default memory: a day (a carrier's route can change; a fax machine rarely does). */
export const DEFAULT_T38_REFUSAL_TTL_MS = 24 * 3600 * 1000;

export class T38RefusalMemory {
  constructor(
    private readonly clock: Clock,
    private readonly store: T38RefusalStore,
    private readonly ttlMs = DEFAULT_T38_REFUSAL_TTL_MS,
  ) {}

  /** Records a 488/606 to a T.38 offer; other statuses are not T.38 refusals and are ignored. */
  async recordRefusal(trunk: string, destination: string, refused: T38RefusalRecord['refused'], sipStatus: number): Promise<boolean> {
    if (sipStatus !== 488 && sipStatus !== 606) return false;
    const at = this.clock.now();
    await this.store.put({ trunk, destination, refused, sipStatus, at, expiresAt: at + this.ttlMs });
    return true;
  }

  /** A fax went through with T.38: whatever was remembered no longer holds. */
  async recordSuccess(trunk: string, destination: string): Promise<void> {
    await this.store.delete(trunk, destination);
  }

  /** The policy for the next attempt to `destination` on a trunk configured with `policy`. */
  async plan(trunk: string, destination: string, policy: T38Policy): Promise<T38Plan> {
    const remembered = await this.store.get(trunk, destination);
    if (remembered === undefined || policy === 'never') return { action: 'call', policy, remembered };
    if (remembered.refused === 'initial-offer' && policy === 'offer-in-invite') return { action: 'call', policy: 'audio-then-reinvite', remembered };
    if (remembered.refused === 'reinvite') return { action: 'give-up', result: 't38-refused', remembered };
    return { action: 'call', policy, remembered };
  }
}
