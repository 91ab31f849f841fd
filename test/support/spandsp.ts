/**
 * The SpanDSP far end for interop tests: builds and runs `spandsp-t38`
 * (test/interop/spandsp/spandsp-t38.c), a real T.38 fax terminal (SpanDSP 0.0.6's
 * t38_terminal) speaking UDPTL over UDP.
 *
 *   const bin = await ensureSpandspHarness();
 *   const [port] = await pickFreeUdpPorts(1);
 *   const far = runSpandsp('recv', { out, localPort: port, timeScale: 10 });
 *   ... point faxgate at 127.0.0.1:port ...
 *   const r = await far.result;   // r.ok, r.code (T30_ERR_*), r.pages, ...
 *
 * `send` is the calling terminal transmitting a TIFF, `recv` the answering one
 * writing what it receives; `recv` without `remote` replies to whoever sends first.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const harnessDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'interop', 'spandsp');
const buildDir = join(harnessDir, 'build');
const binaryPath = join(buildDir, 'spandsp-t38');

/** SpanDSP 0.0.6's T30_ERR_* completion codes that tests name (t30.h, enum order). */
export const T30_ERR = {
  OK: 0,
  CEDTONE: 1,
  T0_EXPIRED: 2,
  T1_EXPIRED: 3,
  T3_EXPIRED: 4,
  HDLC_CARRIER: 5,
  CANNOT_TRAIN: 6,
  OPER_INT_FAIL: 7,
  INCOMPATIBLE: 8,
  RX_INCAPABLE: 9,
  TX_INCAPABLE: 10,
  NORESSUPPORT: 11,
  NOSIZESUPPORT: 12,
  UNEXPECTED: 13,
  TX_BADDCS: 14,
  TX_BADPG: 15,
  TX_ECMPHD: 16,
  TX_GOTDCN: 17,
  TX_INVALRSP: 18,
  TX_NODIS: 19,
  TX_PHBDEAD: 20,
  TX_PHDDEAD: 21,
  TX_T5EXP: 22,
  RX_ECMPHD: 23,
  RX_GOTDCS: 24,
  RX_INVALCMD: 25,
  RX_NOCARRIER: 26,
  RX_NOEOL: 27,
  RX_NOFAX: 28,
  RX_T2EXPDCN: 29,
  RX_T2EXPD: 30,
  RX_T2EXPFAX: 31,
  RX_T2EXPMPS: 32,
  RX_T2EXPRR: 33,
  RX_T2EXP: 34,
  RX_DCNWHY: 35,
  RX_DCNDATA: 36,
  RX_DCNFAX: 37,
  RX_DCNPHD: 38,
  RX_DCNRRD: 39,
  RX_DCNNORTN: 40,
  FILEERROR: 41,
  NOPAGE: 42,
  BADTIFF: 43,
  BADPAGE: 44,
  BADTAG: 45,
  BADTIFFHDR: 46,
  NOMEM: 47,
  RETRYDCN: 48,
  CALLDROPPED: 49,
} as const;

export type SpandspMode = 'send' | 'recv';
export type SpandspCompression = 'mh' | 'mr' | 'mmr';

export interface SpandspOptions {
  /** UDP port the harness binds (all interfaces). */
  readonly localPort: number;
  /** Far end as `host:port`; required for `send`; `recv` without it answers the first sender. */
  readonly remote?: string;
  /** TIFF to send (`send`). */
  readonly tiff?: string;
  /** TIFF to write (`recv`). */
  readonly out?: string;
  /** ECM capability; default true. */
  readonly ecm?: boolean;
  /** Compressions offered/accepted; 1-D is always included (T.30 makes it mandatory). Default all. */
  readonly compression?: SpandspCompression | 'all';
  /** Resolutions accepted: `standard` only, `fine` (standard+fine), default all incl. superfine. */
  readonly resolution?: 'standard' | 'fine';
  /** Secondary IFPs per UDPTL packet; default 3. Ignored when `fec` is set. */
  readonly redundancy?: number;
  /** Send parity FEC instead of redundancy. */
  readonly fec?: { readonly span: number; readonly entries: number };
  /** First UDPTL sequence number sent (Cisco starts at 32768). */
  readonly firstSeq?: number;
  /** Percentage of outgoing UDP packets to drop, reproducibly for a given seed. */
  readonly loss?: number;
  readonly seed?: number;
  /** SpanDSP clock speed relative to real time; both ends of a call must use the same. Default 1. */
  readonly timeScale?: number;
  /** Give up after this many seconds of SpanDSP time; default 300. */
  readonly timeoutS?: number;
  readonly csid?: string;
  readonly t38Version?: number;
  readonly maxRate?: 14400 | 12000 | 9600 | 7200 | 4800 | 2400;
  readonly fillBitRemoval?: boolean;
  /** Override the role: by default `send` calls and `recv` answers. */
  readonly role?: 'caller' | 'answerer';
  /** Vanish without DCN after this many pages were confirmed (send) or confirmed with MCF (recv). */
  readonly dieAfterPages?: number;
  /** Stop sending anything once this many octets of page image were sent, then exit. */
  readonly dieAtPageBytes?: number;
  /** SpanDSP's protocol log on the harness's stderr. */
  readonly log?: boolean;
  /** One stderr line per IFP sent/received. */
  readonly trace?: boolean;
  /** Kill the process after this many real milliseconds; default from timeoutS and timeScale. */
  readonly killAfterMs?: number;
}

