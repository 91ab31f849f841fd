import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { KvBackend } from '../../../core/store/backend.ts';
import { LevelBackend } from '../../../core/store/level-backend.ts';
import { MemoryBackend } from '../../../core/store/memory-backend.ts';
import { Store, defineCollection, padNumber } from '../../../core/store/store.ts';

interface Fax {
  id: string;
  status: string;
  to: string;
  createdAt: number;
}
const faxes = defineCollection<Fax>({
  name: 'faxes',
  id: (f) => f.id,
  indexes: { status: (f) => f.status, created: (f) => padNumber(f.createdAt) },
});

const backends: [string, () => Promise<KvBackend>][] = [
  ['memory', async () => new MemoryBackend()],
  ['level', async () => LevelBackend.open(join(mkdtempSync(join(tmpdir(), 'fg-store-')), 'db'))],
];

for (const [name, open] of backends) {
  describe(`store over ${name}`, () => {
    test('accounts are isolated: the same id in two accounts is two records', async () => {
      const store = new Store(await open());
      const ns = store.namespace('plugin:x');
      const a = ns.forAccount('acme').collection(faxes);
      const b = ns.forAccount('globex').collection(faxes);
      await a.put({ id: 'f1', status: 'ready', to: '+8131', createdAt: 1 });
      assert.equal(await b.get('f1'), undefined);
      assert.deepEqual((await a.list()).map((f) => f.to), ['+8131']);
      assert.deepEqual(await b.list(), []);
      // Another namespace does not see it either.
      assert.equal(await store.namespace('plugin:y').forAccount('acme').collection(faxes).get('f1'), undefined);
      await store.close();
    });

    test('secondary indexes follow updates and deletes', async () => {
      const store = new Store(await open());
      const c = store.namespace('n').forAccount('acme').collection(faxes);
      for (let i = 0; i < 5; i++) await c.put({ id: `f${i}`, status: i % 2 === 0 ? 'ready' : 'sending', to: `${i}`, createdAt: 1000 - i });
      assert.deepEqual((await c.findBy('status', 'ready')).map((f) => f.id), ['f0', 'f2', 'f4']);
      await c.put({ id: 'f0', status: 'completed', to: '0', createdAt: 1000 });
      await c.delete('f2');
      assert.deepEqual((await c.findBy('status', 'ready')).map((f) => f.id), ['f4']);
      assert.deepEqual((await c.findBy('status', 'completed')).map((f) => f.id), ['f0']);
      // A range over a padded number index comes back in time order.
      assert.deepEqual((await c.findBy('created', { gte: padNumber(996), lt: padNumber(1000) })).map((f) => f.id), ['f4', 'f3', 'f1']);
      assert.deepEqual((await c.findBy('created', {}, { reverse: true, limit: 2 })).map((f) => f.id), ['f0', 'f1']);
      await store.close();
    });

    test('a transaction across collections lands as one batch; paging by id', async () => {
      const store = new Store(await open());
      const c1 = store.namespace('n').forAccount('acme').collection(faxes);
      const c2 = store.namespace('m').forAccount('acme').collection(faxes);
      const tx = store.tx();
      tx.put(c1, { id: 'x', status: 'ready', to: '1', createdAt: 1 }).put(c2, { id: 'y', status: 'ready', to: '2', createdAt: 2 });
      assert.equal(await c1.get('x'), undefined, 'nothing is visible before commit');
      await tx.commit();
      assert.equal((await c1.get('x'))?.to, '1');
      assert.equal((await c2.get('y'))?.to, '2');
      for (const id of ['a', 'b', 'c', 'd']) await c1.put({ id, status: 's', to: id, createdAt: 0 });
      assert.deepEqual((await c1.list({ limit: 2 })).map((f) => f.id), ['a', 'b']);
      assert.deepEqual((await c1.list({ after: 'b', limit: 2 })).map((f) => f.id), ['c', 'd']);
      await assert.rejects(tx.commit(), /committed twice/);
      await store.close();
    });

    test('ids that would break the key layout are refused', async () => {
      const store = new Store(await open());
      const c = store.namespace('n').forAccount('acme').collection(faxes);
      await assert.rejects(c.put({ id: 'a\u0000b', status: 's', to: '', createdAt: 0 }), /STORE_BAD_KEY|invalid id/);
      assert.throws(() => store.namespace('n').forAccount(''), /invalid account/);
      await store.close();
    });
  });
}
