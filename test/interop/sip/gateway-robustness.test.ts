/**
 * `faxgate serve`'s SIP gateway under real conditions (issue 6), each case against a real
 * serve child process:
 *
 *   tones      SIPp calls with audio only and plays CNG: with the default trunk policy
 *              (audio-then-reinvite) serve re-INVITEs to T.38 because of the CNG, not its
 *              4 s grace; with wait-for-reinvite it never re-INVITEs and takes SIPp's own
 *              re-INVITE; with never the INVITE gets 488
 *   register   a trunk with register:true registers with digest to a SIPp registrar that
 *              challenges with 401 (and again on the refresh); /api/sip/status says so
 *   crash      kill -9 while SpanDSP's pages arrive: after the restart the call's record is
 *              `interrupted` (256) and the next call is received whole
 *   media      SpanDSP vanishes after page 1 of 3: serve hangs up by itself, keeps the page
 *              (libtiff reads it), and frees the channel; vanishing after the only page's
 *              MCF (DCN lost) still leaves a received fax
 *   tls        SIP over TLS against OpenSSL's s_client (Debian's SIPp is built without
 *              TLS): the certificate verifies, OPTIONS and a T.38 INVITE get 200
 *
 * Records are read from the store after serve stopped (LevelDB has one owner at a time).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LevelBackend } from '../../../core/store/level-backend.ts';
import { Store } from '../../../core/store/store.ts';
import { InboundFaxStore, type InboundFaxRecord } from '../../../plugins/sip-gateway/records.ts';
import { CNG } from '../../../telephony/media/index.ts';
import { writeTonePcap } from '../../support/rtp-pcap.ts';
import { httpJson, serve, tempDir, waitFor, writeConfig, type Served } from '../../support/serve.ts';
import { ensureSpandspHarness, freeUdpRange, pickFreeUdpPorts, runSpandsp } from '../../support/spandsp.ts';
import { comparePages, readTiffPagesWithLibtiff } from '../spandsp/libtiff-pages.ts';
import { runSipp, type SippResult } from './sipp.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const workDir = join(root, 'test', '.work', 'gateway-robustness');
const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const skip = !hasSipp ? 'sipp (Debian sip-tester) is not installed' : false;
// play_pcap_audio sends from a raw socket.
const skipTones = skip || (process.getuid?.() !== 0 && 'sipp needs root (a raw socket) to play a pcap');
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

interface SipStatus {
  listening: { udp: number; tcp?: number; tls?: number };
  channels: Record<string, { inUse: number; max: number }>;
  registrations: Record<string, string>;
  calls: { active: number; answered: number; refused: Record<string, number>; received: number; failed: number };
}

interface Gateway {
  served: Served;
  readonly config: string;
  readonly dataDir: string;
  sipPort: number;
}

async function startServe(config: string): Promise<Served> {
  const served = await serve(['--config', config], { timeoutMs: 40_000 });
  assert.ok(served.url !== '', `faxgate serve did not start:\n${served.stderr()}`);
  return served;
}

async function startGateway(name: string, sip: Record<string, unknown>): Promise<Gateway> {
  const dir = tempDir(`faxgate-gwr-${name}-`);
  const dataDir = join(dir, 'data');
  const config = writeConfig(dir, { dataDir, http: { host: '127.0.0.1', port: 0 }, pluginConfig: { sip: { host: '127.0.0.1', port: 0, ...sip } } });
  const served = await startServe(config);
  const g: Gateway = { served, config, dataDir, sipPort: 0 };
  g.sipPort = (await sipStatus(g)).listening.udp;
  return g;
}

async function sipStatus(g: Gateway): Promise<SipStatus> {
  return (await httpJson('GET', `${g.served.url}/api/sip/status`)).json as SipStatus;
}

/** Stops serve cleanly (SIGTERM) and reads the inbound records of `account` from its store. */
async function stopAndReadRecords(g: Gateway, account: string): Promise<InboundFaxRecord[]> {
  if (g.served.child.exitCode === null) g.served.child.kill('SIGTERM');
  assert.equal(await g.served.exited, 0, `serve did not stop cleanly:\n${g.served.stderr().slice(-2000)}`);
  const store = new Store(await LevelBackend.open(join(g.dataDir, 'store')));
  try {
    return await new InboundFaxStore(store.namespace('plugin:sip')).list(account, { limit: 100 });
  } finally {
    await store.close();
  }
}

