/**
 * Runs one manifest case: faxgate through its real CLI (`node bin/faxgate.mjs t38 ...`), the
 * far end either SpanDSP (test/support/spandsp.ts) or a second faxgate. Returns both ends'
 * JSON results and the received TIFF's path; the test file makes the assertions.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pickFreeUdpPorts, runSpandsp, type SpandspOptions } from '../../support/spandsp.ts';
import type { FaxCase, Resolution, Width } from './manifest.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const workDir = join(root, 'test', '.work', 'fax-conformance');

/** What either end reports: faxgate's JSON line, or the SpanDSP harness's (same core fields). */
export interface EndResult {
  readonly who: 'faxgate' | 'spandsp';
  readonly ok: boolean;
  readonly code: number;
  readonly reason: string;
  readonly pages: number;
  readonly ecm: boolean;
  readonly bitRate: number;
  readonly compression: string;
  readonly resolution: string;
  readonly remoteCsid: string;
  readonly durationMs: number;
  readonly exitCode: number | null;
  readonly stderr: string;
}

export interface CaseRun {
  readonly sender: EndResult | undefined;
  readonly receiver: EndResult | undefined;
  readonly sent: string;
  readonly received: string;
  /** Fax time (ms) at which the fault was injected, when the case has one. */
  readonly faultAtMs: number;
}

const ROWS_A4: Record<Resolution, number> = { standard: 1146, fine: 2292, superfine: 4584 };
const Y_DPI: Record<Resolution, number> = { standard: 98, fine: 196, superfine: 391 };

/**
 * A text page per page number, rendered by Ghostscript to a fax TIFF `width` pels wide
 * (A4 length at the resolution: the wider pages are about the width being negotiated).
 */
export function textTiff(pages: number, resolution: Resolution, width: Width = 1728): string {
  mkdirSync(workDir, { recursive: true });
  const path = join(workDir, `text-${pages}p-${resolution}${width === 1728 ? '' : `-${width}`}.tif`);
  if (existsSync(path)) return path;
  const ps = `${path}.ps`;
  const lines = ['%!PS', '/Helvetica findfont 24 scalefont setfont'];
  for (let p = 1; p <= pages; p++) {
    for (let l = 0; l < 8; l++) lines.push(`50 ${740 - l * 34} moveto (faxgate conformance: page ${p} of ${pages}, line ${l + 1}) show`);
    // On a wide page, a bar by the right edge: a receiver that cropped to A4 would lose it.
    if (width !== 1728) lines.push(`${Math.floor((width * 72) / 204) - 30} 100 moveto 0 600 rlineto 8 setlinewidth stroke`);
    lines.push(`${80 + p * 30} 150 moveto 320 ${p * 25} rlineto 6 setlinewidth stroke showpage`);
  }
  writeFileSync(ps, lines.join('\n') + '\n');
  const size = [`-r204x${Y_DPI[resolution]}`, `-g${width}x${ROWS_A4[resolution]}`];
  const tmp = `${path}.${process.pid}.tmp`;
  const gs = spawnSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=tiffg4', ...size, `-sOutputFile=${tmp}`, ps], { encoding: 'utf8' });
  if (gs.status !== 0) throw new Error(`ghostscript failed: ${gs.stderr}`);
  spawnSync('mv', [tmp, path]);
  return path;
}

/** One TIFF of pages in differing shapes (each rendered alone, then joined by libtiff's tiffcp). */
export function mixedTiff(shapes: NonNullable<FaxCase['mixed']>): string {
  const name = shapes.map((p) => `${p.resolution}-${p.width}`).join('_');
  const path = join(workDir, `mixed-${name}.tif`);
  if (existsSync(path)) return path;
  const tmp = `${path}.${process.pid}.tmp`;
  const cp = spawnSync('tiffcp', [...shapes.map((p) => textTiff(1, p.resolution, p.width)), tmp], { encoding: 'utf8' });
  if (cp.status !== 0) throw new Error(`tiffcp failed: ${cp.stderr}`);
  spawnSync('mv', [tmp, path]);
  return path;
}

interface FaxgateRun {
  readonly listening: Promise<number>;
  readonly result: Promise<EndResult>;
  readonly process: ChildProcess;
}

function runFaxgate(args: string[]): FaxgateRun {
  const child = spawn(process.execPath, [join(root, 'bin', 'faxgate.mjs'), 't38', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markListening: (port: number) => void = () => {};
  const listening = new Promise<number>((r) => (markListening = r));
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    const m = /listening on udp port (\d+)/.exec(stderr);
    if (m) markListening(Number(m[1]));
  });
  const result = new Promise<EndResult>((resolve) => {
    child.on('close', (code) => {
      markListening(0);
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      const parsed = line ? (JSON.parse(line) as Omit<EndResult, 'who' | 'exitCode' | 'stderr'>) : undefined;
      resolve({
        who: 'faxgate',
        ...(parsed ?? { ok: false, code: -1, reason: 'no result line', pages: 0, ecm: false, bitRate: 0, compression: 'none', resolution: 'none', remoteCsid: '', durationMs: 0 }),
        exitCode: code,
        stderr,
      });
    });
  });
  return { listening, result, process: child };
}

