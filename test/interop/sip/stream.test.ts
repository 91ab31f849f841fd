/**
 * SIP over streams: SIPp calling faxgate over TCP (Content-Length framing, responses on the
 * same connection), and two faxgate user agents calling each other over TLS with a
 * self-signed certificate made by openssl for the test.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../../../core/clock.ts';
import { DEFAULT_T38_CAPABILITIES, answerOffer, buildOffer, parseSdp, readAnswer, serializeSdp, type LocalMedia } from '../../../protocols/sdp/index.ts';
import { StreamSipTransport, UserAgent, type Call } from '../../../telephony/sip/index.ts';
import { pickFreeUdpPorts } from '../../support/spandsp.ts';
import { runSipp } from './sipp.ts';

const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

const local: LocalMedia = {
  address: '127.0.0.1', sessionId: '9', sessionVersion: 1,
  audio: { port: 31000, codecs: ['PCMU', 'PCMA'] },
  image: { port: 31002, t38: DEFAULT_T38_CAPABILITIES },
};

function ended(call: Call): Promise<string> {
  return new Promise((resolve) => {
    call.on('failed', (s) => resolve(`failed:${s}`));
    call.on('bye', (by) => resolve(`bye:${by}`));
  });
}

test('sipp over TCP calls faxgate with T.38: answered on the same connection, BYE', { skip: hasSipp ? false : 'sipp not installed', timeout: 30_000 }, async () => {
  const [sipPort, sippPort, media] = await pickFreeUdpPorts(3) as [number, number, number];
  const transport = await StreamSipTransport.open({ host: '127.0.0.1', port: sipPort });
  const ua = new UserAgent({ clock: systemClock, transports: [transport] });
  let outcome: Promise<string> | undefined;
  ua.on('invite', (call) => {
    outcome = ended(call);
    ua.answer(call, serializeSdp(answerOffer(parseSdp(call.remoteSdp ?? ''), local, 'image').answer));
  });
  try {
    const r = await runSipp({ scenario: 'uac-t38-initial.xml', port: sippPort, remote: `127.0.0.1:${sipPort}`, mediaPort: media, transport: 't1' }).result;
    assert.equal(r.code, 0, `${r.errors}\n${r.stdout.slice(-1500)}`);
    assert.equal(await outcome, 'bye:remote');
    assert.equal(ua.layer.stats.retransmissionsAbsorbed, 0, 'no retransmissions on a reliable transport');
  } finally {
    await ua.close();
  }
});

test('two faxgate user agents over TLS: INVITE with T.38, 200, ACK, BYE', { skip: hasOpenssl ? false : 'openssl not installed', timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'faxgate-tls-'));
  try {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
    assert.equal(made.status, 0, made.stderr.toString());
    const cert = readFileSync(join(dir, 'cert.pem'));
    const key = readFileSync(join(dir, 'key.pem'));
    const [pa, pb] = await pickFreeUdpPorts(2) as [number, number];
    const tls = { cert, key, ca: cert };
    const a = new UserAgent({ clock: systemClock, transports: [await StreamSipTransport.open({ host: '127.0.0.1', port: pa, tls })], user: 'a' });
    const b = new UserAgent({ clock: systemClock, transports: [await StreamSipTransport.open({ host: '127.0.0.1', port: pb, tls })], user: 'b' });
    assert.equal(a.contactFor('TLS'), `<sip:a@127.0.0.1:${pa};transport=tls>`);
    let calleeEnd: Promise<string> | undefined;
    b.on('invite', (call) => {
      calleeEnd = ended(call);
      b.answer(call, serializeSdp(answerOffer(parseSdp(call.remoteSdp ?? ''), local, 'image').answer));
    });
    try {
      const offer = buildOffer(local, { audio: false, image: true });
      const call = a.invite(`sip:fax@127.0.0.1:${pb};transport=tls`, serializeSdp(offer));
      const sdp = await new Promise<string>((resolve, reject) => {
        call.on('answered', resolve);
        call.on('failed', (s, r) => reject(new Error(`${s} ${r}`)));
      });
      assert.equal(readAnswer(offer, parseSdp(sdp), local).t38?.session.version, 0);
      await new Promise((r) => setTimeout(r, 100));
      a.bye(call);
      assert.equal(await calleeEnd, 'bye:remote');
    } finally {
      await a.close();
      await b.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