function sippClean(r: SippResult, what: string): void {
  assert.equal(r.code, 0, `${what}: sipp failed (exit ${r.code}):\n${r.errors}\n${r.stderr}\n${r.stdout.slice(-1500)}`);
}

/** Which of `count` UDP ports from `first` someone holds on loopback (binding them fails). */
async function boundPorts(first: number, count: number): Promise<number[]> {
  const held: number[] = [];
  for (let port = first; port < first + count; port++) {
    const sock = createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      sock.once('error', () => resolve(false));
      sock.bind(port, '127.0.0.1', () => resolve(true));
    });
    if (!ok) held.push(port);
    await new Promise<void>((r) => (ok ? sock.close(() => r()) : r()));
  }
  return held;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Short standard-resolution pages (about half a Letter page each), one line of text per page naming it. */
function makeTiff(path: string, pages: number): void {
  if (existsSync(path)) return;
  const ps = `${path}.ps`;
  const lines = ['%!PS', '/Helvetica findfont 28 scalefont setfont'];
  for (let p = 1; p <= pages; p++) {
    for (let l = 0; l < 3; l++) lines.push(`60 ${380 - l * 45} moveto (gateway robustness, page ${p} of ${pages}, line ${l + 1}) show`);
    lines.push(`100 ${120 + p * 10} moveto 380 40 rlineto 8 setlinewidth stroke showpage`);
  }
  writeFileSync(ps, lines.join('\n') + '\n');
  const gs = spawnSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=tiffg4', '-r204x98', '-g1728x560', `-sOutputFile=${path}`, ps], { encoding: 'utf8' });
  assert.equal(gs.status, 0, `ghostscript failed: ${gs.stderr}`);
}

/** The pages of a TIFF by libtiff's own reader (tiffinfo): how many directories it walks, and its complaints. */
function tiffinfo(path: string): { code: number | null; pages: number; stderr: string } {
  const r = spawnSync('tiffinfo', [path], { encoding: 'utf8' });
  return { code: r.status, pages: (r.stdout.match(/^TIFF Directory at offset/gm) ?? []).length, stderr: r.stderr };
}

let onePage = '';
let threePages = '';
let cngPcap = '';
const toKill: { kill(): void }[] = [];
const gateways: Gateway[] = [];

before(async () => {
  if (skip !== false) return;
  mkdirSync(workDir, { recursive: true });
  await ensureSpandspHarness();
  onePage = join(workDir, 'one-page.tif');
  threePages = join(workDir, 'three-pages.tif');
  makeTiff(onePage, 1);
  makeTiff(threePages, 3);
  cngPcap = join(workDir, 'cng.pcap');
  writeTonePcap(cngPcap, { tone: CNG, law: 'ulaw', durationMs: 7000 });
});

after(() => {
  for (const k of toKill) k.kill();
  for (const g of gateways) if (g.served.child.exitCode === null) g.served.child.kill('SIGKILL');
});

