/**
 * SIP benchmark (`npm run bench:sip`).
 *
 * 1. Codec throughput: parse and serialize of a typical carrier INVITE with audio + T.38
 *    SDP (protocols/sip), and SDP parse + T.38 answer (protocols/sdp), messages per second.
 * 2. Call set-up rate: SIPp places INVITE(T.38) -> 200 (T.38 answered) -> ACK -> BYE calls
 *    against one faxgate user agent on loopback UDP, at rising fixed rates (each step
 *    BENCH_STEP_S seconds), until a step has failed calls (timeouts, or 503 once
 *    BENCH_MAX_CALLS calls are up at once). Both share this machine's cores with SIPp, so
 *    the figure is a floor for a dedicated host. A step whose calls take much longer than the
 *    step to place (wall s) means SIPp and faxgate fell behind: retransmissions pile up.
 *
 * Options: BENCH_N (codec iterations), BENCH_RATES (comma list), BENCH_STEP_S.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../../core/clock.ts';
import { parseSipMessage, serializeSipMessage } from '../../protocols/sip/index.ts';
import { DEFAULT_T38_CAPABILITIES, answerOffer, parseSdp, serializeSdp, type LocalMedia } from '../../protocols/sdp/index.ts';
import { UdpSipTransport, UserAgent } from '../../telephony/sip/index.ts';
import { runSipp } from '../interop/sip/sipp.ts';
import { pickFreeUdpPorts } from '../support/spandsp.ts';
import { INVITE_AUDIO_AND_T38, INVITE_SDP } from '../unit/protocols/sip/vectors.ts';

const N = Number(process.env['BENCH_N'] ?? 50_000);
const RATES = (process.env['BENCH_RATES'] ?? '100,200,400,800,1200,1600,2000,2500,3000,4000').split(',').map(Number);
const STEP_S = Number(process.env['BENCH_STEP_S'] ?? 3);
const MAX_CALLS = Number(process.env['BENCH_MAX_CALLS'] ?? 2000);

const LOCAL: LocalMedia = {
  address: '127.0.0.1', sessionId: '1', sessionVersion: 1,
  audio: { port: 30000, codecs: ['PCMU', 'PCMA', 'telephone-event'] },
  image: { port: 30002, t38: DEFAULT_T38_CAPABILITIES },
};

function rate(label: string, n: number, fn: () => void): number {
  for (let i = 0; i < Math.min(2000, n); i++) fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  const perS = n / ((performance.now() - t0) / 1000);
  console.log(`${label.padEnd(44)} ${Math.round(perS).toLocaleString('en-US').padStart(10)} /s`);
  return perS;
}

function codecBench(): void {
  const bytes = new TextEncoder().encode(INVITE_AUDIO_AND_T38);
  const parsed = parseSipMessage(bytes);
  console.log(`-- codec: ${bytes.length}-byte INVITE with audio + T.38 SDP, ${N} iterations`);
  rate('SIP parse', N, () => parseSipMessage(bytes));
  rate('SIP serialize', N, () => serializeSipMessage(parsed));
  rate('SIP parse + serialize', N, () => serializeSipMessage(parseSipMessage(bytes)));
  rate('SDP parse + T.38 answer + serialize', N, () => serializeSdp(answerOffer(parseSdp(INVITE_SDP), LOCAL, 'image').answer));
}

interface Step {
  readonly rate: number;
  readonly calls: number;
  readonly ok: number;
  readonly failed: number;
  readonly rejected503: number;
}

function cumulative(stdout: string, name: string): number {
  const lines = stdout.split('\n').filter((l) => l.trim().startsWith(name));
  const last = lines.at(-1);
  if (last === undefined) return NaN;
  const cells = last.split('|');
  return Number((cells[2] ?? '').trim().split(/\s+/)[0]);
}

async function callBench(): Promise<void> {
  if (spawnSync('sipp', ['-v']).status === null) {
    console.log('-- calls/s: skipped (sipp not installed)');
    return;
  }
  const [port] = await pickFreeUdpPorts(1) as [number];
  const ua = new UserAgent({ clock: systemClock, transports: [await UdpSipTransport.open({ host: '127.0.0.1', port })] });
  let rejected = 0;
  ua.on('invite', (call) => {
    if (ua.activeCalls > MAX_CALLS) {
      rejected++;
      ua.reject(call, 503, [{ name: 'Retry-After', value: '5' }]);
      return;
    }
    try {
      ua.answer(call, serializeSdp(answerOffer(parseSdp(call.remoteSdp ?? ''), LOCAL, 'image').answer));
    } catch {
      ua.reject(call, 488);
    }
  });
  console.log(`-- calls/s: SIPp INVITE(T.38)->200->ACK->BYE against faxgate on 127.0.0.1:${port}, ${STEP_S} s per step`);
  console.log('rate/s   calls      ok  failed  503  wall s');
  const steps: Step[] = [];
  for (const r of RATES) {
    const calls = r * STEP_S;
    const [sippPort, media] = await pickFreeUdpPorts(2) as [number, number];
    const before = rejected;
    const t0 = performance.now();
    const run = await runSipp({
      scenario: 'bench-uac-t38.xml', port: sippPort, remote: `127.0.0.1:${port}`, mediaPort: media, calls, rate: r,
      timeoutS: STEP_S + 30, extraArgs: ['-recv_timeout', '5000', '-max_recv_loops', '10000', '-max_sched_loops', '10000', '-l', String(MAX_CALLS * 2)],
    }).result;
    const ok = cumulative(run.stdout, 'Successful call');
    const failed = cumulative(run.stdout, 'Failed call');
    const step: Step = { rate: r, calls, ok, failed, rejected503: rejected - before };
    steps.push(step);
    console.log(`${String(r).padStart(6)} ${String(calls).padStart(7)} ${String(ok).padStart(7)} ${String(failed).padStart(7)} ${String(step.rejected503).padStart(4)}  ${((performance.now() - t0) / 1000).toFixed(1)}`);
    if (!(failed === 0 && ok === calls)) break;
    await new Promise((res) => setTimeout(res, 2000)); // let Timer K/J/M-held transactions drain between steps
  }
  const clean = steps.filter((s) => s.failed === 0 && s.ok === s.calls);
  const best = clean.at(-1);
  console.log(best === undefined ? 'no step completed without failures' : `highest rate with every call set up (T.38 negotiated): ${best.rate} calls/s`);
  console.log(`transaction layer: ${JSON.stringify(ua.layer.stats)}`);
  await ua.close();
}

codecBench();
await callBench();
