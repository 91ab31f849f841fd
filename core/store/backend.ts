/**
 * The lowest storage layer: an ordered key-value store with atomic batches. Everything
 * above (repositories, indexes, actor snapshots, timers) is written against this interface,
 * so another engine can fill it: classic-level (embedded default), memory (tests), and
 * later PostgreSQL for cluster mode (a table of (key, value) with range scans, or native
 * tables behind the repository interface).
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

export type BatchOp = { readonly type: 'put'; readonly key: string; readonly value: Json } | { readonly type: 'del'; readonly key: string };

export interface Range {
  readonly gte?: string;
  readonly lt?: string;
  readonly reverse?: boolean;
  readonly limit?: number;
}

export interface KvBackend {
  get(key: string): Promise<Json | undefined>;
  /** All ops land or none do. */
  batch(ops: readonly BatchOp[]): Promise<void>;
  entries(range: Range): AsyncIterable<[string, Json]>;
  close(): Promise<void>;
}
