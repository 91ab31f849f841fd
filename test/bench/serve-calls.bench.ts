/**
 * Calls per second that one `faxgate serve` sets up (`npm run bench:serve-calls`), issue 6.
 *
 * One real serve process (its own data dir, SIP on loopback UDP, one trunk with a channel
 * limit) is called by SIPp as a carrier would: INVITE with a T.38 offer -> 200 with T.38 (or
 * 503 when the trunk is full) -> ACK -> hold -> BYE -> 200 (scenarios/serve-uac-t38.xml).
 * Rates rise step by step, each step placing calls for BENCH_STEP_S seconds. Answered calls
 * start the T.30 engine as a real fax answer would (CED, DIS over UDPTL to SIPp's media port,
 * where nobody answers), so a channel costs what it costs in production until the BYE.
 *
 * Per step the table shows what SIPp saw (200s and 503s per second of placing, calls that
 * timed out or got anything else, INVITE and BYE retransmissions, INVITE->200 and INVITE->503
 * median and p95 from SIPp's per-call response times), what serve spent (CPU of its process
 * from /proc/<pid>/stat, % of one core while SIPp ran and ms per offered call), how starved
 * it was (its event loop's run-queue wait from /proc/<pid>/schedstat, the slowest status
 * round trip, datagrams dropped on its SIP socket from /proc/net/udp), the most channels in
 * use at once (polled), and whether serve came back clean: /api/sip/status with every
 * channel free and no active call, its counters agreeing with SIPp's, nothing logged at warn
 * or above. Offered load above maxChannels / (set-up + hold + release) must be answered 503;
 * one call alone, before the steps, measures that channel hold.
 *
 * SIPp and serve share this machine's cores (and with whatever else runs): the load average
 * and serve's run-queue wait are printed per step; figures are a floor for a dedicated host.
 *
 * The parse/serialize figures of `npm run bench:sip` are printed first (its codec part; its
 * own call test is run at one short step so the note has both from one command).
 *
 * Options (environment):
 *   BENCH_RATES=10,25,50,100,200,400,800   offered calls/s, in order
 *   BENCH_STEP_S=20                    seconds of placing calls per step
 *   BENCH_HOLD_MS=2000                 ACK -> BYE
 *   BENCH_MAX_CHANNELS=100             the trunk's channel limit
 *   BENCH_SETTLE_S=60                  longest wait for serve to free its channels after a step
 *   BENCH_SIP=0                        skip the bench:sip figures
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpJson, projectRoot, serve, tempDir, writeConfig, type Served } from '../support/serve.ts';
import { pickFreeUdpPorts } from '../support/spandsp.ts';

const RATES = (process.env['BENCH_RATES'] ?? '10,25,50,100,200,400,800').split(',').map(Number);
const STEP_S = Number(process.env['BENCH_STEP_S'] ?? 20);
const HOLD_MS = Number(process.env['BENCH_HOLD_MS'] ?? 2000);
const MAX_CHANNELS = Number(process.env['BENCH_MAX_CHANNELS'] ?? 100);
const SCENARIO = join(dirname(fileURLToPath(import.meta.url)), 'scenarios', 'serve-uac-t38.xml');
const DID = '0363684001';
// A call SIPp waits on this long for any answer counts as timed out (a carrier gives up too).
const RECV_TIMEOUT_MS = 8000;
// Longest wait for serve to free its channels after SIPp ends: past Timer H (32 s, a 200 never
// ACKed) and T.30's T1 (35 s), which end the calls SIPp abandoned.
const SETTLE_S = Number(process.env['BENCH_SETTLE_S'] ?? 60);

interface SipStatus {
  readonly listening: { readonly udp: number };
  readonly channels: Readonly<Record<string, { readonly inUse: number; readonly max: number }>>;
  readonly calls: { readonly active: number; readonly answered: number; readonly refused: Readonly<Record<string, number>>; readonly received: number; readonly failed: number };
}

interface SippStep {
  readonly exitCode: number | null;
  /** Final values of SIPp's cumulative statistics, by column name without "(C)". */
  readonly stats: Readonly<Record<string, string>>;
  /** Final per-message counters (`-trace_counts`), by column name (`3_200_Recv`, ...). */
  readonly counts: Readonly<Record<string, number>>;
  /** Per-call response times, by rtd name (`answered`, `refused`): when (ms since SIPp started) and how long (ms). */
  readonly rtt: Readonly<Record<string, { at: number; ms: number }[]>>;
  readonly errors: string;
  /** SIPp's own CPU (user+sys) and run time, ms: whether the load generator kept up. */
  readonly cpuMs: number;
  readonly wallMs: number;
}

