import { FaxgateError } from '../errors.ts';
import type { BatchOp, Json, KvBackend } from './backend.ts';

/**
 * Repositories over the key-value backend.
 *
 * Keys: `<namespace>\0<collection>\0<account>\0d\0<id>` for records and
 * `<namespace>\0<collection>\0<account>\0i\0<index>\0<value>\0<id>` for index entries, so a
 * namespace (one plugin) and an account each own a contiguous key range. Code reaches
 * records only through a Scope bound to one namespace and one account: accounts are isolated
 * by construction, not by filtering. The runtime's own bookkeeping (actor registry, timers)
 * lives in system collections whose records still name their account.
 */
const SEP = '\u0000';
/** Sorts after every character a key segment may hold (UTF-8 byte order, as LevelDB compares). */
const END = '\u{10FFFF}';
export const SYSTEM_ACCOUNT = '_system';

export interface CollectionDef<T> {
  readonly name: string;
  readonly id: (value: T) => string;
  /** Secondary indexes: index name -> the value(s) a record is found by. */
  readonly indexes?: Readonly<Record<string, (value: T) => string | readonly string[] | undefined>>;
}

export function defineCollection<T>(def: CollectionDef<T>): CollectionDef<T> {
  return def;
}

function checkSegment(what: string, s: string): void {
  if (s.length === 0 || s.includes(SEP) || s.includes(END)) {
    throw new FaxgateError('STORE_BAD_KEY', `invalid ${what} for a store key`, { details: { [what]: JSON.stringify(s) } });
  }
}

function collectionPrefix(ns: string, coll: string, account: string): string {
  return `${ns}${SEP}${coll}${SEP}${account}${SEP}`;
}

/** Index values are ordered strings: numbers should be zero-padded by the index function. */
export function padNumber(n: number, width = 16): string {
  return Math.max(0, Math.floor(n)).toString().padStart(width, '0');
}

interface PendingPut {
  readonly kind: 'put';
  readonly prefix: string;
  readonly def: CollectionDef<unknown>;
  readonly value: unknown;
}
interface PendingDel {
  readonly kind: 'del';
  readonly prefix: string;
  readonly def: CollectionDef<unknown>;
  readonly id: string;
}

/** Writes gathered across collections and namespaces, committed as one atomic batch. */
export class Tx {
  private readonly ops: (PendingPut | PendingDel)[] = [];
  private readonly hooks: (() => void)[] = [];
  private committed = false;

  constructor(private readonly store: Store) {}

  put<T>(collection: Collection<T>, value: T): this {
    checkSegment('id', collection.def.id(value));
    this.ops.push({ kind: 'put', prefix: collection.prefix, def: collection.def as CollectionDef<unknown>, value });
    return this;
  }

  delete<T>(collection: Collection<T>, id: string): this {
    this.ops.push({ kind: 'del', prefix: collection.prefix, def: collection.def as CollectionDef<unknown>, id });
    return this;
  }

  /** Runs after the batch has landed (e.g. arming an in-memory timer for a stored one). */
  onCommit(hook: () => void): this {
    this.hooks.push(hook);
    return this;
  }

  /** Moves another transaction's writes and hooks into this one (e.g. a timer's deletion into an actor's snapshot write). */
  merge(other: Tx): this {
    this.ops.push(...other.ops);
    this.hooks.push(...other.hooks);
    other.ops.length = 0;
    other.hooks.length = 0;
    return this;
  }

  get size(): number {
    return this.ops.length;
  }

  async commit(): Promise<void> {
    if (this.committed) throw new FaxgateError('STORE_TX_REUSED', 'a transaction was committed twice');
    this.committed = true;
    if (this.ops.length > 0) await this.store.apply(this.ops);
    for (const hook of this.hooks) hook();
  }
}

export class Collection<T> {
  constructor(
    private readonly store: Store,
    readonly def: CollectionDef<T>,
    /** `<ns>\0<collection>\0<account>\0` */
    readonly prefix: string,
  ) {}

  async get(id: string): Promise<T | undefined> {
    checkSegment('id', id);
    return (await this.store.backend.get(`${this.prefix}d${SEP}${id}`)) as T | undefined;
  }

  async put(value: T): Promise<void> {
    await this.store.tx().put(this, value).commit();
  }

  async delete(id: string): Promise<void> {
    await this.store.tx().delete(this, id).commit();
  }

  /** Records in id order, `after` an id for paging. */
  async list(options: { limit?: number; after?: string; reverse?: boolean } = {}): Promise<T[]> {
    const base = `${this.prefix}d${SEP}`;
    const out: T[] = [];
    const range = options.reverse
      ? { gte: base, lt: options.after !== undefined ? base + options.after : base + END, reverse: true }
      : { gte: options.after !== undefined ? `${base}${options.after}${SEP}` : base, lt: base + END };
    for await (const [, v] of this.store.backend.entries({ ...range, ...(options.limit !== undefined ? { limit: options.limit } : {}) })) {
      out.push(v as T);
    }
    return out;
  }

