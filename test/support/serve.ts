import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs `faxgate serve` as a child process, the way a user starts it, for integration tests. */
export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
export const faxgateBin = join(projectRoot, 'bin', 'faxgate.mjs');

export interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  stderr(): string;
  stdout(): string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
}

export function tempDir(prefix = 'faxgate-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeConfig(dir: string, config: unknown): string {
  const file = join(dir, 'faxgate.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Starts the server and waits for its "serving on" line (or its exit). */
export function serve(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Served> {
  const child = spawn(process.execPath, [faxgateBin, 'serve', ...args], {
    cwd: options.cwd ?? projectRoot,
    // SIP on any free port unless a test says otherwise: test files run side by side.
    env: { ...process.env, FAXGATE_LOG_LEVEL: 'warn', FAXGATE_SIP_PORT: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`faxgate serve did not start within ${options.timeoutMs ?? 20000} ms; stderr: ${err}`));
    }, options.timeoutMs ?? 20_000);
    const served = { child, stderr: () => err, stdout: () => out, exited };
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving on (http:\/\/[^\s]+)/.exec(err);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ ...served, url: m[1] });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      resolve({ ...served, url: '' });
    });
  });
}

export async function httpJson(method: string, url: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, json };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
