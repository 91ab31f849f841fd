/**
 * `faxgate call send` against a SIPp gateway whose T.38 media is the SpanDSP harness: the
 * CLI places the call, negotiates T.38 from the 200 OK, faxes a page to SpanDSP and hangs
 * up. Pages are compared pixel for pixel through libtiff; a 486 ends as the busy result.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureSpandspHarness, pickFreeUdpPorts, runSpandsp } from '../../support/spandsp.ts';
import { comparePages, readTiffPagesWithLibtiff } from '../spandsp/libtiff-pages.ts';
import { runSipp, type SippResult } from './sipp.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const workDir = join(root, 'test', '.work', 'call-send');
const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const skip = hasSipp ? false : 'sipp (Debian sip-tester) is not installed';

interface CliRun {
  readonly code: number | null;
  readonly json: { ok: boolean; code: number; reason: string; pages: number };
  readonly stderr: string;
}

function faxgate(args: readonly string[], onStderr: (text: string) => void = () => {}): Promise<CliRun> {
  const child = spawn(process.execPath, [join(root, 'bin', 'faxgate.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    onStderr(stderr);
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      assert.ok(line, `faxgate call send printed no JSON (exit ${code}):\n${stdout}\n${stderr}`);
      resolve({ code, json: JSON.parse(line) as CliRun['json'], stderr });
    });
  });
}

function sippClean(r: SippResult): void {
  assert.equal(r.code, 0, `sipp failed (exit ${r.code}):\n${r.errors}\n${r.stderr}\n${r.stdout.slice(-1500)}`);
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

let onePage = '';

before(async () => {
  mkdirSync(workDir, { recursive: true });
  await ensureSpandspHarness();
  onePage = join(workDir, 'one-page.tif');
  if (existsSync(onePage)) return;
  const ps = join(workDir, 'one-page.ps');
  const lines = ['%!PS', '/Helvetica findfont 28 scalefont setfont'];
  for (let l = 0; l < 8; l++) lines.push(`60 ${700 - l * 40} moveto (call send over SIP/T.38, line ${l + 1} - faxgate) show`);
  lines.push('150 200 moveto 300 40 rlineto 8 setlinewidth stroke showpage');
  writeFileSync(ps, lines.join('\n') + '\n');
  const gs = spawnSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=tiffg4', '-r204x196', '-g1728x2292', `-sOutputFile=${onePage}`, ps], { encoding: 'utf8' });
  assert.equal(gs.status, 0, `ghostscript failed: ${gs.stderr}`);
});

test('call send: INVITE with T.38 to a SIPp gateway, the page reaches SpanDSP pixel for pixel, faxgate hangs up', { skip, timeout: 120_000 }, async () => {
  const [sipPort, mediaPort, sippPort, sippMedia, spandspPort] = await pickFreeUdpPorts(5) as [number, number, number, number, number];
  const out = join(workDir, `rx-${process.pid}.tif`);
  rmSync(out, { force: true });
  const sipp = runSipp({ scenario: 'uas-t38-spandsp.xml', port: sippPort, mediaPort: sippMedia, keys: { spandsp_port: String(spandspPort) }, timeoutS: 40 });
  await delay(200);
  // SpanDSP's T.30 timers run 10x fast from its start, so it starts only once faxgate has
  // T.38 negotiated (not while tsx boots): as a gateway's media starts with the answer.
  let spandsp: ReturnType<typeof runSpandsp> | undefined;
  const startSpandsp = (stderr: string): void => {
    if (spandsp !== undefined || !/faxgate call: T\.38 \(/.test(stderr)) return;
    spandsp = runSpandsp('recv', { localPort: spandspPort, remote: `127.0.0.1:${mediaPort}`, out, timeScale: 10, timeoutS: 240, csid: '+81 3 5555 0199' });
  };
  try {
    const run = await faxgate([
      'call', 'send', '--tiff', onePage, '--to', `sip:0312345678@127.0.0.1:${sippPort}`,
      '--local-sip-port', String(sipPort), '--local-media-port', String(mediaPort), '--time-scale', '10', '--timeout', '240', '--csid', '+81 3 5555 0100',
    ], startSpandsp);
    assert.ok(spandsp, `faxgate never negotiated T.38: ${JSON.stringify(run.json)}\n${run.stderr}`);
    const rx = await spandsp.result;
    assert.equal(run.json.ok, true, `${JSON.stringify(run.json)}\n${run.stderr}\nspandsp: ${rx.reason}`);
    sippClean(await sipp.result);
    assert.equal(run.code, 0);
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
  } finally {
    sipp.kill();
    spandsp?.process.kill();
  }
});

// The numbers are FAX_RESULTS' codes, written out so a changed mapping fails here.
for (const [status, scenario, code, name] of [[486, 'uas-busy.xml', 6017, 'busy'], [488, 'uas-refuse-t38.xml', 6088, 'T.38 refused']] as const) {
  test(`call send: a ${status} to the T.38 INVITE ends as fax result ${code} (${name}), exit 1`, { skip, timeout: 30_000 }, async () => {
    const [sippPort, sippMedia] = await pickFreeUdpPorts(2) as [number, number];
    const sipp = runSipp({ scenario, port: sippPort, mediaPort: sippMedia });
    await delay(200);
    try {
      const run = await faxgate(['call', 'send', '--tiff', onePage, '--to', `sip:0312345678@127.0.0.1:${sippPort}`]);
      const r = await sipp.result;
      sippClean(r);
      assert.match(r.log, /offered image/);
      assert.equal(run.code, 1);
      assert.equal(run.json.ok, false);
      assert.equal(run.json.code, code, run.json.reason);
      assert.match(run.json.reason, new RegExp(`SIP ${status}`));
      assert.equal(run.json.pages, 0);
    } finally {
      sipp.kill();
    }
  });
}

test('call send --audio-first: the gateway answers audio and re-INVITEs to T.38; faxgate accepts and sends its UDPTL there', { skip, timeout: 30_000 }, async () => {
  const [sippPort, sippMedia] = await pickFreeUdpPorts(2) as [number, number];
  const sipp = runSipp({ scenario: 'uas-audio-then-t38.xml', port: sippPort, mediaPort: sippMedia });
  await delay(200);
  try {
    // Nobody answers T.38 behind this gateway: the fax times out (300 ms real at time-scale 10), then faxgate hangs up.
    const run = await faxgate(['call', 'send', '--audio-first', '--tiff', onePage, '--to', `sip:0312345678@127.0.0.1:${sippPort}`, '--time-scale', '10', '--timeout', '3']);
    // SIPp checks our 200 to its re-INVITE (m=image udptl t38, redundancy) and our BYE.
    sippClean(await sipp.result);
    assert.match(run.stderr, new RegExp(`faxgate call: T\\.38 \\(their-reinvite\\) to 127\\.0\\.0\\.1:${sippMedia + 2} `));
    assert.equal(run.code, 1);
    assert.equal(run.json.ok, false);
  } finally {
    sipp.kill();
  }
});