  /** Records whose index `index` has exactly `value`, or a range of values. */
  async findBy(index: string, query: string | { gte?: string; lt?: string }, options: { limit?: number; reverse?: boolean } = {}): Promise<T[]> {
    if (this.def.indexes?.[index] === undefined) {
      throw new FaxgateError('STORE_NO_INDEX', 'no such index', { details: { collection: this.def.name, index } });
    }
    const base = `${this.prefix}i${SEP}${index}${SEP}`;
    const range =
      typeof query === 'string'
        ? { gte: `${base}${query}${SEP}`, lt: `${base}${query}${SEP}${END}` }
        : { gte: base + (query.gte ?? ''), lt: query.lt !== undefined ? base + query.lt : base + END };
    const ids: string[] = [];
    for await (const [, id] of this.store.backend.entries({ ...range, ...(options.reverse ? { reverse: true } : {}), ...(options.limit !== undefined ? { limit: options.limit } : {}) })) {
      ids.push(id as string);
    }
    const out: T[] = [];
    for (const id of ids) {
      const v = await this.get(id);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
}

/** A view of the store bound to one namespace and one account. */
export class Scope {
  constructor(
    private readonly store: Store,
    readonly namespace: string,
    readonly account: string,
  ) {}

  collection<T>(def: CollectionDef<T>): Collection<T> {
    checkSegment('collection', def.name);
    return new Collection(this.store, def, collectionPrefix(this.namespace, def.name, this.account));
  }

  tx(): Tx {
    return this.store.tx();
  }
}

/** A plugin's slice of the store: one namespace, one Scope per account. */
export class Namespace {
  constructor(
    private readonly store: Store,
    readonly name: string,
  ) {}

  forAccount(account: string): Scope {
    checkSegment('account', account);
    return new Scope(this.store, this.name, account);
  }

  tx(): Tx {
    return this.store.tx();
  }
}

export class Store {
  private lock: Promise<void> = Promise.resolve();

  constructor(readonly backend: KvBackend) {}

  namespace(name: string): Namespace {
    checkSegment('namespace', name);
    return new Namespace(this, name);
  }

  tx(): Tx {
    return new Tx(this);
  }

  /** Every record of a collection across accounts: for the runtime's own recovery scans only. */
  async *scanAllAccounts<T>(namespace: string, def: CollectionDef<T>): AsyncIterable<{ account: string; value: T }> {
    const base = `${namespace}${SEP}${def.name}${SEP}`;
    for await (const [key, value] of this.backend.entries({ gte: base, lt: base + END })) {
      const rest = key.slice(base.length).split(SEP);
      if (rest[1] === 'd' && rest[0] !== undefined) yield { account: rest[0], value: value as T };
    }
  }

  /**
   * Applies a transaction's writes as one batch. Commits are serialized so that an index
   * update reads the record's previous value without another commit racing it.
   */
  apply(ops: readonly (PendingPut | PendingDel)[]): Promise<void> {
    const run = async (): Promise<void> => {
      const batch: BatchOp[] = [];
      // A record written twice in one transaction: only its last state counts for indexes.
      const latest = new Map<string, PendingPut | PendingDel>();
      for (const op of ops) latest.set(`${op.prefix}${op.kind === 'put' ? op.def.id(op.value) : op.id}`, op);
      for (const op of latest.values()) {
        const id = op.kind === 'put' ? op.def.id(op.value) : op.id;
        const dataKey = `${op.prefix}d${SEP}${id}`;
        if (op.def.indexes !== undefined) {
          const old = await this.backend.get(dataKey);
          if (old !== undefined) {
            for (const key of indexKeys(op.prefix, op.def, old, id)) batch.push({ type: 'del', key });
          }
          if (op.kind === 'put') {
            for (const key of indexKeys(op.prefix, op.def, op.value, id)) batch.push({ type: 'put', key, value: id });
          }
        }
        batch.push(op.kind === 'put' ? { type: 'put', key: dataKey, value: op.value as Json } : { type: 'del', key: dataKey });
      }
      // Deletes of stale index keys may equal a new put's key; keep the put by ordering.
      const ordered = [...batch.filter((b) => b.type === 'del'), ...batch.filter((b) => b.type === 'put')];
      await this.backend.batch(ordered);
    };
    const next = this.lock.then(run, run);
    this.lock = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.lock;
    await this.backend.close();
  }
}

function indexKeys(prefix: string, def: CollectionDef<unknown>, value: unknown, id: string): string[] {
  const keys: string[] = [];
  for (const [name, fn] of Object.entries(def.indexes ?? {})) {
    const v = fn(value);
    const values = v === undefined ? [] : typeof v === 'string' ? [v] : v;
    for (const iv of values) {
      if (iv.includes(SEP) || iv.includes(END)) continue;
      keys.push(`${prefix}i${SEP}${name}${SEP}${iv}${SEP}${id}`);
    }
  }
  return keys;
}
