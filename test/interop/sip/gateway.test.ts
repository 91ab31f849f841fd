/**
 * `faxgate serve` answering fax calls over SIP (issue 6), as carriers and other faxgates
 * call it: SpanDSP behind a SIPp gateway with T.38 in the INVITE; five `faxgate call send`
 * at once (three T.38 in the INVITE, two audio first, switched by CNG/CED and re-INVITE);
 * through a record-routing Kamailio; and the refusals (unknown source 403, unknown number 404,
 * channels full 503). Every received page is checked with libtiff against what was sent, and
 * every call's record is read back from the store after a clean stop.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LevelBackend } from '../../../core/store/level-backend.ts';
import { Store } from '../../../core/store/store.ts';
import { InboundFaxStore, type InboundFaxRecord } from '../../../plugins/sip-gateway/records.ts';
import { callSendThroughProxy, hasKamailio, startKamailio, type KamailioProxy } from '../../support/kamailio.ts';
import { httpJson, serve, tempDir, writeConfig, type Served } from '../../support/serve.ts';
import { ensureSpandspHarness, freeUdpRange, pickFreeUdpPorts, runSpandsp } from '../../support/spandsp.ts';
import { comparePages, readTiffPagesWithLibtiff } from '../spandsp/libtiff-pages.ts';
import { runSipp, type SippResult } from './sipp.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const workDir = join(root, 'test', '.work', 'gateway');
const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const skip = hasSipp ? false : 'sipp (Debian sip-tester) is not installed';

const DID_A = '03-6368-4001';
const DID_B = '03-6368-4002';

interface Gateway {
  readonly served: Served;
  readonly dataDir: string;
  readonly sipPort: number;
}

interface SipStatus {
  listening: { udp: number; tcp?: number };
  channels: Record<string, { inUse: number; max: number }>;
  calls: { active: number; answered: number; refused: Record<string, number>; received: number; failed: number };
}

async function startGateway(name: string, sip: Record<string, unknown>): Promise<Gateway> {
  const dir = tempDir(`faxgate-gw-${name}-`);
  const dataDir = join(dir, 'data');
  const config = writeConfig(dir, { dataDir, http: { host: '127.0.0.1', port: 0 }, pluginConfig: { sip: { host: '127.0.0.1', port: 0, ...sip } } });
  const served = await serve(['--config', config], { timeoutMs: 30_000 });
  assert.ok(served.url !== '', `faxgate serve did not start:\n${served.stderr()}`);
  const status = (await httpJson('GET', `${served.url}/api/sip/status`)).json as SipStatus;
  return { served, dataDir, sipPort: status.listening.udp };
}

async function sipStatus(g: Gateway): Promise<SipStatus> {
  return (await httpJson('GET', `${g.served.url}/api/sip/status`)).json as SipStatus;
}

/** Stops serve cleanly (SIGTERM) and reads every inbound record of `account` from its store. */
async function stopAndReadRecords(g: Gateway, account: string): Promise<InboundFaxRecord[]> {
  g.served.child.kill('SIGTERM');
  assert.equal(await g.served.exited, 0, `serve did not stop cleanly:\n${g.served.stderr().slice(-2000)}`);
  const store = new Store(await LevelBackend.open(join(g.dataDir, 'store')));
  try {
    return await new InboundFaxStore(store.namespace('plugin:sip')).list(account, { limit: 1000 });
  } finally {
    await store.close();
  }
}

function faxgateCli(args: readonly string[]): Promise<{ code: number | null; json: { ok: boolean; code: number; reason: string; pages: number }; stderr: string }> {
  const child = spawn(process.execPath, [join(root, 'bin', 'faxgate.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      assert.ok(line, `faxgate ${args.join(' ')} printed no JSON (exit ${code}):\n${stdout}\n${stderr}`);
      resolve({ code, json: JSON.parse(line), stderr });
    });
  });
}

function sippClean(r: SippResult): void {
  assert.equal(r.code, 0, `sipp failed (exit ${r.code}):\n${r.errors}\n${r.stderr}\n${r.stdout.slice(-1500)}`);
}

function assertSamePage(sentTiff: string, receivedTiff: string): void {
  const sent = readTiffPagesWithLibtiff(sentTiff);
  const received = readTiffPagesWithLibtiff(receivedTiff);
  assert.equal(received.length, sent.length, `pages in ${receivedTiff}`);
  sent.forEach((page, i) => {
    const d = comparePages(page, received[i]!);
    assert.ok(d.blackPixels > 1000, 'the page sent has text on it');
    assert.ok(d.sameSize, `page ${i + 1}: same size`);
    assert.equal(d.differingRows, 0, `page ${i + 1}: rows that differ`);
  });
}