interface StepRow {
  readonly rate: number;
  readonly calls: number;
  readonly ok200: number;
  /** 200s per second in the step's second half: the sustained rate once the trunk has filled. */
  readonly late200: number;
  readonly r503: number;
  readonly timedOut: number;
  readonly other: number;
  readonly inviteRetrans: number;
  readonly byeRetrans: number;
  /** Answers that came after SIPp had ended the call (late answers to retransmissions). */
  readonly deadCallMsgs: number;
  readonly setup200: { median: number; p95: number };
  readonly setup503: { median: number; p95: number };
  readonly cpuPct: number;
  readonly cpuMsPerCall: number;
  readonly sippCpuPct: number;
  /** How much of the time SIPp ran serve's event loop was ready but waiting for a CPU (other processes had it). */
  readonly waitPct: number;
  /** INVITEs and other requests lost before serve read them: its SIP socket's receive buffer overflowed. */
  readonly drops: number;
  readonly slowestStatusMs: number;
  /** Seconds from SIPp's exit until serve had every channel free. */
  readonly freeAfterS: number;
  readonly peakChannels: number;
  readonly rssMb: number;
  readonly clean: boolean;
  readonly problems: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function spread(values: readonly number[]): { median: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

/** The last row of a `;`-separated SIPp CSV, keyed by its header. */
function lastRow(text: string): Record<string, string> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(';');
  const cells = (lines.at(-1) ?? '').split(';');
  const row: Record<string, string> = {};
  header.forEach((name, i) => (row[name] = cells[i] ?? ''));
  return row;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** User + system CPU of a process so far, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state = field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** Time the process's main thread (serve's event loop) has waited for a CPU, ms (/proc/<pid>/schedstat). */
function runQueueWaitMs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
}

/** Datagrams the kernel dropped on the UDP socket bound to 127.0.0.1:port (its receive buffer was full). */
function udpDrops(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const line = readFileSync('/proc/net/udp', 'utf8').split('\n').find((l) => l.trim().split(/\s+/)[1] === local);
  return Number(line?.trim().split(/\s+/).at(-1) ?? NaN);
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] === undefined ? NaN : Number(m[1]) / 1024;
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

async function sipStatus(served: Served): Promise<SipStatus> {
  return (await httpJson('GET', `${served.url}/api/sip/status`)).json as SipStatus;
}

