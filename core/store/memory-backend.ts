import type { BatchOp, Json, KvBackend, Range } from './backend.ts';

/** An in-memory backend for unit tests; values are deep-copied so callers cannot alias them. */
export class MemoryBackend implements KvBackend {
  private readonly map = new Map<string, string>();

  async get(key: string): Promise<Json | undefined> {
    const v = this.map.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as Json);
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put') this.map.set(op.key, JSON.stringify(op.value));
      else this.map.delete(op.key);
    }
  }

  async *entries(range: Range): AsyncIterable<[string, Json]> {
    const keys = [...this.map.keys()]
      .filter((k) => (range.gte === undefined || utf8Compare(k, range.gte) >= 0) && (range.lt === undefined || utf8Compare(k, range.lt) < 0))
      .sort(utf8Compare);
    if (range.reverse) keys.reverse();
    let n = 0;
    for (const key of keys) {
      if (range.limit !== undefined && n++ >= range.limit) return;
      const v = this.map.get(key);
      if (v !== undefined) yield [key, JSON.parse(v) as Json];
    }
  }

  async close(): Promise<void> {}
}

/** LevelDB orders keys by their UTF-8 bytes, which differs from JS string order above U+D7FF. */
function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
