import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../support/serve.ts';

/**
 * The layering rule of ARCHITECTURE.md, checked on every import in the tree:
 * plugins -> actors -> telephony -> protocols, core used by all and using none of them;
 * protocols are pure (no sockets, timers, files or processes).
 */
const LAYERS = ['protocols', 'telephony', 'actors', 'core', 'plugins', 'admin'] as const;
type Layer = (typeof LAYERS)[number];
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  protocols: ['protocols'],
  core: ['core'],
  telephony: ['telephony', 'protocols', 'core'],
  actors: ['actors', 'telephony', 'protocols', 'core'],
  plugins: ['plugins', 'actors', 'telephony', 'protocols', 'core', 'admin'],
  admin: ['admin', 'core'],
};
const IMPURE = /^(node:)?(net|dgram|tls|http|https|http2|fs|fs\/promises|child_process|worker_threads|timers|timers\/promises|cluster)$/;

function sources(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2];
    if (spec !== undefined) out.push(spec);
  }
  return out;
}

test('every import respects the layer rule, and protocols stay pure', () => {
  const problems: string[] = [];
  for (const layer of LAYERS) {
    for (const file of sources(join(projectRoot, layer))) {
      for (const spec of imports(file)) {
        const where = relative(projectRoot, file);
        if (spec.startsWith('.')) {
          const target = relative(projectRoot, resolve(dirname(file), spec)).split('/')[0] as Layer;
          if ((LAYERS as readonly string[]).includes(target) && !MAY_IMPORT[layer].includes(target)) problems.push(`${where} imports ${spec} (${layer} may not import ${target})`);
        } else if (layer === 'protocols' && IMPURE.test(spec)) {
          problems.push(`${where} imports ${spec} (protocols are pure: no I/O or timers)`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});