export interface SpandspUdptlStats {
  readonly txIfps: number;
  readonly txPackets: number;
  readonly txDropped: number;
  readonly rxPackets: number;
  readonly rxRecovered: number;
  readonly rxLost: number;
  readonly rxDuplicates: number;
  readonly rxMalformed: number;
}

export interface SpandspResult {
  readonly ok: boolean;
  /** SpanDSP's T30_ERR_* completion code (see T30_ERR). */
  readonly code: number;
  /** t30_completion_code_to_str, or "harness timeout". */
  readonly reason: string;
  readonly pages: number;
  readonly remoteCsid: string;
  readonly ecm: boolean;
  readonly bitRate: number;
  readonly compression: SpandspCompression | 'none';
  readonly resolution: 'standard' | 'fine' | 'superfine' | 'none';
  /** Call length in SpanDSP time. */
  readonly durationMs: number;
  readonly realMs: number;
  readonly badRows: number;
  readonly timedOut: boolean;
  /** Set when a die-* option ended the run on purpose. */
  readonly aborted: 'die-after-pages' | 'die-at-page-bytes' | null;
  readonly udptl: SpandspUdptlStats;
  /** The process's exit status: 0 ok, 1 fax failed, 3 died on purpose. */
  readonly exitCode: number | null;
  readonly stderr: string;
}

export class SpandspHarnessError extends Error {
  override readonly name = 'SpandspHarnessError';
}

let building: Promise<string> | undefined;

/** Builds the harness when it is missing or older than its sources; returns the binary's path. */
export function ensureSpandspHarness(): Promise<string> {
  building ??= build().catch((err: unknown) => {
    building = undefined;
    throw err;
  });
  return building;
}

