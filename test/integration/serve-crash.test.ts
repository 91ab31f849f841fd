import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { httpJson, projectRoot, serve, tempDir, waitFor, writeConfig } from '../support/serve.ts';

/**
 * Durability across a real `kill -9` of `faxgate serve`: a half-done actor and a pending
 * durable timer continue after restart, each step exactly once.
 */
interface ProbeView {
  probe: { state: string; wakes: number } | null;
  ping: { count: number } | null;
}

async function view(url: string, id: string): Promise<ProbeView> {
  return (await httpJson('GET', `${url}/probe/${id}`)).json as ProbeView;
}

test('kill -9 with a pending timer and a half-done actor: both continue after restart, exactly once', async () => {
  const dir = tempDir();
  const config = writeConfig(dir, {
    dataDir: join(dir, 'data'),
    http: { port: 0 },
    plugins: [join(projectRoot, 'test/fixtures/plugins/probe.ts')],
  });
  const first = await serve(['--config', config]);
  assert.ok(first.url, `server did not start: ${first.stderr()}`);
  assert.match(first.stderr(), /admin user 'admin', password: \S{12,}/, 'the first start shows a generated admin password');

  // a: steps of 1.5 s; b: a long timer still pending at the crash.
  assert.equal((await httpJson('POST', `${first.url}/probe/start`, { id: 'a', stepMs: 1500 })).status, 200);
  assert.equal((await httpJson('POST', `${first.url}/probe/start`, { id: 'b', stepMs: 4000 })).status, 200);
  // Wait until `a` is half done (its first timer fired, second pending) and `a`'s ping fired.
  await waitFor('probe a half done', async () => ((await view(first.url, 'a')).probe?.state === 'half' ? true : undefined));
  assert.equal((await view(first.url, 'b')).probe?.state, 'waiting');
  first.child.kill('SIGKILL');
  assert.equal(await first.exited, 'SIGKILL');

  // While it is down, b's first timer and a's second fall due: they must fire at once on restart.
  await new Promise((r) => setTimeout(r, 4500));
  const second = await serve(['--config', config]);
  assert.ok(second.url, `server did not restart: ${second.stderr()}`);
  assert.doesNotMatch(second.stderr(), /password:/, 'the admin password is shown only on the first start');
  await waitFor('probe a done', async () => ((await view(second.url, 'a')).probe?.state === 'done' ? true : undefined));
  await waitFor('probe b done', async () => ((await view(second.url, 'b')).probe?.state === 'done' ? true : undefined), 20_000);
  const a = await view(second.url, 'a');
  const b = await view(second.url, 'b');
  assert.deepEqual([a.probe?.wakes, b.probe?.wakes], [2, 2], 'each actor woke once per step');
  assert.deepEqual([a.ping?.count, b.ping?.count], [1, 1], 'each durable timer fired exactly once');

  // A second crash and restart must not fire anything again.
  second.child.kill('SIGKILL');
  await second.exited;
  const third = await serve(['--config', config]);
  await new Promise((r) => setTimeout(r, 1000));
  const a3 = await view(third.url, 'a');
  const b3 = await view(third.url, 'b');
  assert.deepEqual([a3.probe?.wakes, b3.probe?.wakes, a3.ping?.count, b3.ping?.count], [2, 2, 1, 1]);
  third.child.kill('SIGTERM');
  assert.equal(await third.exited, 0, 'SIGTERM stops the server with exit code 0');
});

test('a plugin that throws in setup: one line naming it, non-zero exit', async () => {
  const dir = tempDir();
  const config = writeConfig(dir, { dataDir: join(dir, 'data'), http: { port: 0 }, plugins: [join(projectRoot, 'test/fixtures/plugins/broken.ts')] });
  const s = await serve(['--config', config]);
  const code = await s.exited;
  assert.notEqual(code, 0);
  const lines = s.stderr().split('\n').filter((l) => l.startsWith('faxgate:') && !/first start|password/.test(l));
  assert.deepEqual(lines, ["faxgate: plugin 'broken' failed to start: database unreachable at 127.0.0.1:5999"]);
});

test('an invalid config: one line per wrong field, naming where it came from, exit 1', async () => {
  const dir = tempDir();
  const config = writeConfig(dir, { http: { port: 'eighty' }, dataDir: 42, colour: 'blue' });
  const s = await serve(['--config', config], { env: { FAXGATE_HTTP_HOST: '127.0.0.1', FAXGATE_STORE: 'paper' } });
  assert.equal(await s.exited, 1);
  const err = s.stderr();
  assert.match(err, /http\.port: must be an integer from 0 to 65535, got "eighty" \(from .*faxgate\.json\)/);
  assert.match(err, /dataDir: must be a string, got 42/);
  assert.match(err, /colour: is not a known setting/);
  assert.match(err, /store\.backend: must be one of level, memory, got "paper" \(from environment FAXGATE_STORE\)/);
});

test('npm start defaults: serves /healthz and /metrics, flags override the environment', async () => {
  const dir = tempDir();
  const s = await serve(['--http-port', '0'], { cwd: dir, env: { FAXGATE_HTTP_PORT: '1' } });
  assert.ok(s.url, s.stderr());
  const health = await httpJson('GET', `${s.url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(health.json, { status: 'ok', state: 'running' });
  const metrics = await fetch(`${s.url}/metrics`).then((r) => r.text());
  assert.match(metrics, /^faxgate_timers_pending 0$/m);
  assert.match(s.stderr(), new RegExp(`data in ${dir.replace(/[/\\^$*+?.()|[\]{}]/g, '\\$&')}/data`));
  s.child.kill('SIGTERM');
  assert.equal(await s.exited, 0);
});