let page = '';
let gwA: Gateway | undefined;
let gwB: Gateway | undefined;
let kamailio: KamailioProxy | undefined;
let mediaB = 0;

before(async () => {
  if (skip !== false) return;
  mkdirSync(workDir, { recursive: true });
  await ensureSpandspHarness();
  // One standard-resolution page: a real fax in about ten seconds at 14,400 bit/s.
  page = join(workDir, 'standard-page.tif');
  if (!existsSync(page)) {
    const ps = join(workDir, 'standard-page.ps');
    const lines = ['%!PS', '/Helvetica findfont 30 scalefont setfont'];
    for (let l = 0; l < 6; l++) lines.push(`60 ${700 - l * 50} moveto (faxgate serve receives over SIP, line ${l + 1}) show`);
    lines.push('100 200 moveto 380 60 rlineto 10 setlinewidth stroke showpage');
    writeFileSync(ps, lines.join('\n') + '\n');
    const gs = spawnSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=tiffg4', '-r204x98', '-g1728x1146', `-sOutputFile=${page}`, ps], { encoding: 'utf8' });
    assert.equal(gs.status, 0, `ghostscript failed: ${gs.stderr}`);
  }
  // A: the carrier trunk on 127.0.0.1 with room for five calls (default policy: audio then re-INVITE).
  gwA = await startGateway('a', {
    trunks: [{ name: 'loop', host: '127.0.0.1', maxChannels: 8 }],
    dids: [{ number: DID_A, account: 'acme', mailbox: 'sales' }],
  });
  // B: a one-channel trunk whose UDPTL port is known in advance (the first of its media range),
  // so the SpanDSP behind SIPp can be pointed at it.
  mediaB = await freeUdpRange(4);
  gwB = await startGateway('b', {
    mediaPorts: { min: mediaB, max: mediaB + 3 },
    trunks: [{ name: 'carrier', host: '127.0.0.1', maxChannels: 1, t38: { policy: 'offer-in-invite' } }],
    dids: [{ number: DID_B, account: 'beta' }],
  });
  if (hasKamailio) kamailio = await startKamailio();
});

after(async () => {
  for (const g of [gwA, gwB]) if (g !== undefined && g.served.child.exitCode === null) g.served.child.kill('SIGKILL');
  await kamailio?.stop();
});

test('serve: a SIPp gateway calls with T.38 in the INVITE, SpanDSP sends one page, faxgate stores it pixel for pixel and hangs up', { skip, timeout: 120_000 }, async () => {
  const g = gwB!;
  const [sippPort, spandspPort] = (await pickFreeUdpPorts(2)) as [number, number];
  const spandsp = runSpandsp('send', { localPort: spandspPort, remote: `127.0.0.1:${mediaB}`, tiff: page, timeoutS: 90, csid: '+81 3 5555 0000' });
  await spandsp.ready;
  const sipp = runSipp({ scenario: 'uac-t38-fax-spandsp.xml', port: sippPort, remote: `127.0.0.1:${g.sipPort}`, service: '0363684002', keys: { spandsp_port: String(spandspPort) }, timeoutS: 100 });
  const [tx, sippRun] = await Promise.all([spandsp.result, sipp.result]);
  sippClean(sippRun); // includes: faxgate sent the BYE itself
  assert.equal(tx.ok, true, `SpanDSP: ${tx.reason}\n${g.served.stderr().slice(-2000)}`);
  assert.equal(tx.pages, 1);
  assert.equal(tx.remoteCsid, '+81363684002', 'our CSI is the called DID');
  const status = await sipStatus(g);
  assert.equal(status.calls.received, 1);
  assert.equal(status.channels.carrier?.inUse, 0, 'the channel is free again');
});

