#!/usr/bin/env node
// Builds faxgate's native helper programs into build/native/ (gitignored): today the MuPDF
// PDF rasteriser (plugins/documents/pdf/mupdf/pdf-raster.c, with its MMR coder mmr.c). Run by `npm start` and `npm test`
// after ensure-system-deps.sh. Quick when the binary is newer than its source and this
// script. Never fails the caller: without pkg-config, libmupdf or a compiler it prints one
// warning line and exits 0, and PDFs are then drawn with PDFium.
//
// MuPDF is AGPL-3.0: it is linked only into this separate program, never into Node.
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'plugins/documents/pdf/mupdf');
const sources = [join(dir, 'pdf-raster.c'), join(dir, 'mmr.c')];
const headers = [join(dir, 'mmr.h')];
const output = join(root, 'build/native/faxgate-pdf-raster');
// MuPDF's static library needs its third-party libraries named (Debian ships no .pc for them).
const mupdfDeps = ['-lmupdf-third', '-lharfbuzz', '-lfreetype', '-ljbig2dec', '-lopenjp2', '-ljpeg', '-lz', '-lgumbo', '-lmujs', '-lm'];

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function run(cmd, args) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function warn(why) {
  console.warn(`faxgate: ${why}; PDFs will be drawn with PDFium (slower). Install libmupdf-dev and build-essential, then run node scripts/build-native.mjs`);
  process.exit(0);
}

const built = mtime(output);
const inputs = [...sources, ...headers, fileURLToPath(import.meta.url)];
if (built !== undefined && inputs.every((f) => built >= (mtime(f) ?? Infinity))) process.exit(0);

let flags;
try {
  flags = run('pkg-config', ['--cflags', '--libs', 'mupdf']).split(/\s+/).filter((f) => f !== '');
} catch {
  warn('pkg-config does not find MuPDF (libmupdf-dev)');
}
const cc = process.env.CC ?? 'cc';
mkdirSync(dirname(output), { recursive: true });
// Built beside the target and renamed: a running service never starts a half-written binary.
const partial = `${output}.${process.pid}.tmp`;
try {
  run(cc, ['-O2', '-Wall', '-o', partial, ...sources, ...flags, ...mupdfDeps]);
  renameSync(partial, output);
} catch (err) {
  rmSync(partial, { force: true });
  // A binary older than its source may not speak the client's protocol: better none.
  rmSync(output, { force: true });
  const first = String(err.stderr ?? '').split('\n').find((l) => /error/i.test(l)) ?? `${cc} failed, status ${err.status ?? err.code}`;
  warn(`could not build ${relative(root, output)}: ${first.trim()}`);
}