test('tones: CNG makes serve re-INVITE to T.38 (not its grace); wait-for-reinvite takes the caller\'s re-INVITE and sends none; never refuses with 488', { skip: skipTones, timeout: 90_000 }, async () => {
  // One serve, one trunk per policy, told apart by SIPp's source address.
  const g = await startGateway('tones', {
    trunks: [
      { name: 'reinvite', host: '127.0.0.1', maxChannels: 4 },
      { name: 'waits', host: '127.0.0.2', t38: { policy: 'wait-for-reinvite' } },
      { name: 'nofax', host: '127.0.0.3', t38: { policy: 'never' } },
    ],
    dids: [{ number: '03-6368-4101', account: 'tones' }],
  });
  gateways.push(g);
  const remote = `127.0.0.1:${g.sipPort}`;
  const [p1, p2, p3] = (await pickFreeUdpPorts(3)) as [number, number, number];
  const [m1, m2, m3] = await Promise.all([freeUdpRange(4), freeUdpRange(4), freeUdpRange(4)]);
  // SIPp's media stays on 127.0.0.1 whatever its SIP address: the pcap goes out of a raw socket to c=.
  const media = (port: number): string[] => ['-mi', '127.0.0.1', '-mp', String(port)];
  const ours = runSipp({ scenario: 'uac-audio-cng.xml', port: p1, remote, service: '0363684101', keys: { cng_pcap: cngPcap }, extraArgs: media(m1), timeoutS: 40 });
  // 5 s of pause: past the 4 s grace after which an audio-then-reinvite serve would re-INVITE.
  const theirs = runSipp({ scenario: 'gw-uac-audio-cng-their-reinvite.xml', port: p2, localIp: '127.0.0.2', remote, service: '0363684101', keys: { cng_pcap: cngPcap }, extraArgs: ['-d', '5000', ...media(m2)], timeoutS: 40 });
  const refused = runSipp({ scenario: 'gw-uac-audio-refused-488.xml', port: p3, localIp: '127.0.0.3', remote, service: '0363684101', extraArgs: media(m3), timeoutS: 20 });
  toKill.push(ours, theirs, refused);
  const [rOurs, rTheirs, rRefused] = await Promise.all([ours.result, theirs.result, refused.result]);
  sippClean(rOurs, 'audio-then-reinvite');
  sippClean(rTheirs, 'wait-for-reinvite (an INVITE from serve during the pause fails it)');
  sippClean(rRefused, 'never');
  assert.match(rRefused.log, /refused 488/);

  // By SIPp's clock: CNG's first burst is 0.5 s, serve re-INVITEs 1 s after hearing it; the
  // grace would have been 4 s after the answer (the CNG starts at the ACK).
  const tick = (log: string, what: RegExp): number => Number(what.exec(log)?.[1]);
  const switchMs = tick(rOurs.log, /re-INVITE at (\d+)/) - tick(rOurs.log, /cng playing at (\d+)/);
  assert.ok(switchMs >= 1400 && switchMs < 3500, `serve's re-INVITE ${switchMs} ms after SIPp started the CNG (tone: ~1500, grace: ~4000)`);
  assert.match(rOurs.log, /re-INVITE at \d+ with m=image [1-9]\d* udptl t38 T38FaxVersion:0/);
  const theirsMs = tick(rTheirs.log, /their re-INVITE answered at (\d+)/) - tick(rTheirs.log, /cng playing at (\d+)/);
  assert.ok(theirsMs >= 5000, `SIPp's re-INVITE answered ${theirsMs} ms after the CNG began, after its 5 s pause`);
  process.stderr.write(`# tones: serve re-INVITEd ${switchMs} ms after the CNG began; SIPp's own re-INVITE answered at ${theirsMs} ms\n`);

  // The BYEs were answered: every call's channel comes back within a moment.
  const hungUpAt = Date.now();
  let status = await sipStatus(g);
  for (; Date.now() - hungUpAt < 2000 && status.calls.active > 0; status = await sipStatus(g)) await sleep(50);
  assert.equal(status.calls.active, 0, `calls still active ${Date.now() - hungUpAt} ms after the last BYE: ${JSON.stringify(status)}`);
  process.stderr.write(`# tones: no call active ${Date.now() - hungUpAt} ms after the last SIPp ended\n`);
  for (const t of ['reinvite', 'waits', 'nofax']) assert.equal(status.channels[t]?.inUse, 0, `${t}: channel free`);
  // The 488 is a refusal (no channel, no record), not an answered call that failed.
  assert.deepEqual([status.calls.answered, status.calls.refused], [2, { 't38-off': 1 }], JSON.stringify(status.calls));

  const records = await stopAndReadRecords(g, 'tones');
  const byTrunk = (t: string): InboundFaxRecord => {
    const r = records.filter((x) => x.trunk === t);
    assert.equal(r.length, 1, `${t}: one record\n${JSON.stringify(records, null, 1)}`);
    return r[0]!;
  };
  assert.equal(byTrunk('reinvite').t38Via, 'our-reinvite:CNG');
  assert.equal(byTrunk('waits').t38Via, 'their-reinvite');
  // SIPp hung up a second after T.38 came up, before any page: failed, not received.
  for (const t of ['reinvite', 'waits']) assert.deepEqual([byTrunk(t).status, byTrunk(t).pages], ['failed', 0], JSON.stringify(byTrunk(t)));
  // SIPp's BYE is the far end hanging up, not our cancel (403 "manually cancelled").
  for (const t of ['reinvite', 'waits']) assert.match(byTrunk(t).reason ?? '', /hangup \(BYE from the far end\)/, JSON.stringify(byTrunk(t)));
  assert.equal(records.length, 2, 'no record for the call refused with 488');
  rmSync(dirname(g.dataDir), { recursive: true, force: true });
});

