#!/usr/bin/env node
// Runs the test suite with Node's own test runner. Node 20's `--test` has no globbing,
// so the files are collected here. `node scripts/run-tests.mjs [tier...]` limits the run
// to test/<tier> folders (unit, integration, interop); no argument runs them all.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const tiers = process.argv.slice(2);
const dirs = tiers.length > 0 ? tiers.map((t) => join(root, 'test', t)) : [join(root, 'test')];

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && !name.startsWith('.')) collect(path, out);
    } else if (name.endsWith('.test.ts')) {
      out.push(relative(root, path));
    }
  }
  return out;
}

const files = dirs.flatMap((d) => collect(d, []));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, FAXGATE_LOG_LEVEL: process.env.FAXGATE_LOG_LEVEL ?? 'silent' } },
);
process.exit(result.status ?? 1);
