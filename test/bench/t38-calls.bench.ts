/**
 * Concurrent T.38 calls benchmark (`npm run bench:calls`): N simultaneous faxgate-to-faxgate
 * calls over loopback UDP, at real-time pacing, one small page each (ECM, MMR, fine). Two
 * processes: one runs N answering/receiving terminals and engines, the other N calling/
 * sending ones; each process has one shared Pacer (one timer) for all its terminals.
 * For each N (BENCH_CALLS=50,100,200,500,1000 by default) it reports whether every page
 * arrived good (pixel-equal to what was sent), the CPU time per call in each process, and the
 * largest N that fully succeeded. Each step is a real fax call (~20 s of wall time).
 *
 *   BENCH_CALLS=50,100   the N to try, in order (stops after the first failing N)
 *   BENCH_ROWS=400       page height in rows (1728 wide)
 *   BENCH_ECM=0          non-ECM (MR) instead of ECM (MMR)
 *   BENCH_PROF=DIR       write a V8 CPU profile of each side into DIR
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../core/clock.ts';
import { bitmapsEqual, type Bitmap } from '../../protocols/t4/index.ts';
import { Pacer, T38Terminal } from '../../telephony/t38/index.ts';
import { UdpTransport } from '../../telephony/udp/udp-transport.ts';
import { runFaxCall, type FaxCallResult } from '../../actors/fax-call/index.ts';
import { textPage } from '../support/pages.ts';

const ROWS = Number(process.env['BENCH_ROWS'] ?? 400);
const ECM = process.env['BENCH_ECM'] !== '0';
// Calls start spread over this window (at least 2 s, 10 ms per call), as calls arrive in
// practice; each lasts about 18 s, so all N are up together for most of the run.
const staggerMs = (n: number): number => Math.max(2_000, n * 10);

interface SideReport {
  readonly role: 'send' | 'recv';
  readonly calls: number;
  readonly ok: number;
  readonly goodPages: number;
  readonly failures: Record<string, number>;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly wallMs: number;
  readonly maxCallMs: number;
  readonly eventLoopLagMaxMs: number;
  readonly peakActive: number;
}

function page(): Bitmap {
  return textPage(1728, ROWS, 3);
}

/**
 * One side: N terminals + engines in this process, on one pacer. The receivers bind ports the
 * system picks and write them to `portsFile`; the senders read it and call those ports. A
 * receiver starts its call when its caller's first packet arrives (as `faxgate t38 recv`).
 */
async function side(role: 'send' | 'recv', n: number, portsFile: string): Promise<void> {
  const pacer = new Pacer(systemClock, 5);
  const expected = page();
  const remotePorts = role === 'send' ? (JSON.parse(readFileSync(portsFile, 'utf8')) as number[]) : [];
  const transports = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      UdpTransport.open({ localPort: 0, localAddress: '127.0.0.1', ...(role === 'send' ? { remote: { host: '127.0.0.1', port: remotePorts[i] as number } } : {}) }),
    ),
  );
  if (role === 'recv') writeFileSync(portsFile, JSON.stringify(transports.map((t) => t.localPort)));
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));

  let lagMax = 0;
  let lastTick = performance.now();
  const lagTimer = setInterval(() => {
    const now = performance.now();
    lagMax = Math.max(lagMax, now - lastTick - 100);
    lastTick = now;
  }, 100);

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let goodPages = 0;
  let maxCallMs = 0;
  let active = 0;
  let peakActive = 0;
  const failures: Record<string, number> = {};
  const results = await Promise.all(
    transports.map(async (transport, i): Promise<FaxCallResult> => {
      const modem = new T38Terminal({ transport, clock: systemClock, pacer });
      if (role === 'send') await new Promise((r) => setTimeout(r, (staggerMs(n) * i) / n));
      else await transport.whenConnected;
      const started = performance.now();
      peakActive = Math.max(peakActive, ++active);
      const call = runFaxCall({
        modem,
        clock: systemClock,
        role: role === 'send' ? 'caller' : 'answerer',
        ecm: ECM,
        compressions: ECM ? ['mh', 'mr', 'mmr'] : ['mh', 'mr'],
        ...(role === 'send'
          ? { send: { pageCount: 1, resolution: 'fine' as const, page: async () => expected } }
          : {
              receive: {
                onPage: async (p) => {
                  if (bitmapsEqual(p.bitmap, expected)) goodPages++;
                },
              },
            }),
      });
      const result = await call.result;
      active--;
      await modem.close();
      maxCallMs = Math.max(maxCallMs, performance.now() - started);
      if (role === 'send' && result.ok) goodPages++;
      if (!result.ok) failures[result.reason] = (failures[result.reason] ?? 0) + 1;
      return result;
    }),
  );
  clearInterval(lagTimer);
  const cpu = process.cpuUsage(cpu0);
  const report: SideReport = {
    role,
    calls: n,
    ok: results.filter((r) => r.ok).length,
    goodPages,
    failures,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    wallMs: performance.now() - t0,
    maxCallMs,
    eventLoopLagMaxMs: lagMax,
    peakActive,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  pacer.stop();
}

