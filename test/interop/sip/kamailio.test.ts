/**
 * faxgate behind Kamailio (issue 6): `faxgate call send --proxy` sends its INVITE to a
 * record-routing Kamailio, which relays it by the Request-URI to a SIPp gateway whose T.38
 * media is SpanDSP, or to `faxgate serve` whose trunk is the proxy. The page must arrive
 * pixel for pixel, and the dialog must stay on the proxy: the 200 OK brings Kamailio's
 * Record-Route to the caller, so the ACK and the BYE go through Kamailio (its trace shows
 * them arriving with its Route, SIPp sees its Via on top).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  assertDialogThroughProxy, callSendThroughProxy, hasKamailio, serveBehindProxy, startKamailio, waitForTrace, type KamailioProxy, type ProxiedCallResult, type ProxiedDialog,
} from '../../support/kamailio.ts';
import { ensureSpandspHarness, pickFreeUdpPorts, runSpandsp } from '../../support/spandsp.ts';
import { comparePages, readTiffPagesWithLibtiff } from '../spandsp/libtiff-pages.ts';
import { runSipp, type SippResult } from './sipp.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const workDir = join(root, 'test', '.work', 'kamailio');
const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const skip = !hasKamailio ? 'kamailio (Debian kamailio) is not installed' : !hasSipp ? 'sipp (Debian sip-tester) is not installed' : false;

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sippClean(r: SippResult): void {
  assert.equal(r.code, 0, `sipp failed (exit ${r.code}):\n${r.errors}\n${r.stderr}\n${r.stdout.slice(-1500)}`);
}

/** The top Via of each request SIPp logged as `METHOD Via: ...` (the scenario's <log> lines). */
function topVia(sippLog: string, method: string): string | undefined {
  return new RegExp(`^${method} Via: *([^\\r\\n,]*)`, 'm').exec(sippLog)?.[1];
}

let onePage = '';
let proxy: KamailioProxy | undefined;

before(async () => {
  if (skip !== false) return;
  mkdirSync(workDir, { recursive: true });
  await ensureSpandspHarness();
  proxy = await startKamailio();
  onePage = join(workDir, 'one-page.tif');
  if (existsSync(onePage)) return;
  const ps = join(workDir, 'one-page.ps');
  const lines = ['%!PS', '/Helvetica findfont 28 scalefont setfont'];
  for (let l = 0; l < 8; l++) lines.push(`60 ${700 - l * 40} moveto (through Kamailio to SpanDSP, line ${l + 1} - faxgate) show`);
  lines.push('150 200 moveto 300 -40 rlineto 8 setlinewidth stroke showpage');
  writeFileSync(ps, lines.join('\n') + '\n');
  const gs = spawnSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=tiffg4', '-r204x196', '-g1728x2292', `-sOutputFile=${onePage}`, ps], { encoding: 'utf8' });
  assert.equal(gs.status, 0, `ghostscript failed: ${gs.stderr}`);
});

after(async () => {
  await proxy?.stop();
});

interface ProxiedFax {
  readonly run: ProxiedCallResult;
  readonly sipp: SippResult;
  readonly dialog: ProxiedDialog;
}

/**
 * One fax from `faxgate call send` through the proxy to SIPp (`scenario`) with SpanDSP as its
 * media; checks the page pixel for pixel and that the whole dialog went through the proxy.
 */
