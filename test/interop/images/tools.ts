/** Running the reference image tools (libtiff, Poppler) from interop tests. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const workRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.work', 'images');

/** A fresh scratch directory under test/.work/images/. */
export function scratch(name: string): string {
  const dir = join(workRoot, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tool; throws with its stderr when it exits non-zero. */
export function run(cmd: string, args: readonly string[], options: { allowFailure?: boolean; input?: Uint8Array } = {}): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'latin1', timeout: 120_000, maxBuffer: 256 * 1024 * 1024, input: options.input });
  if (r.error !== undefined) throw r.error;
  const out = { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  if (out.status !== 0 && options.allowFailure !== true) throw new Error(`${cmd} ${args.join(' ')} failed [status:${out.status}]: ${out.stderr.slice(0, 500)}`);
  return out;
}

/** Whether a tool is on PATH; tests skip (with the reason) rather than fail when it is not. */
export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}