test('register: a trunk with register:true answers the registrar\'s 401 with digest, refreshes, and /api/sip/status says registered', { skip, timeout: 60_000 }, async () => {
  const [regPort] = (await pickFreeUdpPorts(1)) as [number];
  // The registrar first: serve registers as it starts. It checks the digest (fax / s3cret)
  // and Expires: 3600, grants 2 s, and wants the refresh challenged and authorized again.
  const registrar = runSipp({ scenario: 'uas-auth-register-401.xml', port: regPort, localIp: '127.0.0.4', timeoutS: 30 });
  toKill.push(registrar);
  await sleep(300);
  const g = await startGateway('register', {
    trunks: [{ name: 'registrar', host: '127.0.0.4', port: regPort, register: true, username: 'fax', password: 's3cret' }],
    dids: [{ number: '03-6368-4102', account: 'reg' }],
  });
  gateways.push(g);
  const registeredAfterMs = Date.now();
  const states: string[] = [];
  await waitFor('registered in /api/sip/status', async () => {
    const s = (await sipStatus(g)).registrations.registrar ?? 'absent';
    if (states.at(-1) !== s) states.push(s);
    return s === 'registered' ? s : undefined;
  }, 15_000);
  const r = await registrar.result;
  sippClean(r, 'registrar (both REGISTERs digest-verified, the refresh within the 2 s expiry)');
  assert.deepEqual(states.filter((s) => s !== 'registering'), ['registered'], `states seen: ${states.join(' -> ')} (${Date.now() - registeredAfterMs} ms)`);
  assert.equal((await sipStatus(g)).registrations.registrar, 'registered', 'still registered right after the refresh');
  g.served.child.kill('SIGTERM');
  assert.equal(await g.served.exited, 0, g.served.stderr().slice(-2000));
  rmSync(dirname(g.dataDir), { recursive: true, force: true });
});

