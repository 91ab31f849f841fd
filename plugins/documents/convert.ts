import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DocumentError } from './errors.ts';

/**
 * Runs an external converter (LibreOffice, Chromium) with a time limit. The process gets its
 * own process group so that on timeout the whole tree (soffice.bin, Chromium's renderers)
 * is killed, not just the launcher.
 */
export async function runConverter(command: string, args: readonly string[], options: { timeoutMs: number; cwd?: string; what: string }): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HOME: options.cwd ?? tmpdir() } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < 4000) stderr += c.toString('utf8');
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new DocumentError('DOC_CONVERTER_FAILED', { converter: options.what, reason: err.message }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Leftover helpers (Chromium's zygote) share the group: end them with the converter.
      killGroup(child.pid);
      if (timedOut) reject(new DocumentError('DOC_CONVERTER_TIMEOUT', { converter: options.what, timeoutMs: options.timeoutMs }));
      else if (code !== 0) reject(new DocumentError('DOC_CONVERTER_FAILED', { converter: options.what, exit: code ?? String(signal), stderr: lastLine(stderr) }));
      else resolve();
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}

/** A fresh private directory for one conversion, removed afterwards whatever happens. */
export async function withTempDir<T>(prefix: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