async function runSippStep(sipPort: number, rate: number, calls: number): Promise<SippStep> {
  const dir = mkdtempSync(join(tmpdir(), 'faxgate-callbench-'));
  const [port, media] = (await pickFreeUdpPorts(2)) as [number, number];
  const args = [
    '-sf', SCENARIO, '-i', '127.0.0.1', '-p', String(port), '-mp', String(media),
    '-s', DID, '-m', String(calls), '-r', String(rate), '-rp', '1000', '-d', String(HOLD_MS),
    // No cap of SIPp's own below what the gateway may hold: the gateway's limit is the one measured.
    // (below SIPp's open-file limit, which it checks against this number)
    '-l', String(Math.min(10_000, rate * Math.ceil(HOLD_MS / 1000 + RECV_TIMEOUT_MS / 1000 + 5))),
    '-recv_timeout', String(RECV_TIMEOUT_MS),
    '-timeout', `${STEP_S + Math.ceil(HOLD_MS / 1000) + 60}s`, '-timeout_error',
    '-max_recv_loops', '10000', '-max_sched_loops', '10000',
    '-trace_stat', '-stf', join(dir, 'stats.csv'), '-fd', '1',
    '-trace_counts', '-trace_rtt', '-rtt_freq', '1',
    '-trace_err', '-error_file', join(dir, 'errors.log'),
    '-nostdin',
    `127.0.0.1:${sipPort}`,
  ];
  const t0 = performance.now();
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Its /proc entry goes with it: the last reading before the exit is its CPU.
  let sippCpu = NaN;
  const probe = setInterval(() => {
    try {
      if (child.pid !== undefined) sippCpu = cpuMs(child.pid);
    } catch {
      // exited between two readings
    }
  }, 100);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(probe);
  const wallMs = performance.now() - t0;
  const read = (suffix: string): string => {
    const f = readdirSync(dir).find((n) => n.endsWith(suffix));
    return f === undefined ? '' : readFileSync(join(dir, f), 'utf8');
  };
  const stats: Record<string, string> = {};
  for (const [k, v] of Object.entries(lastRow(read('stats.csv')))) if (k.endsWith('(C)')) stats[k.slice(0, -3)] = v;
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(lastRow(read('_counts.csv')))) counts[k] = Number(v);
  const rtt: Record<string, { at: number; ms: number }[]> = {};
  for (const line of read('_rtt.csv').split('\n').slice(1)) {
    const [at, ms, name] = line.split(';');
    if (name === undefined || ms === undefined) continue;
    (rtt[name.trim()] ??= []).push({ at: Number(at), ms: Number(ms) });
  }
  // SIPp writes its "Resolving remote host" progress on stderr: not an error.
  const errors = (read('errors.log') + stderr.replace(/^Resolving remote host .*$/gm, '')).trim();
  rmSync(dir, { recursive: true, force: true });
  return { exitCode, stats, counts, rtt, errors, cpuMs: sippCpu, wallMs };
}

/** The serve log lines at warn or above (pino JSON on stdout) written after `from`. */
function warnings(served: Served, from: number): string[] {
  return served
    .stdout()
    .slice(from)
    .split('\n')
    .filter((l) => /"level":(40|50|60)/.test(l));
}