interface Child {
  readonly ready: Promise<void>;
  readonly report: Promise<SideReport | undefined>;
  go(): void;
}

function startSide(role: 'send' | 'recv', n: number, portsFile: string): Child {
  const prof = process.env['BENCH_PROF'] !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROF']}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', fileURLToPath(import.meta.url), role, String(n), portsFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: process.env,
  });
  let out = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((r) => (markReady = r));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (out.includes('ready\n')) markReady();
  });
  const report = new Promise<SideReport | undefined>((resolve) =>
    child.on('close', () => {
      markReady();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      resolve(line ? (JSON.parse(line) as SideReport) : undefined);
    }),
  );
  return { ready, report, go: () => child.stdin.end('go\n') };
}

async function step(n: number): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'faxgate-bench-'));
  const portsFile = join(dir, 'ports.json');
  const recv = startSide('recv', n, portsFile);
  await recv.ready;
  const send = startSide('send', n, portsFile);
  await send.ready;
  recv.go();
  send.go();
  const [r, s] = await Promise.all([recv.report, send.report]);
  rmSync(dir, { recursive: true, force: true });
  const good = r !== undefined && s !== undefined && r.goodPages === n && s.ok === n && r.ok === n;
  const perCall = (x: SideReport | undefined): string =>
    x === undefined ? 'crashed' : `${((x.cpuUserMs + x.cpuSystemMs) / n).toFixed(1)} ms CPU/call (${(((x.cpuUserMs + x.cpuSystemMs) / x.wallMs) * 100).toFixed(0)}% of a core), loop lag max ${x.eventLoopLagMaxMs.toFixed(0)} ms, longest call ${(x.maxCallMs / 1000).toFixed(1)} s`;
  process.stdout.write(
    `N=${n}: ${good ? 'every page good' : 'FAILED'}; receiver ${r?.goodPages ?? 0}/${n} good pages, sender ${s?.ok ?? 0}/${n} ok; peak concurrent calls ${s?.peakActive ?? 0}\n` +
      `  sender:   ${perCall(s)}\n  receiver: ${perCall(r)}\n`,
  );
  for (const x of [s, r]) if (x && Object.keys(x.failures).length > 0) process.stdout.write(`  ${x.role} failures: ${JSON.stringify(x.failures)}\n`);
  return good;
}

async function main(): Promise<void> {
  const [role, n, portsFile] = process.argv.slice(2);
  if (role === 'send' || role === 'recv') {
    await side(role, Number(n), portsFile ?? '');
    process.exit(0);
  }
  const steps = (process.env['BENCH_CALLS'] ?? '50,100,200,500,1000').split(',').map(Number);
  process.stdout.write(`T.38 calls benchmark: 1 page 1728x${ROWS} fine, ${ECM ? 'ECM MMR' : 'non-ECM MR'}, real-time pacing, loopback, 2 processes\n`);
  let best = 0;
  for (const n of steps) {
    if (!(await step(n))) break;
    best = n;
  }
  process.stdout.write(`largest N with every page good: ${best}\n`);
}

await main();
