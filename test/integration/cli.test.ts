import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { faxgateBin, serve, tempDir } from '../support/serve.ts';

function run(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [faxgateBin, ...args], { encoding: 'utf8', env: { ...process.env, FAXGATE_LOG_LEVEL: 'silent' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('faxgate --help lists the subcommands; an unknown one is a usage error', () => {
  const help = run(['--help']);
  assert.equal(help.code, 0);
  for (const name of ['serve', 'image']) assert.match(help.out, new RegExp(`^  ${name}\\s+\\S`, 'm'));
  const bad = run(['frobnicate']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /unknown command 'frobnicate'/);
  const serveHelp = run(['serve', '--help']);
  assert.equal(serveHelp.code, 0);
  assert.match(serveHelp.out, /--http-port .*FAXGATE_HTTP_PORT/);
  const badFlag = run(['serve', '--colour', 'red']);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.err, /Unknown option '--colour'/);
});

test('a second server on the same data directory is refused with a clear error', async () => {
  const dir = tempDir();
  const data = join(dir, 'data');
  const first = await serve(['--data-dir', data, '--http-port', '0']);
  assert.ok(first.url, first.stderr());
  const second = await serve(['--data-dir', data, '--http-port', '0']);
  assert.equal(await second.exited, 1);
  assert.match(second.stderr(), /faxgate: the data directory is in use by another faxgate process/);
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0);
});