async function faxThroughKamailio(kamailio: KamailioProxy, o: { scenario: string; transport: 'udp' | 'tcp' }): Promise<ProxiedFax> {
  const [sippPort, sippMedia, spandspPort] = (await pickFreeUdpPorts(3)) as [number, number, number];
  const out = join(workDir, `rx-${process.pid}-${o.transport}.tif`);
  rmSync(out, { force: true });
  const sipp = runSipp({ scenario: o.scenario, port: sippPort, mediaPort: sippMedia, keys: { spandsp_port: String(spandspPort) }, timeoutS: 40 });
  await delay(200);
  // As in call-send.test.ts: SpanDSP's timers run 10x fast from its start, so it starts once
  // faxgate has T.38 negotiated. The media goes straight between them: only SIP is proxied.
  let spandsp: ReturnType<typeof runSpandsp> | undefined;
  let mediaPort = 0;
  try {
    const run = await callSendThroughProxy({
      proxy: kamailio,
      tiff: onePage,
      to: `sip:0312345678@127.0.0.1:${sippPort}`,
      transport: o.transport,
      args: ['--time-scale', '10', '--timeout', '240', '--csid', '+81 3 5555 0100'],
      onStderr: (stderr) => {
        const m = /faxgate call: T\.38 .*?to \S+ from udp port (\d+)/.exec(stderr);
        if (spandsp !== undefined || m === null) return;
        mediaPort = Number(m[1]);
        spandsp = runSpandsp('recv', { localPort: spandspPort, remote: `127.0.0.1:${mediaPort}`, out, timeScale: 10, timeoutS: 240, csid: '+81 3 5555 0199' });
      },
    });
    if (spandsp === undefined) {
      sipp.kill();
      const r = await sipp.result;
      assert.fail(`faxgate never negotiated T.38: ${JSON.stringify(run.json)}\n${run.stderr}\nsipp: ${r.errors}\n${r.log}\n${kamailio.log().slice(-3000)}`);
    }
    const rx = await spandsp.result;
    const sippRun = await sipp.result;
    assert.equal(run.json.ok, true, `${JSON.stringify(run.json)}\n${run.stderr}\nspandsp: ${rx.reason}\n${kamailio.log().slice(-3000)}`);
    sippClean(sippRun);
    assert.equal(run.code, 0);
    assert.equal(mediaPort, run.mediaPort, 'UDPTL from the port faxgate offered');

    // The fax itself, checked with libtiff.
    assert.equal(run.json.pages, 1);
    assert.equal(rx.ok, true, rx.reason);
    assert.equal(rx.pages, 1);
    assert.equal(rx.remoteCsid, '+81 3 5555 0100');
    const sent = readTiffPagesWithLibtiff(onePage);
    const received = readTiffPagesWithLibtiff(out);
    assert.equal(received.length, 1);
    const d = comparePages(sent[0]!, received[0]!);
    assert.ok(d.blackPixels > 1000, 'the page sent has text on it');
    assert.ok(d.sameSize, 'same page size');
    assert.equal(d.differingRows, 0, 'rows that differ');

    // The proxy's view: INVITE from faxgate to SIPp, 200 with its Record-Route back, ACK and
    // BYE from faxgate carrying its Route. A TCP caller's source port is its connection's.
    const caller = o.transport === 'udp' ? `127.0.0.1:${run.sipPort}` : undefined;
    const dialog = await assertDialogThroughProxy(kamailio, { callee: `127.0.0.1:${sippPort}`, ...(caller === undefined ? {} : { caller }) });
    for (const e of dialog.entries) {
      if (e.kind === 'relay' && e.method !== 'INVITE' && e.callId === dialog.callId && e.ruri.includes(`:${sippPort}`)) {
        assert.equal(e.ruri, `sip:gateway@127.0.0.1:${sippPort}`, `${e.method} relayed to SIPp's Contact`);
      }
    }

    // SIPp's view: each request's top Via is the proxy's, so none came straight from faxgate.
    for (const method of ['INVITE', 'ACK', 'BYE']) {
      const via = topVia(sippRun.log, method);
      assert.ok(via !== undefined, `SIPp logged no ${method}:\n${sippRun.log}`);
      assert.match(via, new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${kamailio.port};`), `${method} arrived from the proxy`);
    }
    return { run, sipp: sippRun, dialog };
  } finally {
    sipp.kill();
    spandsp?.process.kill();
  }
}

/** The requests of the call as the proxy received them: `METHOD proto` in order. */
function requests(dialog: ProxiedDialog): string[] {
  return dialog.entries.flatMap((e) => (e.kind === 'request' ? [`${e.method} ${e.proto}`] : []));
}

test('kamailio: call send through a record-routing Kamailio to a SIPp/SpanDSP gateway; the page arrives pixel for pixel, ACK and BYE follow the Record-Route', { skip, timeout: 120_000 }, async () => {
  const kamailio = proxy!;
  const { run, dialog } = await faxThroughKamailio(kamailio, { scenario: 'kamailio-uas-t38-spandsp.xml', transport: 'udp' });
  // One loose-routing Record-Route: both hops are UDP.
  assert.match(dialog.recordRoute, new RegExp(`^<sip:127\\.0\\.0\\.1:${kamailio.port};lr;ftag=[^,]*>$`));
  const from = dialog.entries.flatMap((e) => (e.kind === 'request' ? [`${e.method} from ${e.from}`] : []));
  assert.deepEqual(from, ['INVITE', 'ACK', 'BYE'].map((m) => `${m} from 127.0.0.1:${run.sipPort}`));
});

test("kamailio: faxgate over TCP to the proxy, UDP on to the gateway; the gateway's session refresh reaches faxgate through the proxy", { skip, timeout: 120_000 }, async () => {
  const kamailio = proxy!;
  const { dialog } = await faxThroughKamailio(kamailio, { scenario: 'kamailio-uas-t38-spandsp-refresh.xml', transport: 'tcp' });
  // Changing transport, Kamailio record-routes twice (rr's enable_double_rr): the UDP side
  // for SIPp, the TCP side for faxgate, which must then send the ACK and the BYE over TCP.
  assert.match(dialog.recordRoute, /transport=tcp/i, dialog.recordRoute);
  assert.equal(dialog.recordRoute.split(',').length, 2, dialog.recordRoute);
  assert.deepEqual(requests(dialog), ['INVITE tcp', 'ACK tcp', 'INVITE udp', 'ACK udp', 'BYE tcp']);
  // The re-INVITE from SIPp went on to faxgate's Contact (TCP) and faxgate's 200 came back through the proxy.
  const refresh = dialog.entries.filter((e) => e.kind === 'relay' && e.method === 'INVITE').at(-1);
  assert.ok(refresh?.kind === 'relay' && /^sip:faxgate@127\.0\.0\.1:\d+;transport=tcp$/.test(refresh.ruri), JSON.stringify(refresh));
  assert.ok(dialog.entries.some((e) => e.kind === 'reply' && e.method === 'INVITE' && e.status === 200 && e.proto === 'tcp'), 'the 200 to the refresh came from faxgate over TCP');
});

test('kamailio: faxgate call send -> Kamailio (UDP) -> faxgate serve (TCP), the proxy as its trunk; the page is received pixel for pixel and both sides keep to the proxy', { skip, timeout: 180_000 }, async () => {
  const kamailio = proxy!;
  const far = await serveBehindProxy(kamailio, { did: '03-1234-5678' });
  try {
    const run = await callSendThroughProxy({
      proxy: kamailio,
      tiff: onePage,
      // ;transport=tcp in the Request-URI: the proxy relays over TCP, so it record-routes twice
      // (rr's double RR) and serve, as UAS, must send its requests over TCP to the proxy.
      to: `sip:0312345678@127.0.0.1:${far.tcpPort};transport=tcp`,
      args: ['--timeout', '120', '--csid', '+81 3 5555 0100'],
    });
    assert.equal(run.json.ok, true, `${JSON.stringify(run.json)}\n${run.stderr}\n--- serve ---\n${far.served.stderr().slice(-3000)}\n--- kamailio ---\n${kamailio.log().slice(-3000)}`);
    assert.equal(run.code, 0);
    assert.equal(run.json.pages, 1);
    const [tiff, ...more] = await far.receivedTiffs(1);
    assert.ok(tiff !== undefined && more.length === 0, `one received TIFF, not ${more.length + (tiff === undefined ? 0 : 1)}`);
    const sent = readTiffPagesWithLibtiff(onePage);
    const received = readTiffPagesWithLibtiff(tiff);
    assert.equal(received.length, 1);
    const d = comparePages(sent[0]!, received[0]!);
    assert.ok(d.blackPixels > 1000, 'the page sent has text on it');
    assert.ok(d.sameSize, 'same page size');
    assert.equal(d.differingRows, 0, 'rows that differ');

    const caller = `127.0.0.1:${run.sipPort}`;
    const dialog = await assertDialogThroughProxy(kamailio, { caller, callee: `127.0.0.1:${far.tcpPort}` });
    assert.equal(dialog.recordRoute.split(',').length, 2, dialog.recordRoute);
    assert.match(dialog.recordRoute, /transport=tcp/i, dialog.recordRoute);
    // Both ends are faxgate and either may hang up first (often both at once): every request
    // of the call, from either side, arrived at the proxy with its Route after the INVITE.
    for (const e of dialog.entries) {
      if (e.kind !== 'request') continue;
      // serve's own requests go over TCP from a connection of its own (any source port).
      assert.ok(e.from === caller || e.proto === 'tcp', `${e.method} from ${e.from} over ${e.proto}, neither faxgate`);
      if (e.method !== 'INVITE') assert.ok(e.route.includes(`127.0.0.1:${kamailio.port};`), `${e.method} from ${e.from} without the proxy's Route`);
      if (e.method === 'BYE' && e.from !== caller) assert.match(e.ruri, new RegExp(`^sip:faxgate@${caller.replace(/\./g, '\\.')}$`), "serve's BYE goes on to the caller's Contact");
    }
  } finally {
    await far.stop();
  }
});

