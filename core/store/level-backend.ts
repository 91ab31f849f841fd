import { ClassicLevel } from 'classic-level';
import { FaxgateError } from '../errors.ts';
import type { BatchOp, Json, KvBackend, Range } from './backend.ts';

/** The embedded default: LevelDB through classic-level, JSON values, atomic batches. */
export class LevelBackend implements KvBackend {
  private readonly db: ClassicLevel<string, Json>;

  private constructor(db: ClassicLevel<string, Json>) {
    this.db = db;
  }

  static async open(location: string): Promise<LevelBackend> {
    const db = new ClassicLevel<string, Json>(location, { valueEncoding: 'json' });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      if (/lock/i.test(cause)) {
        throw new FaxgateError('STORE_LOCKED', 'the data directory is in use by another faxgate process', { details: { location }, ja: 'データディレクトリは別の faxgate プロセスが使用中です' });
      }
      throw new FaxgateError('STORE_OPEN_FAILED', `cannot open the store: ${cause}`, { details: { location } });
    }
    return new LevelBackend(db);
  }

  async get(key: string): Promise<Json | undefined> {
    const v = await this.db.get(key);
    return v === null ? undefined : v;
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    if (ops.length === 0) return;
    await this.db.batch(ops.map((op) => (op.type === 'put' ? { type: 'put' as const, key: op.key, value: op.value } : { type: 'del' as const, key: op.key })));
  }

  async *entries(range: Range): AsyncIterable<[string, Json]> {
    const options: { gte?: string; lt?: string; reverse?: boolean; limit?: number } = {};
    if (range.gte !== undefined) options.gte = range.gte;
    if (range.lt !== undefined) options.lt = range.lt;
    if (range.reverse !== undefined) options.reverse = range.reverse;
    if (range.limit !== undefined) options.limit = range.limit;
    for await (const [k, v] of this.db.iterator(options)) yield [k, v];
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