test('crash: kill -9 during a reception; after the restart the call is interrupted (256) with the pages accepted before the crash, and a new call is received whole', { skip, timeout: 150_000 }, async () => {
  const mediaMin = await freeUdpRange(4);
  // A fresh process puts its first call's UDPTL on the first port of the range: known to SpanDSP in advance.
  const g = await startGateway('crash', {
    mediaPorts: { min: mediaMin, max: mediaMin + 3 },
    trunks: [{ name: 'carrier', host: '127.0.0.1', maxChannels: 1, t38: { policy: 'offer-in-invite' } }],
    dids: [{ number: '03-6368-4103', account: 'crash' }],
  });
  gateways.push(g);
  const inbox = join(g.dataDir, 'faxes', 'inbound', 'crash');
  const fax = async (tiff: string): Promise<{ spandsp: ReturnType<typeof runSpandsp>; sipp: ReturnType<typeof runSipp> }> => {
    const [sippPort, spandspPort, sippMedia] = (await pickFreeUdpPorts(3)) as [number, number, number];
    const spandsp = runSpandsp('send', { localPort: spandspPort, remote: `127.0.0.1:${mediaMin}`, tiff, timeoutS: 90 });
    toKill.push({ kill: () => spandsp.process.kill('SIGKILL') });
    await spandsp.ready;
    const sipp = runSipp({ scenario: 'uac-t38-fax-spandsp.xml', port: sippPort, mediaPort: sippMedia, remote: `127.0.0.1:${g.sipPort}`, service: '0363684103', keys: { spandsp_port: String(spandspPort) }, timeoutS: 100 });
    toKill.push(sipp);
    return { spandsp, sipp };
  };

  const first = await fax(threePages);
  // Page 1 is written to the TIFF when it has arrived; pages 2 and 3 are still to come.
  const tif = await waitFor('page 1 in the inbox', async () => (existsSync(inbox) ? readdirSync(inbox).find((f) => f.endsWith('.tif')) : undefined), 60_000);
  assert.equal((await sipStatus(g)).calls.active, 1, 'the call is still in progress');
  g.served.child.kill('SIGKILL');
  assert.equal(await g.served.exited, 'SIGKILL');
  first.sipp.kill();
  first.spandsp.process.kill('SIGKILL');
  await first.sipp.result;
  await first.spandsp.result.catch(() => undefined);

  // Same data directory, same config: the start-up sweep finds the call cut off.
  g.served = await startServe(g.config);
  g.sipPort = (await sipStatus(g)).listening.udp;
  // The sweep runs before SIP listens: its log line (pino, stdout) is there by now.
  const sweep = g.served.stdout().split('\n').filter((l) => l.includes('recorded as interrupted')).map((l) => JSON.parse(l) as { calls: number });
  assert.deepEqual(sweep.map((l) => l.calls), [1], `serve's log:\n${g.served.stdout()}`);
  // What the crash left on disk: the TIFF of the cut-off call, complete up to its last accepted page.
  const kept = join(inbox, tif);
  assert.ok(existsSync(kept), 'the cut-off call keeps its file');
  assert.equal(tiffinfo(kept).code, 0, 'libtiff reads the file a kill -9 left');
  const second = await fax(onePage);
  const [tx, sippRun] = await Promise.all([second.spandsp.result, second.sipp.result]);
  sippClean(sippRun, 'the call after the restart (serve sends the BYE)');
  assert.equal(tx.ok, true, `SpanDSP after the restart: ${tx.reason}\n${g.served.stderr().slice(-2000)}`);
  assert.equal(tx.pages, 1);

  const records = await stopAndReadRecords(g, 'crash');
  assert.equal(records.length, 2, JSON.stringify(records, null, 1));
  const cut = records.find((r) => tif.startsWith(r.id));
  assert.ok(cut !== undefined, `a record for ${tif}: ${JSON.stringify(records, null, 1)}`);
  assert.equal(cut.status, 'interrupted');
  assert.equal(cut.resultCode, 256);
  // Every page accepted before the crash is kept, pixel for pixel, and the record points at it.
  assert.equal(cut.file, kept);
  const salvaged = readTiffPagesWithLibtiff(kept);
  assert.ok(cut.pages !== undefined && cut.pages >= 1 && cut.pages === salvaged.length, `pages kept: ${cut.pages}, in the file: ${salvaged.length}`);
  const sentThree = readTiffPagesWithLibtiff(threePages);
  salvaged.forEach((p, i) => assert.equal(comparePages(sentThree[i]!, p).differingRows, 0, `salvaged page ${i + 1}`));
  assert.match(cut.reason ?? '', /interrupted/);
  assert.ok(cut.endedAt !== undefined && cut.endedAt >= cut.startedAt);
  const next = records.find((r) => r !== cut)!;
  assert.deepEqual([next.status, next.pages, next.resultCode], ['received', 1, 0], JSON.stringify(next));
  const got = readTiffPagesWithLibtiff(next.file!);
  const sent = readTiffPagesWithLibtiff(onePage);
  assert.equal(got.length, 1);
  assert.equal(comparePages(sent[0]!, got[0]!).differingRows, 0, 'the page after the restart, pixel for pixel');
  rmSync(dirname(g.dataDir), { recursive: true, force: true });
});

interface MediaStop {
  readonly byeMs: number;
  readonly freeMs: number;
  readonly status: SipStatus;
  readonly record: InboundFaxRecord;
  /** The serve's temporary directory (the TIFF is under it). */
  readonly dir: string;
}

/**
 * SpanDSP sends `tiff` to a fresh serve and vanishes (no DCN, no more UDPTL) once page 1 was
 * confirmed with MCF; SIPp waits for serve's BYE. Times are from SpanDSP's exit.
 */