function faxgateArgs(c: FaxCase, role: 'send' | 'recv'): string[] {
  const args = ['--time-scale', String(c.timeScale), c.ecm ? '--ecm' : '--no-ecm', '--compression', c.coding, '--redundancy', String(c.redundancy ?? 3)];
  args.push('--timeout', String(c.pages * 40 + 120));
  if (c.loss !== undefined) args.push('--loss', String(c.loss), '--seed', String(c.id.length));
  if (role === 'recv' && c.resolution === 'standard') args.push('--standard');
  args.push('--csid', role === 'send' ? 'faxgate sender' : 'faxgate receiver');
  return args;
}

function spandspOptions(c: FaxCase, csid: string): Omit<SpandspOptions, 'localPort'> {
  return {
    timeScale: c.timeScale,
    ecm: c.ecm,
    compression: c.coding,
    redundancy: c.redundancy ?? 3,
    timeoutS: c.pages * 40 + 120,
    csid,
    // SpanDSP's own T.30 log: what it thought of faxgate's frames, printed when a case fails.
    log: true,
    ...(c.loss !== undefined ? { loss: c.loss, seed: c.id.length + 1 } : {}),
  };
}

function fromSpandsp(r: Awaited<ReturnType<typeof runSpandsp>['result']>): EndResult {
  return { who: 'spandsp', ...r };
}

let serial = 0;

export async function runCase(c: FaxCase): Promise<CaseRun> {
  const sent = c.mixed !== undefined ? mixedTiff(c.mixed) : textTiff(c.pages, c.resolution, c.width);
  const received = join(workDir, `rx-${process.pid}-${++serial}.tif`);
  rmSync(received, { force: true });
  const [portA, portB] = await pickFreeUdpPorts(2);
  if (portA === undefined || portB === undefined) throw new Error('no free UDP ports');
  const fault = c.fault;
  const killLater = (p: ChildProcess, realMs: number): void => {
    setTimeout(() => p.kill('SIGKILL'), realMs).unref();
  };
  const faultAtMs = fault !== undefined && fault.kind !== 'never-answers' ? fault.killAfterRealMs * c.timeScale : 0;

  // At time-scale 10 a process start (about 1.5 s for tsx) is 15 s of fax time: longer than
  // SpanDSP waits for an answer. So faxgate starts first, and the far end is started once
  // faxgate's socket is bound, already knowing faxgate's address.
  if (c.peers === 'faxgate->spandsp') {
    const s = runFaxgate(['send', '--tiff', sent, '--local-port', String(portA), '--remote', `127.0.0.1:${portB}`, ...faxgateArgs(c, 'send')]);
    if (fault?.kind === 'never-answers') return { sender: await s.result, receiver: undefined, sent, received, faultAtMs };
    await s.listening;
    const far = runSpandsp('recv', {
      ...spandspOptions(c, 'spandsp receiver'),
      localPort: portB,
      remote: `127.0.0.1:${portA}`,
      out: received,
      ...(c.resolution === 'standard' ? { resolution: 'standard' as const } : {}),
    });
    if (fault?.kind === 'receiver-vanishes-mid-page') killLater(far.process, fault.killAfterRealMs);
    const [sender, receiver] = await Promise.all([s.result, far.result.then(fromSpandsp, () => undefined)]);
    return { sender, receiver, sent, received, faultAtMs };
  }

  if (c.peers === 'spandsp->faxgate') {
    // recv without --remote: faxgate replies to the source of the first packet.
    const r = runFaxgate(['recv', '--out', received, '--local-port', String(portB), ...faxgateArgs(c, 'recv')]);
    await r.listening;
    const dieAt = fault?.kind === 'sender-vanishes-mid-page' && fault.atPageBytes > 0 ? { dieAtPageBytes: fault.atPageBytes } : {};
    const far = runSpandsp('send', { ...spandspOptions(c, 'spandsp sender'), localPort: portA, remote: `127.0.0.1:${portB}`, tiff: sent, ...dieAt });
    const [sender, receiver] = await Promise.all([far.result.then(fromSpandsp, () => undefined), r.result]);
    return { sender, receiver, sent, received, faultAtMs: sender !== undefined && 'dieAtPageBytes' in dieAt ? sender.durationMs : faultAtMs };
  }

  // faxgate -> faxgate: both processes start together (their start-up times cancel out), each
  // knowing the other's address.
  const s = runFaxgate(['send', '--tiff', sent, '--local-port', String(portA), '--remote', `127.0.0.1:${portB}`, ...faxgateArgs(c, 'send')]);
  if (fault?.kind === 'never-answers') return { sender: await s.result, receiver: undefined, sent, received, faultAtMs };
  const r = runFaxgate(['recv', '--out', received, '--local-port', String(portB), '--remote', `127.0.0.1:${portA}`, ...faxgateArgs(c, 'recv')]);
  await Promise.all([s.listening, r.listening]);
  if (fault?.kind === 'receiver-vanishes-mid-page') killLater(r.process, fault.killAfterRealMs);
  if (fault?.kind === 'sender-vanishes-mid-page') killLater(s.process, fault.killAfterRealMs);
  const [sender, receiver] = await Promise.all([s.result, r.result]);
  return { sender, receiver, sent, received, faultAtMs };
}