test('serve: refusals: unknown source 403, unknown number 404, channels full 503 (the held call goes on)', { skip, timeout: 60_000 }, async () => {
  const g = gwB!;
  const [p1, p2, p3, p4, m1, m2, m3, m4] = (await pickFreeUdpPorts(8)) as [number, number, number, number, number, number, number, number];
  const remote = `127.0.0.1:${g.sipPort}`;
  const held = runSipp({ scenario: 'uac-t38-hold.xml', port: p1, mediaPort: m1, remote, service: '0363684002', extraArgs: ['-d', '4000'], timeoutS: 30 });
  // The held call must own the channel before the next one comes.
  for (let i = 0; i < 50 && (await sipStatus(g)).channels.carrier?.inUse !== 1; i++) await new Promise((r) => setTimeout(r, 100));
  const full = await runSipp({ scenario: 'uac-t38-hold.xml', port: p2, mediaPort: m2, remote, service: '0363684002', extraArgs: ['-d', '0'], timeoutS: 15 }).result;
  const unknownDid = await runSipp({ scenario: 'uac-t38-hold.xml', port: p3, mediaPort: m3, remote, service: '0399999999', extraArgs: ['-d', '0'], timeoutS: 15 }).result;
  const unknownSource = await runSipp({ scenario: 'uac-t38-hold.xml', port: p4, mediaPort: m4, localIp: '127.0.0.5', remote, service: '0363684002', extraArgs: ['-d', '0'], timeoutS: 15 }).result;
  const heldRun = await held.result;
  for (const r of [full, unknownDid, unknownSource, heldRun]) sippClean(r);
  assert.match(full.log, /refused 503/);
  assert.match(unknownDid.log, /refused 404/);
  assert.match(unknownSource.log, /refused 403/);
  assert.match(heldRun.log, /answered 200/);
  // The held call's BYE ends its fax attempt at once (no DCN to a line that is gone).
  let status = await sipStatus(g);
  for (let i = 0; i < 50 && status.channels.carrier?.inUse !== 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = await sipStatus(g);
  }
  assert.deepEqual(status.calls.refused, { 'channels-full': 1, INBOUND_UNKNOWN_DID: 1, INBOUND_UNKNOWN_SOURCE: 1 });
  assert.equal(status.channels.carrier?.inUse, 0);
});

test('serve: a delayed offer (INVITE without SDP): faxgate offers T.38 in its 200, takes the answer from the ACK', { skip, timeout: 60_000 }, async () => {
  const g = gwB!;
  const [sippPort, sippMedia] = (await pickFreeUdpPorts(2)) as [number, number];
  sippClean(await runSipp({ scenario: 'uac-delayed-offer.xml', port: sippPort, mediaPort: sippMedia, remote: `127.0.0.1:${g.sipPort}`, service: '0363684002', timeoutS: 30 }).result);
  let status = await sipStatus(g);
  for (let i = 0; i < 50 && status.calls.active !== 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = await sipStatus(g);
  }
  assert.equal(status.calls.active, 0);
});

test('serve: five faxgate call send at once, three with T.38 in the INVITE and two audio first (CNG/CED, re-INVITE); every page arrives intact', { skip, timeout: 180_000 }, async () => {
  const g = gwA!;
  const modes = ['--t38-initial', '--audio-first', '--t38-initial', '--audio-first', '--t38-initial'];
  const runs = await Promise.all(modes.map((mode) => faxgateCli(['call', 'send', '--tiff', page, '--to', `sip:0363684001@127.0.0.1:${g.sipPort}`, mode, '--timeout', '150'])));
  runs.forEach((r, i) => {
    assert.equal(r.json.ok, true, `call ${i + 1} (${modes[i]}): ${JSON.stringify(r.json)}\n${r.stderr}\n${g.served.stderr().slice(-1500)}`);
    assert.equal(r.json.pages, 1);
    if (modes[i] === '--audio-first') assert.match(r.stderr, /T\.38 \((our|their)-reinvite\)/);
  });
  const status = await sipStatus(g);
  assert.equal(status.calls.received, 5);
  assert.equal(status.calls.active, 0);
  assert.equal(status.channels.loop?.inUse, 0);
});

test('serve: faxgate call send through a record-routing Kamailio to faxgate serve', { skip: skip || (!hasKamailio && 'kamailio is not installed'), timeout: 120_000 }, async () => {
  const g = gwA!;
  const run = await callSendThroughProxy({ proxy: kamailio!, tiff: page, to: `sip:0363684001@127.0.0.1:${g.sipPort}`, args: ['--timeout', '100'] });
  assert.equal(run.json.ok, true, `${JSON.stringify(run.json)}\n${run.stderr}\n${kamailio!.log().slice(-2000)}`);
  assert.equal(run.json.pages, 1);
  assert.match(kamailio!.log(), /INVITE/);
});