async function mediaStops(name: string, tiff: string): Promise<MediaStop> {
  const mediaMin = await freeUdpRange(4);
  const g = await startGateway(name, {
    mediaPorts: { min: mediaMin, max: mediaMin + 3 },
    trunks: [{ name: 'carrier', host: '127.0.0.1', maxChannels: 1, t38: { policy: 'offer-in-invite' } }],
    dids: [{ number: '03-6368-4104', account: 'media' }],
  });
  gateways.push(g);
  const [sippPort, spandspPort, sippMedia] = (await pickFreeUdpPorts(3)) as [number, number, number];
  const spandsp = runSpandsp('send', { localPort: spandspPort, remote: `127.0.0.1:${mediaMin}`, tiff, timeoutS: 90, dieAfterPages: 1 });
  toKill.push({ kill: () => spandsp.process.kill('SIGKILL') });
  await spandsp.ready;
  const sipp = runSipp({ scenario: 'uac-t38-fax-spandsp.xml', port: sippPort, mediaPort: sippMedia, remote: `127.0.0.1:${g.sipPort}`, service: '0363684104', keys: { spandsp_port: String(spandspPort) }, timeoutS: 110 });
  toKill.push(sipp);
  const tx = await spandsp.result;
  const goneAt = Date.now();
  assert.equal(tx.aborted, 'die-after-pages', `${name}: SpanDSP ${JSON.stringify({ ok: tx.ok, reason: tx.reason, pages: tx.pages })}`);
  assert.equal(tx.pages, 1);
  const sippRun = await sipp.result;
  const byeMs = Date.now() - goneAt;
  sippClean(sippRun, `${name}: serve must send the BYE itself`);
  const status = await waitFor('the channel free', async () => {
    const st = await sipStatus(g);
    return st.channels.carrier?.inUse === 0 && st.calls.active === 0 ? st : undefined;
  }, 10_000);
  const freeMs = Date.now() - goneAt;
  // No socket left behind: every port of serve's media range binds again while serve runs
  // (serve frees the channel just before it closes the sockets: give that a moment).
  let held: number[] = [];
  for (const until = Date.now() + 2000; ; await sleep(100)) {
    held = await boundPorts(mediaMin, 4);
    if (held.length === 0 || Date.now() > until) break;
  }
  assert.deepEqual(held, [], `${name}: media ports still bound after the call`);
  const [record, ...others] = await stopAndReadRecords(g, 'media');
  assert.equal(others.length, 0);
  assert.ok(record !== undefined);
  process.stderr.write(`# ${name}: serve's BYE ${byeMs} ms after SpanDSP vanished, channel free after ${freeMs} ms; record ${record.status}, ${record.pages} page(s), code ${record.resultCode}: ${record.reason}\n`);
  return { byeMs, freeMs, status, record, dir: dirname(g.dataDir) };
}

test('media stops mid-fax: SpanDSP vanishes after page 1 of 3 (or after the only page, DCN lost); serve hangs up by itself, keeps the page, frees the channel', { skip, timeout: 150_000 }, async () => {
  // Two serves side by side: the calls are paced by the fax line, not the CPU.
  const [midway, atEnd] = await Promise.all([mediaStops('media-midway', threePages), mediaStops('media-dcn-lost', onePage)]);
  // T.30: after MCF the receiver waits T2 (6 s) for the next command; the T.38 idle
  // watchdog is 60 s. Anything near SIPp's own 110 s would be serve holding on.
  for (const m of [midway, atEnd]) assert.ok(m.byeMs < 70_000, `BYE ${m.byeMs} ms after SpanDSP vanished`);

  const r = midway.record;
  assert.equal(midway.status.calls.failed, 1, 'counted as not received');
  assert.equal(r.status, 'partial', JSON.stringify(r));
  assert.equal(r.pages, 1);
  assert.notEqual(r.resultCode, 0);
  assert.ok(r.file !== undefined && existsSync(r.file), JSON.stringify(r));
  const info = tiffinfo(r.file);
  assert.equal(info.code, 0, info.stderr);
  assert.equal(info.pages, 1, 'libtiff walks exactly the one page kept');
  assert.equal(info.stderr, '', 'libtiff has nothing to complain about');
  const got = readTiffPagesWithLibtiff(r.file);
  assert.equal(comparePages(readTiffPagesWithLibtiff(threePages)[0]!, got[0]!).differingRows, 0, 'page 1 pixel for pixel');

  // The last page was confirmed (MCF to EOP): the document is complete whether or not DCN came.
  const d = atEnd.record;
  assert.deepEqual([d.status, d.pages, d.resultCode], ['received', 1, 0], JSON.stringify(d));
  assert.equal(atEnd.status.calls.received, 1);
  assert.equal(tiffinfo(d.file!).pages, 1);
  for (const m of [midway, atEnd]) rmSync(m.dir, { recursive: true, force: true });
});

/** One TLS connection through `openssl s_client`, with SIP messages written in and read out whole. */
class TlsPeer {
  private buffer = '';
  private readonly messages: string[] = [];
  private waiting: (() => void) | undefined;
  readonly child: ChildProcessWithoutNullStreams;
  stderr = '';

