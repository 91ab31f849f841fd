import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '../../../core/clock.ts';
import { loadConfig } from '../../../core/config/config.ts';
import { silentLogger } from '../../../core/logger.ts';
import { PluginError, startOrder, type LoadedPlugin } from '../../../core/plugins/host.ts';
import { Runtime } from '../../../core/runtime.ts';
import { MemoryBackend } from '../../../core/store/memory-backend.ts';
import { tempDir } from '../../support/serve.ts';

const entry = { module: 'inline', config: {}, baseDir: '/' };
const p = (name: string, dependsOn: string[] = []): LoadedPlugin => ({ plugin: { name, version: '1', dependsOn, setup: () => undefined }, entry });

test('start order follows dependencies, whatever the listed order', () => {
  const order = startOrder([p('rest', ['jobs', 'documents']), p('jobs', ['store-pg']), p('documents'), p('store-pg')]).map((l) => l.plugin.name);
  assert.ok(order.indexOf('store-pg') < order.indexOf('jobs'));
  assert.ok(order.indexOf('jobs') < order.indexOf('rest'));
  assert.ok(order.indexOf('documents') < order.indexOf('rest'));
  assert.equal(order.length, 4);
});

test('a missing dependency, a cycle and a duplicate name each name the plugin', () => {
  assert.throws(() => startOrder([p('rest', ['jobs'])]), /plugin 'rest' failed to start: it depends on 'jobs', which is not loaded/);
  assert.throws(() => startOrder([p('a', ['b']), p('b', ['a'])]), /dependency cycle: a -> b -> a/);
  assert.throws(() => startOrder([p('a'), p('a')]), /plugin 'a' failed to start: two plugins have this name/);
});

/** Writes plugin modules to a temp dir and starts a runtime with them, as a user's config would. */
async function startWith(plugins: Record<string, string>, order: string[]): Promise<{ runtime?: Runtime; error?: unknown; log: string[] }> {
  const dir = tempDir();
  (globalThis as { __pluginLog?: string[] }).__pluginLog = [];
  for (const [file, src] of Object.entries(plugins)) writeFileSync(join(dir, file), src);
  writeFileSync(join(dir, 'faxgate.json'), JSON.stringify({ http: { port: 0 }, builtinPlugins: false, plugins: order.map((f) => `./${f}`), pluginConfig: { fast: { retries: 3 } } }));
  const config = loadConfig({ cwd: dir, env: {} });
  const log = (globalThis as { __pluginLog?: string[] }).__pluginLog!;
  try {
    const runtime = await Runtime.start({ config, clock: new ManualClock(), logger: silentLogger, backend: new MemoryBackend(), announce: () => undefined });
    return { runtime, log };
  } catch (error) {
    return { error, log };
  }
}

const src = (name: string, deps: string[], body = '') => `
const log = globalThis.__pluginLog;
export default {
  name: ${JSON.stringify(name)}, version: '1.0.0', dependsOn: ${JSON.stringify(deps)},
  configSchema: { retries: { type: 'integer', default: 1, min: 0, max: 10 } },
  async setup(ctx) { log.push('setup ' + ctx.name + ' retries=' + ctx.config.retries); ${body} },
  async stop() { log.push('stop ${name}'); },
};`;

test('plugins from paths in the config: set up in dependency order with their config, stopped in reverse', async () => {
  const { runtime, error, log } = await startWith({ 'slow.mjs': src('slow', ['fast']), 'fast.mjs': src('fast', []) }, ['slow.mjs', 'fast.mjs']);
  assert.equal(error, undefined);
  assert.deepEqual(log, ['setup fast retries=3', 'setup slow retries=1']);
  await runtime!.stop();
  assert.deepEqual(log.slice(2), ['stop slow', 'stop fast']);
});

test('a plugin throwing in setup stops start-up naming it, and the ones started are stopped', async () => {
  const { error, log } = await startWith({ 'ok.mjs': src('ok', []), 'bad.mjs': src('bad', ['ok'], "throw new Error('no licence key');") }, ['bad.mjs', 'ok.mjs']);
  assert.ok(error instanceof PluginError);
  assert.equal((error as Error).message, "plugin 'bad' failed to start: no licence key");
  assert.deepEqual(log, ['setup ok retries=1', 'setup bad retries=1', 'stop ok']);
});

test('a module that is no plugin, or whose config is invalid, gets a clear error', async () => {
  const notPlugin = await startWith({ 'x.mjs': 'export const hello = 1;' }, ['x.mjs']);
  assert.match(String(notPlugin.error), /plugin '\.\/x\.mjs' failed to start: the module exports no plugin/);
  const missing = await startWith({}, ['gone.mjs']);
  assert.match(String(missing.error), /plugin '\.\/gone\.mjs' failed to start: cannot load module/);
  const badConfig = await startWith({ 'fast.mjs': src('fast', []) }, ['fast.mjs']);
  assert.equal(badConfig.error, undefined);
  await badConfig.runtime!.stop();
  const dir = tempDir();
  writeFileSync(join(dir, 'p.mjs'), src('p', []));
  writeFileSync(join(dir, 'faxgate.json'), JSON.stringify({ http: { port: 0 }, builtinPlugins: false, plugins: [{ module: './p.mjs', config: { retries: 99 } }] }));
  (globalThis as { __pluginLog?: string[] }).__pluginLog = [];
  await assert.rejects(
    Runtime.start({ config: loadConfig({ cwd: dir, env: {} }), logger: silentLogger, backend: new MemoryBackend(), announce: () => undefined }),
    /plugin 'p' failed to start: invalid config: retries: must be an integer from 0 to 10, got 99/,
  );
});

test('the plugin context is narrow: each plugin sees only its own store namespace', async () => {
  const coll = "{ name: 'notes', id: (n) => n.id }";
  const writer = `await ctx.store.forAccount('acme').collection(${coll}).put({ id: 'n1', text: 'secret' });`;
  const reader = `const mine = await ctx.store.forAccount('acme').collection(${coll}).get('n1'); log.push('reader sees ' + JSON.stringify(mine ?? null));`;
  const { runtime, error, log } = await startWith({ 'w.mjs': src('writer', [], writer), 'r.mjs': src('reader', ['writer'], reader) }, ['w.mjs', 'r.mjs']);
  assert.equal(error, undefined);
  assert.deepEqual(log.slice(2), ['reader sees null']);
  const direct = await runtime!.store.namespace('plugin:writer').forAccount('acme').collection<{ id: string; text: string }>({ name: 'notes', id: (n) => n.id }).get('n1');
  assert.equal(direct?.text, 'secret');
  await runtime!.stop();
});
