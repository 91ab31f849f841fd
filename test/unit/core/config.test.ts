import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../../core/config/config.ts';
import { tempDir } from '../../support/serve.ts';

test('defaults: ./data under the working directory, HTTP on 127.0.0.1:8080', () => {
  const dir = tempDir();
  const c = loadConfig({ cwd: dir, env: {} });
  assert.equal(c.dataDir, join(dir, 'data'));
  assert.deepEqual(c.http, { host: '127.0.0.1', port: 8080 });
  assert.equal(c.log.level, 'info');
  assert.equal(c.file, undefined);
});

test('precedence: file < environment < flags', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'faxgate.json'), JSON.stringify({ http: { port: 9000, host: '0.0.0.0' }, log: { level: 'debug' } }));
  const fromFile = loadConfig({ cwd: dir, env: {} });
  assert.equal(fromFile.http.port, 9000);
  assert.equal(fromFile.file, join(dir, 'faxgate.json'));
  const fromEnv = loadConfig({ cwd: dir, env: { FAXGATE_HTTP_PORT: '9100' } });
  assert.deepEqual(fromEnv.http, { host: '0.0.0.0', port: 9100 });
  const fromFlag = loadConfig({ cwd: dir, env: { FAXGATE_HTTP_PORT: '9100' }, flags: { 'http-port': '9200' } });
  assert.equal(fromFlag.http.port, 9200);
  assert.equal(fromFlag.log.level, 'debug');
});

test('every wrong field is reported once, with where its value came from', () => {
  const dir = tempDir();
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ http: { port: 70000, hots: 'x' }, builtinPlugins: 'yes', plugins: [42] }));
  try {
    loadConfig({ cwd: dir, file, env: { FAXGATE_LOG_LEVEL: 'chatty' }, flags: { 'data-dir': '/tmp/x' } });
    assert.fail('expected a ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const lines = err.fieldErrors.map((e) => e.path).sort();
    assert.deepEqual(lines, ['builtinPlugins', 'http.hots', 'http.port', 'log.level', 'plugins[0]']);
    assert.match(err.message, /http\.port: must be an integer from 0 to 65535, got 70000 \(from .*c\.json\)/);
    assert.match(err.message, /log\.level: must be one of fatal, error, warn, info, debug, trace, silent, got "chatty" \(from environment FAXGATE_LOG_LEVEL\)/);
    assert.match(err.message, /builtinPlugins: must be true or false, got "yes"/);
  }
});

test('a missing or broken config file is a clear error', () => {
  const dir = tempDir();
  assert.throws(() => loadConfig({ cwd: dir, file: 'nope.json', env: {} }), /cannot read the config file \[file:.*nope\.json, reason:ENOENT\]/);
  writeFileSync(join(dir, 'bad.json'), '{ "http": ');
  assert.throws(() => loadConfig({ cwd: dir, file: 'bad.json', env: {} }), /not valid JSON/);
});