  constructor(port: number, ca: string) {
    // -verify_return_error: the handshake fails unless serve presents the configured certificate for 127.0.0.1.
    this.child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-quiet', '-CAfile', ca, '-verify_ip', '127.0.0.1', '-verify_return_error'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.buffer += d;
      this.split();
      this.waiting?.();
    });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
  }

  private split(): void {
    for (;;) {
      this.buffer = this.buffer.replace(/^(\r\n)+/, '');
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/^content-length:\s*(\d+)/im.exec(this.buffer.slice(0, end))?.[1] ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      this.messages.push(this.buffer.slice(0, end + 4 + length));
      this.buffer = this.buffer.slice(end + 4 + length);
    }
  }

  send(lines: readonly string[], body = ''): void {
    this.child.stdin.write([...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));
  }

  /** The first message (taken out) that matches, within `timeoutMs`. */
  async next(match: RegExp, timeoutMs = 10_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex((m) => match.test(m));
      if (i >= 0) return this.messages.splice(i, 1)[0]!;
      const left = until - Date.now();
      if (left <= 0 || this.child.exitCode !== null) throw new Error(`no ${match} over TLS; got:\n${this.messages.join('\n---\n')}\n${this.buffer}\ns_client: ${this.stderr}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiting = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }
}

test('tls: serve presents its certificate to OpenSSL, answers OPTIONS, takes a T.38 INVITE and sends UDPTL to its c= line, answers BYE', { skip: skip || (!hasOpenssl && 'openssl is not installed'), timeout: 60_000 }, async () => {
  const dir = tempDir('faxgate-gwr-tls-cert-');
  const cert = join(dir, 'sip.pem');
  const key = join(dir, 'sip.key');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const g = await startGateway('tls', {
    tls: { port: 0, cert, key },
    trunks: [{ name: 'tls-peer', host: '127.0.0.1', transport: 'tls', t38: { policy: 'offer-in-invite' } }],
    dids: [{ number: '03-6368-4105', account: 'tls' }],
  });
  gateways.push(g);
  const tlsPort = (await sipStatus(g)).listening.tls;
  assert.ok(tlsPort !== undefined && tlsPort > 0, 'listening on TLS');

  // Our T.38 media: a socket that counts what serve sends to the c=/m= of our offer.
  const udptl = createSocket('udp4');
  let datagrams = 0;
  udptl.on('message', () => datagrams++);
  await new Promise<void>((r) => udptl.bind(0, '127.0.0.1', () => r()));
  const peer = new TlsPeer(tlsPort, cert);
  toKill.push({ kill: () => peer.child.kill('SIGKILL') });
  try {
    const via = (branch: string): string => `Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK${branch}`;
    const callId = `tls-${process.pid}-${Date.now()}@127.0.0.1`;
    peer.send([`OPTIONS sip:127.0.0.1:${tlsPort};transport=tls SIP/2.0`, via('-opt1'), 'Max-Forwards: 70', 'From: <sip:probe@127.0.0.1>;tag=opt1', `To: <sip:127.0.0.1:${tlsPort}>`, `Call-ID: opt-${callId}`, 'CSeq: 1 OPTIONS']);
    const options = await peer.next(/^SIP\/2\.0 \d+[^]*CSeq: 1 OPTIONS/im);
    assert.match(options, /^SIP\/2\.0 200 /);
    assert.match(options, /^Via: SIP\/2\.0\/TLS 127\.0\.0\.1:5061;branch=z9hG4bK-opt1/im);

    const sdp = ['v=0', 'o=gw 7 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=image ${udptl.address().port} udptl t38`,
      'a=T38FaxVersion:0', 'a=T38MaxBitRate:14400', 'a=T38FaxRateManagement:transferredTCF', 'a=T38FaxMaxDatagram:400', 'a=T38FaxUdpEC:t38UDPRedundancy', ''].join('\r\n');
    const from = 'From: "TLS Fax" <sip:0355550005@127.0.0.1>;tag=tls1';
    const target = `sip:0363684105@127.0.0.1:${tlsPort};transport=tls`;
    peer.send([`INVITE ${target} SIP/2.0`, via('-inv1'), 'Max-Forwards: 70', from, `To: <${target}>`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', 'Contact: <sip:gw@127.0.0.1:5061;transport=tls>', 'Content-Type: application/sdp'], sdp);
    const ok = await peer.next(/^SIP\/2\.0 [2-6]\d\d [^]*CSeq: 1 INVITE/im, 15_000);
    assert.match(ok, /^SIP\/2\.0 200 /, ok);
    assert.match(ok, /^m=image [1-9]\d* udptl t38/m);
    const to = /^To: (.*)$/im.exec(ok)?.[1]?.trim();
    const contact = /^Contact: .*<([^>]+)>/im.exec(ok)?.[1];
    assert.ok(to !== undefined && /;tag=/.test(to) && contact !== undefined, ok);
    assert.match(contact, /transport=tls/i, 'serve\'s Contact asks for TLS');
    peer.send([`ACK ${contact} SIP/2.0`, via('-ack1'), 'Max-Forwards: 70', from, `To: ${to}`, `Call-ID: ${callId}`, 'CSeq: 1 ACK']);
    // serve's T.30 answerer starts at once: CED/DIS indicators as UDPTL to our m=image.
    await waitFor('UDPTL from serve', async () => (datagrams > 0 ? datagrams : undefined), 10_000);
    peer.send([`BYE ${contact} SIP/2.0`, via('-bye1'), 'Max-Forwards: 70', from, `To: ${to}`, `Call-ID: ${callId}`, 'CSeq: 2 BYE']);
    assert.match(await peer.next(/^SIP\/2\.0 \d+[^]*CSeq: 2 BYE/im), /^SIP\/2\.0 200 /);
    const byeAt = Date.now();
    // No DCN to a line that is gone: the channel is free at once.
    await waitFor('the channel free', async () => ((await sipStatus(g)).channels['tls-peer']?.inUse === 0 ? true : undefined), 2000);
    process.stderr.write(`# tls: channel free ${Date.now() - byeAt} ms after serve answered our BYE\n`);
  } finally {
    peer.child.kill('SIGTERM');
    udptl.close();
  }
  const [r, ...others] = await stopAndReadRecords(g, 'tls');
  assert.equal(others.length, 0);
  assert.deepEqual([r?.trunk, r?.t38Via, r?.status], ['tls-peer', 'invite', 'failed'], JSON.stringify(r));
  rmSync(dir, { recursive: true, force: true });
  rmSync(dirname(g.dataDir), { recursive: true, force: true });
});