test('kamailio: a call given up while it rings is CANCELled through the proxy; the 487 stops at the proxy, which ACKs it itself', { skip, timeout: 60_000 }, async () => {
  const kamailio = proxy!;
  const [sippPort, sippMedia] = (await pickFreeUdpPorts(2)) as [number, number];
  const sipp = runSipp({ scenario: 'kamailio-uas-ring-cancel.xml', port: sippPort, mediaPort: sippMedia, timeoutS: 20 });
  await delay(200);
  try {
    const run = await callSendThroughProxy({ proxy: kamailio, tiff: onePage, to: `sip:0312345678@127.0.0.1:${sippPort}`, args: ['--timeout', '2'] });
    const sippRun = await sipp.result;
    sippClean(sippRun);
    assert.equal(run.code, 1);
    assert.equal(run.json.ok, false);
    assert.equal(run.json.code, 6018, run.json.reason);

    // faxgate's ACK reaches the proxy after SIPp's (the proxy ACKs the 487 before relaying it).
    await waitForTrace(kamailio, (t) => t.some((e) => e.kind === 'request' && e.method === 'ACK' && e.from === `127.0.0.1:${run.sipPort}`), 2000);
    const invite = kamailio.trace().find((e) => e.kind === 'request' && e.method === 'INVITE' && e.ruri.endsWith(`@127.0.0.1:${sippPort}`));
    assert.ok(invite?.kind === 'request', 'the INVITE reached the proxy');
    const call = kamailio.trace().filter((e) => e.callId === invite.callId);
    const seen = call.map((e) => (e.kind === 'request' ? `${e.method} from ${e.from}` : e.kind === 'relay' ? `relay ${e.method}` : `${e.status} ${e.method} from ${e.from}`));
    const caller = `127.0.0.1:${run.sipPort}`;
    const callee = `127.0.0.1:${sippPort}`;
    assert.deepEqual(seen, [
      `INVITE from ${caller}`, 'relay INVITE', `100 INVITE from ${callee}`, `180 INVITE from ${callee}`,
      `CANCEL from ${caller}`, 'relay CANCEL', `200 CANCEL from ${callee}`, `487 INVITE from ${callee}`,
      // faxgate's ACK to the 487 is hop by hop: the proxy's transaction takes it, nothing relays it.
      `ACK from ${caller}`,
    ]);
    // SIPp got the CANCEL from the proxy, and the ACK to its 487 from the proxy alone (one Via).
    assert.match(topVia(sippRun.log, 'CANCEL') ?? '', new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${kamailio.port};`));
    const ackVia = /^ACK Via: *(.*)$/m.exec(sippRun.log)?.[1] ?? '';
    assert.match(ackVia, new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${kamailio.port};[^,]*$`), ackVia);
  } finally {
    sipp.kill();
  }
});