async function step(served: Served, pid: number, sipPort: number, rate: number): Promise<StepRow> {
  const calls = rate * STEP_S;
  const before = await sipStatus(served);
  const logFrom = served.stdout().length;
  const errFrom = served.stderr().length;
  const cpu0 = cpuMs(pid);
  const wait0 = runQueueWaitMs(pid);
  const drops0 = udpDrops(sipPort);
  let peak = 0;
  // The status request's round trip while SIPp runs: how late serve's event loop was.
  let slowestStatusMs = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const asked = performance.now();
      const s = await sipStatus(served);
      if (polling) slowestStatusMs = Math.max(slowestStatusMs, performance.now() - asked);
      peak = Math.max(peak, ...Object.values(s.channels).map((c) => c.inUse));
      await sleep(250);
    }
  })();
  const sipp = await runSippStep(sipPort, rate, calls);
  const cpuPlacing = cpuMs(pid) - cpu0;
  const waitPlacing = runQueueWaitMs(pid) - wait0;
  const drops = udpDrops(sipPort) - drops0;
  polling = false;
  await poller;
  // Channels are free when serve has released them, which may be well after SIPp's last
  // 200 to BYE: a call SIPp gave up on (no ACK, no BYE) ends at serve by its own timers.
  const sippEnd = performance.now();
  let after = await sipStatus(served);
  const busy = (st: SipStatus): boolean => st.calls.active > 0 || Object.values(st.channels).some((c) => c.inUse > 0);
  while (busy(after) && performance.now() - sippEnd < SETTLE_S * 1000) {
    await sleep(200);
    after = await sipStatus(served);
  }
  const freeAfterS = (performance.now() - sippEnd) / 1000;
  const cpu = cpuMs(pid) - cpu0;

  const n = (k: string): number => Number(sipp.stats[k] ?? NaN);
  const ok200 = sipp.counts['3_200_Recv'] ?? NaN;
  const r503 = sipp.counts['2_503_Recv'] ?? NaN;
  const timedOut = n('FailedTimeoutOnRecv') + n('FailedMaxUDPRetrans');
  const other = n('FailedCall') - timedOut;
  const problems: string[] = [];
  if (after.calls.active !== 0) problems.push(`${after.calls.active} calls still active ${SETTLE_S} s after SIPp ended`);
  for (const [trunk, c] of Object.entries(after.channels)) if (c.inUse !== 0) problems.push(`trunk ${trunk}: ${c.inUse} channels still in use`);
  const answered = after.calls.answered - before.calls.answered;
  if (answered !== ok200) problems.push(`serve answered ${answered}, SIPp got ${ok200} 200s`);
  const full = (after.calls.refused['channels-full'] ?? 0) - (before.calls.refused['channels-full'] ?? 0);
  if (full !== r503) problems.push(`serve refused ${full} as channels-full, SIPp got ${r503} 503s`);
  for (const [why, k] of Object.entries(after.calls.refused)) {
    if (why !== 'channels-full' && k !== (before.calls.refused[why] ?? 0)) problems.push(`serve refused ${k - (before.calls.refused[why] ?? 0)} as ${why}`);
  }
  if (ok200 + r503 + n('FailedCall') !== calls) problems.push(`SIPp accounted for ${ok200 + r503 + n('FailedCall')} of ${calls} calls`);
  const logged = warnings(served, logFrom);
  if (logged.length > 0) problems.push(`serve logged ${logged.length} warnings/errors, first: ${(logged[0] ?? '').slice(0, 400)}`);
  const stderr = served.stderr().slice(errFrom).trim();
  if (stderr !== '') problems.push(`serve stderr: ${stderr.slice(0, 400)}`);
  // A dead-call message is an answer to a retransmission arriving after the call ended: counted, not a fault.
  // SIPp's events start with a date; the lines after one are the message it quotes.
  const sippErrors = sipp.errors.split('\n').filter((l) => /^\d{4}-\d\d-\d\d\s/.test(l) && !l.includes('Dead call'));
  if (sippErrors.length > 0 || (sipp.exitCode !== 0 && sipp.exitCode !== 1)) problems.push(`SIPp (exit ${sipp.exitCode}): ${sippErrors.slice(0, 3).join(' | ').slice(0, 400)}`);

  return {
    rate,
    calls,
    ok200,
    r503,
    timedOut,
    other,
    inviteRetrans: sipp.counts['0_INVITE_Retrans'] ?? NaN,
    byeRetrans: sipp.counts['6_BYE_Retrans'] ?? NaN,
    deadCallMsgs: n('DeadCallMsgs'),
    late200: (sipp.rtt['answered'] ?? []).filter((r) => r.at >= (STEP_S * 1000) / 2 && r.at < STEP_S * 1000).length / (STEP_S / 2),
    setup200: spread((sipp.rtt['answered'] ?? []).map((r) => r.ms)),
    setup503: spread((sipp.rtt['refused'] ?? []).map((r) => r.ms)),
    cpuPct: (cpuPlacing / sipp.wallMs) * 100,
    cpuMsPerCall: cpu / calls,
    sippCpuPct: (sipp.cpuMs / sipp.wallMs) * 100,
    waitPct: (waitPlacing / sipp.wallMs) * 100,
    drops,
    slowestStatusMs,
    freeAfterS,
    peakChannels: peak,
    rssMb: rssMb(pid),
    clean: after.calls.active === 0 && Object.values(after.channels).every((c) => c.inUse === 0),
    problems,
  };
}

/** SIPp's `HH:MM:SS:micros` durations, in ms. */
function durationMs(text: string | undefined): number {
  const m = /^(\d+):(\d+):(\d+):(\d+)$/.exec(text ?? '');
  if (m === null) return NaN;
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]) / 1000;
}

/**
 * One call alone: how long serve holds its channel against how long the SIP call lasted at
 * SIPp (INVITE sent -> 200 to BYE received). The difference is the release time after the
 * BYE, which adds to every call's hold in the steps below.
 */
async function channelHold(served: Served, sipPort: number): Promise<{ callMs: number; channelMs: number }> {
  let first = NaN;
  let last = NaN;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const s = await sipStatus(served);
      const busy = Object.values(s.channels).some((c) => c.inUse > 0);
      if (busy && Number.isNaN(first)) first = performance.now();
      if (busy) last = performance.now();
      await sleep(20);
    }
  })();
  const sipp = await runSippStep(sipPort, 1, 1);
  const until = Date.now() + 15_000;
  while (Date.now() < until && (Number.isNaN(first) || performance.now() - last < 500)) await sleep(50);
  polling = false;
  await poller;
  return { callMs: durationMs(sipp.stats['CallLength']), channelMs: last - first };
}