test('stop: SIGTERM while a caller has vanished mid-call: serve ends the call, records it and exits 0 (no BYE left waiting forever)', { skip, timeout: 90_000 }, async () => {
  const g = await startGateway('stop', {
    drainMs: 1000,
    trunks: [{ name: 'carrier', host: '127.0.0.1', t38: { policy: 'offer-in-invite' } }],
    dids: [{ number: '03-6368-4106', account: 'stop' }],
  });
  gateways.push(g);
  const [sippPort, sippMedia] = (await pickFreeUdpPorts(2)) as [number, number];
  const held = runSipp({ scenario: 'uac-t38-hold.xml', port: sippPort, mediaPort: sippMedia, remote: `127.0.0.1:${g.sipPort}`, service: '0363684106', extraArgs: ['-d', '60000'], timeoutS: 90 });
  toKill.push(held);
  await waitFor('the call answered', async () => ((await sipStatus(g)).calls.active === 1 ? true : undefined), 15_000);
  held.kill(); // SIGKILL: the caller is gone without a BYE; serve's BYE will never be answered
  await held.result;
  const asked = Date.now();
  g.served.child.kill('SIGTERM');
  const exit = await Promise.race([g.served.exited, sleep(45_000).then(() => 'still running after 45 s')]);
  assert.equal(exit, 0, `serve after SIGTERM:\n${g.served.stdout().split('\n').slice(-8).join('\n')}`);
  process.stderr.write(`# stop: serve exited ${Date.now() - asked} ms after SIGTERM with a vanished caller\n`);
  const [r, ...others] = await stopAndReadRecords(g, 'stop');
  assert.equal(others.length, 0);
  assert.equal(r?.status, 'failed', JSON.stringify(r));
  assert.ok(r?.endedAt !== undefined);
  rmSync(dirname(g.dataDir), { recursive: true, force: true });
});