test('call send --to NUMBER over the config\'s trunks: the first trunk answers 503, the fax goes over the next one to serve', { skip, timeout: 120_000 }, async () => {
  const g = gwA!;
  const [sippPort, sippMedia] = (await pickFreeUdpPorts(2)) as [number, number];
  const dir = tempDir('faxgate-trunks-');
  const config = writeConfig(dir, {
    pluginConfig: { sip: { trunks: [
      { name: 'down', host: '127.0.0.1', port: sippPort, prefixes: ['+81'], priority: 1 },
      { name: 'up', host: '127.0.0.1', port: g.sipPort, prefixes: ['+81'], priority: 2, numberFormat: 'national', t38: { policy: 'offer-in-invite' } },
      { name: 'abroad', host: '127.0.0.1', port: 9, prefixes: ['+1'] },
    ] } },
  });
  const sipp = runSipp({ scenario: 'uas-unavailable.xml', port: sippPort, mediaPort: sippMedia, timeoutS: 60 });
  const run = await faxgateCli(['call', 'send', '--tiff', page, '--to', '03-6368-4001', '--config', config, '--timeout', '100']);
  sippClean(await sipp.result);
  const json = run.json as typeof run.json & { to: string; trunk: string; attempts: { trunk: string; result: string; policy?: string }[] };
  assert.equal(json.ok, true, `${JSON.stringify(json)}\n${run.stderr}`);
  assert.equal(json.to, '+81363684001');
  assert.equal(json.trunk, 'up');
  assert.deepEqual(json.attempts.map((x) => `${x.trunk}:${x.result}`), ['down:congestion', 'up:ok']);
  // The national number format of trunk "up": the Request-URI faxgate serve saw routed to the DID.
  assert.match(run.stderr, new RegExp(`dialling \\{"trunk":"up","target":"sip:0363684001@127\\.0\\.0\\.1:${g.sipPort}"`));
  assert.match(run.stderr, /dialling \{"trunk":"down","target":"sip:\+81363684001@/);
  rmSync(dir, { recursive: true, force: true });
});

test('serve: each call has its record in the DID\'s account, the TIFFs hold the pages sent', { skip, timeout: 60_000 }, async () => {
  const a = await stopAndReadRecords(gwA!, 'acme');
  const expectedA = hasKamailio ? 7 : 6;
  assert.equal(a.length, expectedA, JSON.stringify(a, null, 1));
  for (const r of a) {
    assert.equal(r.status, 'received', JSON.stringify(r));
    assert.equal(r.mailbox, 'sales');
    assert.equal(r.did, '+81363684001');
    assert.equal(r.trunk, 'loop');
    assert.equal(r.pages, 1);
    assert.equal(r.resultCode, 0);
    assert.ok(r.file !== undefined && existsSync(r.file), `file of ${r.id}`);
    assertSamePage(page, r.file);
  }
  const vias = a.map((r) => r.t38Via ?? '').sort();
  assert.equal(vias.filter((v) => v === 'invite').length, hasKamailio ? 5 : 4, vias.join(' '));
  assert.equal(vias.filter((v) => /reinvite/.test(v)).length, 2, vias.join(' '));

  const b = await stopAndReadRecords(gwB!, 'beta');
  const received = b.filter((r) => r.status === 'received');
  assert.equal(received.length, 1, JSON.stringify(b, null, 1));
  const fax = received[0]!;
  assert.equal(fax.from, '+81355550000', 'the caller from P-Asserted-Identity');
  assert.equal(fax.remoteCsid, '+81 3 5555 0000');
  assert.equal(fax.mailbox, 'main');
  assertSamePage(page, fax.file!);
  // The held call of the refusal test and the delayed offer: answered with T.38 (in the 200 for
  // the delayed offer, the ACK carrying the answer), no fax came (SIPp has no T.38 media).
  assert.equal(b.length, 3, JSON.stringify(b, null, 1));
  const noFax = b.filter((r) => r.status === 'failed' && r.pages === 0);
  assert.equal(noFax.length, 2, JSON.stringify(b, null, 1));
  assert.ok(noFax.every((r) => r.t38Via === 'invite'), JSON.stringify(noFax, null, 1));
  assert.ok(noFax.some((r) => r.from === '0355550009'), 'the delayed-offer call is recorded');
  rmSync(dirname(gwA!.dataDir), { recursive: true, force: true });
  rmSync(dirname(gwB!.dataDir), { recursive: true, force: true });
});
