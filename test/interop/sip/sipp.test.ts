/**
 * faxgate's SIP user agent against SIPp on loopback UDP. The media side is not a fax yet
 * (the engine is wired later): each case asserts the SIP outcome, the SDP faxgate
 * negotiated, and SIPp's own checks of what faxgate sent (its scenario fails otherwise).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { systemClock } from '../../../core/clock.ts';
import { resultForSipStatus } from '../../../protocols/fax-results/index.ts';
import {
  DEFAULT_T38_CAPABILITIES, answerOffer, buildOffer, parseSdp, readAnswer, serializeSdp, type LocalMedia, type NegotiatedMedia,
} from '../../../protocols/sdp/index.ts';
import { UdpSipTransport, UserAgent, type Call } from '../../../telephony/sip/index.ts';
import { pickFreeUdpPorts } from '../../support/spandsp.ts';
import { runSipp, type SippResult } from './sipp.ts';

const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const skip = hasSipp ? false : 'sipp (Debian sip-tester) is not installed';

async function faxEndpoint() {
  const [sipPort, mediaPort, sippPort, sippMedia] = await pickFreeUdpPorts(4) as [number, number, number, number];
  const transport = await UdpSipTransport.open({ host: '127.0.0.1', port: sipPort });
  const ua = new UserAgent({ clock: systemClock, transports: [transport] });
  const local: LocalMedia = {
    address: '127.0.0.1',
    sessionId: String(Date.now()),
    sessionVersion: 1,
    audio: { port: mediaPort, codecs: ['PCMU', 'PCMA', 'telephone-event'] },
    image: { port: mediaPort + 2, t38: DEFAULT_T38_CAPABILITIES },
  };
  return { ua, local, sipPort, sippPort, sippMedia };
}

function outcome(call: Call): Promise<string> {
  return new Promise((resolve) => {
    call.on('failed', (status) => resolve(`failed:${status}`));
    call.on('bye', (by) => resolve(`bye:${by}`));
  });
}

function sippClean(r: SippResult): void {
  assert.equal(r.code, 0, `sipp failed (exit ${r.code}):\n${r.errors}\n${r.stderr}\n${r.stdout.slice(-1500)}`);
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIPp's verifyauth reads only Authorization; for 407 the scenarios log the
 * Proxy-Authorization fields and the digest is recomputed here from RFC 2617 3.2.2
 * directly (MD5, qop=auth), independently of protocols/sip/digest.ts.
 */