function sipBenchFigures(): void {
  if (process.env['BENCH_SIP'] === '0') return;
  console.log('== npm run bench:sip (codec part; its UA-only call test at one 1 s step of 100/s)');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'test', 'bench', 'sip.bench.ts')], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, BENCH_RATES: '100', BENCH_STEP_S: '1' },
  });
  process.stdout.write(r.stdout);
  if (r.status !== 0) console.log(`bench:sip exited ${r.status}: ${r.stderr.slice(-1000)}`);
  console.log('');
}

const cell = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : '-');

async function main(): Promise<void> {
  if (spawnSync('sipp', ['-v']).status === null) {
    console.log('serve-calls: skipped (sipp is not installed: apt-get install sip-tester)');
    return;
  }
  sipBenchFigures();

  const dir = tempDir('faxgate-callbench-');
  const config = writeConfig(dir, {
    dataDir: join(dir, 'data'),
    http: { host: '127.0.0.1', port: 0 },
    pluginConfig: {
      sip: {
        host: '127.0.0.1',
        port: 0,
        tcp: false,
        trunks: [{ name: 'loop', host: '127.0.0.1', maxChannels: MAX_CHANNELS, t38: { policy: 'offer-in-invite' } }],
        dids: [{ number: '03-6368-4001', account: 'acme' }],
      },
    },
  });
  const served = await serve(['--config', config], { timeoutMs: 60_000 });
  const pid = served.child.pid;
  if (served.url === '' || pid === undefined) throw new Error(`faxgate serve did not start:\n${served.stderr()}`);
  try {
    const sipPort = (await sipStatus(served)).listening.udp;
    console.log(`== faxgate serve (pid ${pid}, SIP udp 127.0.0.1:${sipPort}): trunk maxChannels ${MAX_CHANNELS}, hold ${HOLD_MS} ms (ACK -> BYE), ${STEP_S} s of calls per step`);
    console.log(`   SIPp INVITE(T.38) -> 200 or 503 -> ACK [-> hold -> BYE -> 200]; timeout = no final answer within ${RECV_TIMEOUT_MS / 1000} s`);
    console.log('   200/s, 503/s: per second of placing; late: 200/s in the second half of the step (trunk full: the sustained rate); set-up ms: INVITE -> 200 (T.38 answered) and INVITE -> 503, median/p95;');
    console.log('   CPU %: serve (user+sys) while SIPp ran, of one core; ms/call: serve CPU until its channels were free, per offered call;');
    console.log('   SIPp %: the load generator\'s own CPU; status ms: slowest /api/sip/status round trip while SIPp ran (serve\'s event loop);');
    console.log('   wait %: time serve\'s event loop was runnable but had no CPU (the host\'s other load); drops: datagrams lost on serve\'s full SIP socket;');
    console.log('   peak ch: most channels in use at once; free s: seconds after SIPp ended until serve had every channel free');
    console.log('');
    // JIT and socket warm-up, not reported: the first calls of a fresh process are slow.
    await runSippStep(sipPort, 10, 30);
    const hold = await channelHold(served, sipPort);
    console.log(`one call alone: SIP call ${cell(hold.callMs)} ms at SIPp, channel held ${cell(hold.channelMs)} ms at serve (+${cell(hold.channelMs - hold.callMs)} ms after the BYE)`);
    console.log(`   so the trunk is full above ~${cell((MAX_CHANNELS * 1000) / hold.channelMs, 1)} calls/s (maxChannels / channel hold)`);
    console.log('');
    console.log(' rate/s  calls  200/s  late  503/s  t/o other  INV/BYE retr  200 med/p95 ms  503 med/p95 ms  CPU %  wait %  ms/call  SIPp %  status ms  drops  peak ch  free s  RSS MB  clean  load');
    const rows: StepRow[] = [];
    for (const rate of RATES) {
      const load = loadAverage();
      const r = await step(served, pid, sipPort, rate);
      rows.push(r);
      console.log(
        `${String(rate).padStart(7)} ${String(r.calls).padStart(6)} ${cell(r.ok200 / STEP_S, 1).padStart(6)} ${cell(r.late200, 1).padStart(5)} ${cell(r.r503 / STEP_S, 1).padStart(6)} ` +
          `${cell(r.timedOut).padStart(4)} ${cell(r.other).padStart(5)} ${`${cell(r.inviteRetrans)}/${cell(r.byeRetrans)}`.padStart(13)} ` +
          `${`${cell(r.setup200.median)}/${cell(r.setup200.p95)}`.padStart(15)} ${`${cell(r.setup503.median)}/${cell(r.setup503.p95)}`.padStart(15)} ` +
          `${cell(r.cpuPct).padStart(6)} ${cell(r.waitPct).padStart(7)} ${cell(r.cpuMsPerCall, 2).padStart(8)} ${cell(r.sippCpuPct).padStart(7)} ${cell(r.slowestStatusMs).padStart(10)} ${cell(r.drops).padStart(6)} ` +
          `${String(r.peakChannels).padStart(8)} ${cell(r.freeAfterS, 1).padStart(7)} ${cell(r.rssMb).padStart(7)} ${(r.clean ? 'yes' : 'NO').padStart(6)}  ${load}`,
      );
      for (const p of r.problems) console.log(`        ! ${p}`);
      if (r.deadCallMsgs > 0) console.log(`        (${r.deadCallMsgs} answers reached SIPp after it had ended the call: answers to retransmissions)`);
      await sleep(2000); // SIPp's and serve's transactions (Timer J/K) drain between steps
    }
    const answeredAll = rows.filter((r) => r.timedOut === 0 && r.other === 0 && r.ok200 + r.r503 === r.calls);
    const best = answeredAll.filter((r) => !rows.some((o) => o.rate <= r.rate && !answeredAll.includes(o))).at(-1);
    console.log('');
    console.log(
      best === undefined
        ? 'no step had every call answered (200 or 503)'
        : `highest rate with every call answered (200 or 503, none timed out): ${best.rate} calls/s; INVITE -> 200 median ${cell(best.setup200.median)} ms, p95 ${cell(best.setup200.p95)} ms; ` +
            `INVITE -> 503 median ${cell(best.setup503.median)} ms, p95 ${cell(best.setup503.p95)} ms`,
    );
    // A retransmitted INVITE means not even 100 Trying came back within T1 (500 ms).
    const prompt = answeredAll.filter((r) => r.inviteRetrans === 0 && !rows.some((o) => o.rate <= r.rate && (!answeredAll.includes(o) || o.inviteRetrans > 0))).at(-1);
    if (prompt !== undefined) {
      console.log(`highest rate with every call answered and no INVITE retransmitted (answers within T1): ${prompt.rate} calls/s; INVITE -> 200 median ${cell(prompt.setup200.median)} ms, p95 ${cell(prompt.setup200.p95)} ms`);
    }
    const all200 = rows.filter((r) => r.ok200 === r.calls).at(-1);
    if (all200 !== undefined) console.log(`highest rate with every call answered 200 (no 503): ${all200.rate} calls/s`);
    const leaks = rows.filter((r) => !r.clean);
    console.log(leaks.length === 0 ? 'after every step: all channels free, no active call' : `channels or calls left over after ${leaks.map((r) => `${r.rate}/s`).join(', ')}`);
  } finally {
    // serve drains for drainMs (10 s), then ends what is left within 5 s: 30 s is plenty.
    served.child.kill('SIGTERM');
    const stopAsked = performance.now();
    const code = await Promise.race([served.exited, sleep(30_000).then(() => 'still running' as const)]);
    if (code === 'still running') {
      console.log(`! faxgate serve had not exited 30 s after SIGTERM (killed); its last log lines:\n${served.stdout().split('\n').slice(-5).join('\n')}`);
      served.child.kill('SIGKILL');
      await served.exited;
    } else if (code !== 0) {
      console.log(`! faxgate serve exited ${code}:\n${served.stderr().slice(-2000)}`);
    } else {
      console.log(`faxgate serve stopped cleanly ${((performance.now() - stopAsked) / 1000).toFixed(1)} s after SIGTERM`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