async function build(): Promise<string> {
  const sources = readdirSync(harnessDir)
    .filter((f) => f.endsWith('.c') || f.endsWith('.h'))
    .map((f) => join(harnessDir, f));
  const newestSource = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (isFile(binaryPath) && statSync(binaryPath).mtimeMs >= newestSource) return binaryPath;

  const pc = spawnSync('pkg-config', ['--cflags', '--libs', 'spandsp'], { encoding: 'utf8' });
  if (pc.error || pc.status !== 0) {
    throw new SpandspHarnessError(
      'SpanDSP is not installed [need:libspandsp-dev, fix:apt-get install libspandsp-dev libtiff-dev pkg-config]',
    );
  }
  mkdirSync(buildDir, { recursive: true });
  // Build beside the target and rename, so concurrent test files never run a half-written binary.
  const tmp = `${binaryPath}.${process.pid}.tmp`;
  const cFiles = sources.filter((f) => f.endsWith('.c'));
  const args = ['-O2', '-Wall', '-o', tmp, ...cFiles, ...pc.stdout.trim().split(/\s+/), '-ltiff', '-lm'];
  const cc = await runToEnd('cc', args);
  if (cc.code !== 0) {
    throw new SpandspHarnessError(`building the SpanDSP harness failed [cc:${cc.code}]\n${cc.stderr}`);
  }
  renameSync(tmp, binaryPath);
  return binaryPath;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function runToEnd(cmd: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

function harnessArgs(mode: SpandspMode, o: SpandspOptions): string[] {
  const args: string[] = [mode, '--local-port', String(o.localPort)];
  const add = (flag: string, value: string | number | undefined): void => {
    if (value !== undefined) args.push(flag, String(value));
  };
  add('--remote', o.remote);
  add('--tiff', o.tiff);
  // SpanDSP removes its output file when a reception ends with no page: never let that be a
  // device such as /dev/null (it was: the machine's /dev/null became a regular file).
  if (o.out !== undefined && o.out.startsWith('/dev/')) throw new Error(`runSpandsp: out must be a regular file path, not ${o.out}`);
  add('--out', o.out);
  if (o.ecm !== undefined) args.push(o.ecm ? '--ecm' : '--no-ecm');
  add('--compression', o.compression);
  if (o.resolution !== undefined) args.push(`--${o.resolution}`);
  add('--redundancy', o.redundancy);
  if (o.fec) add('--fec', `${o.fec.span}:${o.fec.entries}`);
  add('--first-seq', o.firstSeq);
  add('--loss', o.loss);
  add('--seed', o.seed);
  add('--time-scale', o.timeScale);
  add('--timeout', o.timeoutS);
  add('--csid', o.csid);
  add('--t38-version', o.t38Version);
  add('--max-rate', o.maxRate);
  if (o.fillBitRemoval) args.push('--fill-bit-removal');
  if (o.role) args.push(`--${o.role}`);
  add('--die-after-pages', o.dieAfterPages);
  add('--die-at-page-bytes', o.dieAtPageBytes);
  if (o.log) args.push('--log');
  if (o.trace) args.push('--trace');
  return args;
}

export interface SpandspRun {
  /** Resolves once the harness's UDP port is bound, so a peer's first packet cannot be lost. */
  readonly ready: Promise<void>;
  readonly result: Promise<SpandspResult>;
  readonly process: ChildProcess;
  /** stderr collected so far (the SpanDSP log with `log`, IFPs with `trace`). */
  stderr(): string;
}

/**
 * Starts the harness (build it first with ensureSpandspHarness). `result` resolves with
 * the parsed JSON line; it rejects only when the process gives none (crash, kill, bad usage).
 */
export function runSpandsp(mode: SpandspMode, opts: SpandspOptions): SpandspRun {
  const child = spawn(binaryPath, harnessArgs(mode, opts), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    if (stderr.includes('spandsp-t38: listening on udp port')) markReady();
  });

  const scale = opts.timeScale ?? 1;
  const killAfterMs = opts.killAfterMs ?? (((opts.timeoutS ?? 300) * 1000) / scale) * 1.5 + 10_000;
  const result = new Promise<SpandspResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new SpandspHarnessError(`cannot start the SpanDSP harness [path:${binaryPath}]: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) {
        reject(
          new SpandspHarnessError(
            `SpanDSP harness gave no result [mode:${mode}, exit:${code}, signal:${signal}]\n${stderr.slice(-4000)}`,
          ),
        );
        return;
      }
      const parsed = JSON.parse(line) as Omit<SpandspResult, 'exitCode' | 'stderr'>;
      resolve({ ...parsed, exitCode: code, stderr });
    });
  });
  // A harness that exits before binding never becomes ready: `ready` then settles with
  // `result`, so awaiting it cannot hang; the failure itself surfaces through `result`.
  void result.then(markReady, markReady);
  return { ready, result, process: child, stderr: () => stderr };
}

/** Free UDP ports on all interfaces, found by binding port 0 (the OS picks) and releasing. */
export async function pickFreeUdpPorts(count: number): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createSocket>>((resolve, reject) => {
          const s = createSocket('udp4');
          s.once('error', reject);
          s.bind(0, () => resolve(s));
        }),
    ),
  );
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/**
 * `count` consecutive free UDP ports on loopback starting at an even one, below the
 * ephemeral range (a `faxgate serve` mediaPorts range whose first port is known in advance).
 */
export async function freeUdpRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 2 * Math.floor(Math.random() * 5000);
    const sockets = await Promise.all(
      Array.from({ length: count }, (_, i) => new Promise<ReturnType<typeof createSocket> | undefined>((resolve) => {
        const s = createSocket('udp4');
        s.once('error', () => resolve(undefined));
        s.bind(base + i, '127.0.0.1', () => resolve(s));
      })),
    );
    await Promise.all(sockets.map((s) => new Promise<void>((r) => (s === undefined ? r() : s.close(() => r())))));
    if (sockets.every((s) => s !== undefined)) return base;
  }
  throw new Error('no free UDP port range');
}