// The numbers are FAX_RESULTS' codes, written out so a changed mapping fails here.
test('kamailio: a 486 from the gateway comes back through the proxy as fax result 6017 (busy); the ACK to it stops at the proxy', { skip, timeout: 30_000 }, async () => {
  const kamailio = proxy!;
  const [sippPort, sippMedia] = (await pickFreeUdpPorts(2)) as [number, number];
  const sipp = runSipp({ scenario: 'uas-busy.xml', port: sippPort, mediaPort: sippMedia });
  await delay(200);
  try {
    const run = await callSendThroughProxy({ proxy: kamailio, tiff: onePage, to: `sip:0312345678@127.0.0.1:${sippPort}` });
    sippClean(await sipp.result);
    assert.equal(run.code, 1);
    assert.equal(run.json.code, 6017, run.json.reason);
    assert.match(run.json.reason, /SIP 486/);
    const caller = `127.0.0.1:${run.sipPort}`;
    await waitForTrace(kamailio, (t) => t.some((e) => e.kind === 'request' && e.method === 'ACK' && e.from === caller), 2000);
    const invite = kamailio.trace().find((e) => e.kind === 'request' && e.method === 'INVITE' && e.from === caller);
    assert.ok(invite !== undefined, 'the INVITE reached the proxy');
    const seen = kamailio.trace().filter((e) => e.callId === invite.callId)
      .map((e) => (e.kind === 'request' ? `${e.method} from ${e.from}` : e.kind === 'relay' ? `relay ${e.method}` : `${e.status} ${e.method} from ${e.from}`));
    assert.deepEqual(seen, [`INVITE from ${caller}`, 'relay INVITE', `486 INVITE from 127.0.0.1:${sippPort}`, `ACK from ${caller}`]);
  } finally {
    sipp.kill();
  }
});