function checkLoggedDigests(log: string, expected: number): void {
  const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
  const lines = [...log.matchAll(/digest method=(\S+) uri=(\S+) nonce=(\S+) nc=(\S+) cnonce=(\S+) response=(\S+)/g)];
  assert.equal(lines.length, expected, log);
  for (const [, method, uri, nonce, nc, cnonce, response] of lines) {
    const ha1 = md5('fax:faxtrunk.example:s3cret');
    const ha2 = md5(`${method}:${uri}`);
    assert.equal(response, md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`), `digest for ${method} ${uri}`);
  }
}

test('sipp calls faxgate with audio and T.38 in the initial INVITE: T.38 answered, BYE during the call', { skip, timeout: 30_000 }, async () => {
  const { ua, local, sipPort, sippPort, sippMedia } = await faxEndpoint();
  let negotiated: NegotiatedMedia | undefined;
  let ended: Promise<string> | undefined;
  let caller: Call | undefined;
  ua.on('invite', (call) => {
    caller = call;
    ended = outcome(call);
    const { answer, negotiated: n } = answerOffer(parseSdp(call.remoteSdp ?? ''), local, 'image');
    negotiated = n;
    ua.answer(call, serializeSdp(answer));
  });
  try {
    const sipp = runSipp({ scenario: 'uac-t38-initial.xml', port: sippPort, remote: `127.0.0.1:${sipPort}`, mediaPort: sippMedia });
    sippClean(await sipp.result);
    assert.equal(await ended, 'bye:remote');
    const t38 = negotiated?.t38?.session;
    assert.deepEqual(
      [t38?.version, t38?.maxBitRate, t38?.errorCorrection, t38?.remoteMaxDatagram, t38?.remoteMaxBuffer],
      [0, 9600, 't38UDPRedundancy', 72, 260],
    );
    assert.deepEqual(negotiated?.t38?.remote, { address: '127.0.0.1', port: sippMedia + 2 });
    assert.equal(caller?.caller?.number, '+81355550000', 'from P-Asserted-Identity');
  } finally {
    await ua.close();
  }
});

test('sipp calls with audio, re-INVITEs to T.38, then refreshes the session: T.38 answered once, the refresh echoed unchanged', { skip, timeout: 30_000 }, async () => {
  const { ua, local, sipPort, sippPort, sippMedia } = await faxEndpoint();
  const events: string[] = [];
  let ended: Promise<string> | undefined;
  let t38Answer: string | undefined;
  let callee: Call | undefined;
  ua.on('invite', (call) => {
    callee = call;
    ended = outcome(call);
    const { answer, negotiated } = answerOffer(parseSdp(call.remoteSdp ?? ''), local, 'image');
    events.push(`answer:${negotiated.audio?.codec.name ?? 'none'}`);
    ua.answer(call, serializeSdp(answer));
    call.on('offer', (o) => {
      const r = answerOffer(parseSdp(o.sdp), { ...local, sessionVersion: 2 }, 'image');
      events.push(`offer:${r.negotiated.t38 !== undefined ? 't38' : 'audio'}`);
      t38Answer = serializeSdp(r.answer);
      o.accept(t38Answer);
    });
    call.on('refreshed', (m) => events.push(`refreshed:${m}`));
  });
  try {
    sippClean(await runSipp({ scenario: 'uac-audio-reinvite-t38-refresh.xml', port: sippPort, remote: `127.0.0.1:${sipPort}`, mediaPort: sippMedia }).result);
    assert.equal(await ended, 'bye:remote');
    assert.deepEqual(events, ['answer:PCMU', 'offer:t38', 'refreshed:INVITE']);
    assert.equal(callee?.localSdp, t38Answer, 'the refresh left our T.38 SDP as it was');
  } finally {
    await ua.close();
  }
});

test('sipp calls and CANCELs before answer: 200 to CANCEL, 487 to INVITE, the call fails with 487', { skip, timeout: 30_000 }, async () => {
  const { ua, sipPort, sippPort, sippMedia } = await faxEndpoint();
  let ended: Promise<string> | undefined;
  ua.on('invite', (call) => {
    ended = outcome(call);
    ua.progress(call, 180);
  });
  try {
    sippClean(await runSipp({ scenario: 'uac-cancel.xml', port: sippPort, remote: `127.0.0.1:${sipPort}`, mediaPort: sippMedia }).result);
    assert.equal(await ended, 'failed:487');
  } finally {
    await ua.close();
  }
});

test('faxgate calls a sipp gateway that answers with audio and re-INVITEs to T.38; faxgate accepts, then hangs up', { skip, timeout: 30_000 }, async () => {
  const { ua, local, sippPort, sippMedia } = await faxEndpoint();
  const sipp = runSipp({ scenario: 'uas-audio-then-t38.xml', port: sippPort, mediaPort: sippMedia });
  await delay(200);
  try {
    const offer = buildOffer(local, { audio: true, image: false });
    const call = ua.invite(`sip:0312345678@127.0.0.1:${sippPort}`, serializeSdp(offer));
    const ended = outcome(call);
    const audio = await new Promise<NegotiatedMedia>((resolve) => call.on('answered', (sdp) => resolve(readAnswer(offer, parseSdp(sdp), local))));
    assert.equal(audio.audio?.codec.name, 'PCMA');
    const t38 = await new Promise<NegotiatedMedia>((resolve) => {
      call.on('offer', (o) => {
        const { answer, negotiated } = answerOffer(parseSdp(o.sdp), { ...local, sessionVersion: 2 }, 'image');
        o.accept(serializeSdp(answer));
        resolve(negotiated);
      });
    });
    assert.deepEqual([t38.t38?.session.version, t38.t38?.session.maxBitRate, t38.t38?.session.remoteMaxDatagram], [0, 14400, 400]);
    await delay(300);
    ua.bye(call);
    sippClean(await sipp.result);
    assert.equal(await ended, 'bye:local');
  } finally {
    sipp.kill();
    await ua.close();
  }
});

for (const [code, scenario, image, result] of [[486, 'uas-busy.xml', false, 'busy'], [488, 'uas-refuse-t38.xml', true, 't38-refused']] as const) {
  test(`faxgate calls a sipp UAS that answers ${code}: the call fails with ${code} -> fax result ${result}`, { skip, timeout: 30_000 }, async () => {
    const { ua, local, sippPort, sippMedia } = await faxEndpoint();
    const sipp = runSipp({ scenario, port: sippPort, mediaPort: sippMedia });
    await delay(200);
    try {
      const call = ua.invite(`sip:0312345678@127.0.0.1:${sippPort}`, serializeSdp(buildOffer(local, { audio: !image, image })));
      assert.equal(await outcome(call), `failed:${code}`);
      assert.equal(resultForSipStatus(code), result);
      const r = await sipp.result;
      sippClean(r);
      assert.match(r.log, new RegExp(`offered ${image ? 'image' : 'audio'}`));
    } finally {
      sipp.kill();
      await ua.close();
    }
  });
}

for (const code of ['401', '407'] as const) {
  test(`INVITE challenged with ${code}: faxgate answers the digest, SIPp (or the test, for 407) verifies it, the call connects`, { skip, timeout: 30_000 }, async () => {
    const { ua, local, sippPort, sippMedia } = await faxEndpoint();
    const sipp = runSipp({ scenario: `uas-auth-invite-${code}.xml`, port: sippPort, mediaPort: sippMedia });
    await delay(200);
    try {
      const call = ua.invite(`sip:0312345678@127.0.0.1:${sippPort}`, serializeSdp(buildOffer(local, { audio: false, image: true })), { auth: { username: 'fax', password: 's3cret' } });
      const answered = await new Promise<string>((resolve) => {
        call.on('answered', () => resolve('answered'));
        call.on('failed', (s) => resolve(`failed:${s}`));
      });
      assert.equal(answered, 'answered');
      ua.bye(call);
      const r = await sipp.result;
      sippClean(r);
      if (code === '407') checkLoggedDigests(r.log, 1);
    } finally {
      sipp.kill();
      await ua.close();
    }
  });

  test(`REGISTER challenged with ${code}: registered, refreshed before the 2 s expiry, both digests verified`, { skip, timeout: 30_000 }, async () => {
    const { ua, sippPort, sippMedia } = await faxEndpoint();
    const sipp = runSipp({ scenario: `uas-auth-register-${code}.xml`, port: sippPort, mediaPort: sippMedia });
    await delay(200);
    try {
      const reg = ua.register({ registrar: `sip:127.0.0.1:${sippPort}`, aor: 'sip:fax@faxtrunk.example', credentials: { username: 'fax', password: 's3cret' }, expires: 3600 });
      const granted: number[] = [];
      await new Promise<void>((resolve, reject) => {
        reg.on('registered', (e) => {
          granted.push(e);
          if (granted.length === 2) resolve();
        });
        reg.on('failed', (s, r) => reject(new Error(`registration failed ${s} ${r}`)));
      });
      reg.stop();
      assert.deepEqual(granted, [2, 2]);
      const r = await sipp.result;
      sippClean(r);
      if (code === '407') checkLoggedDigests(r.log, 2);
    } finally {
      sipp.kill();
      await ua.close();
    }
  });
}
