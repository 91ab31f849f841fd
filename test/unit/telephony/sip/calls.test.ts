import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  digestResponse, getHeader, parseAuthParams, parseDigestChallenge, parseSipMessage, serializeSipMessage,
  type SipRequest,
} from '../../../../protocols/sip/index.ts';
import { ManualClock, settle } from '../../../../core/clock.ts';
import { MemoryNetwork, UserAgent, makeResponse, type Call } from '../../../../telephony/sip/index.ts';
import { harness, SDP_AUDIO, SDP_AUDIO_B, SDP_T38_A, SDP_T38_B } from './harness.ts';

async function connected(h: ReturnType<typeof harness>): Promise<{ caller: Call; callee: Call }> {
  let callee: Call | undefined;
  h.b.on('invite', (c) => {
    callee = c;
    h.b.answer(c, SDP_AUDIO_B);
  });
  const caller = h.a.invite('sip:b@10.0.0.2', SDP_AUDIO);
  const answered = new Promise<string>((r) => caller.on('answered', r));
  await h.run(100);
  assert.equal(await answered, SDP_AUDIO_B);
  assert.ok(callee);
  return { caller, callee };
}

test('call set-up and BYE: events on both sides, one ACK, no retransmissions', async () => {
  const h = harness();
  const { caller, callee } = await connected(h);
  assert.equal(callee.state, 'confirmed');
  assert.equal(callee.remoteSdp, SDP_AUDIO);
  const byes: string[] = [];
  callee.on('bye', (by) => byes.push(`callee:${by}`));
  caller.on('bye', (by) => byes.push(`caller:${by}`));
  h.a.bye(caller);
  await h.run(100);
  assert.deepEqual(byes, ['caller:local', 'callee:remote']);
  assert.deepEqual(h.lines(), ['INVITE', 'SIP/2.0 100 Trying', 'SIP/2.0 200 OK', 'ACK', 'BYE', 'SIP/2.0 200 OK']);
  await h.run(40_000, 1000);
  assert.equal(h.a.layer.activeTransactions + h.b.layer.activeTransactions, 0, 'every transaction terminated (timers K, L, M)');
});

test('re-INVITE to T.38 accepted by the far end: the offer event, then the answer resolves reinvite()', async () => {
  const h = harness();
  const { caller, callee } = await connected(h);
  callee.on('offer', (offer) => {
    assert.equal(offer.method, 'INVITE');
    assert.match(offer.sdp, /m=image 4002 udptl t38/);
    offer.accept(SDP_T38_B);
  });
  const result = await Promise.all([h.a.reinvite(caller, SDP_T38_A), h.run(100)]).then(([r]) => r);
  assert.deepEqual([result.ok, result.status], [true, 200]);
  assert.equal(result.sdp, SDP_T38_B);
  assert.equal(caller.remoteSdp, SDP_T38_B);
  assert.equal(callee.localSdp, SDP_T38_B);
});

test('re-INVITE to T.38 refused with 488: the call stays up on audio', async () => {
  const h = harness();
  const { caller, callee } = await connected(h);
  callee.on('offer', (offer) => offer.reject(488));
  const [result] = await Promise.all([h.a.reinvite(caller, SDP_T38_A), h.run(100)]);
  assert.deepEqual([result.ok, result.status], [false, 488]);
  assert.equal(caller.state, 'confirmed');
});

test('glare: both sides re-INVITE at once, both get 491, retry after the 14.1 waits, both succeed in turn', async () => {
  // random() = 0.5: the Call-ID owner (A, the caller) waits 2100 + 95*10 = 3050 ms, B waits 100*10 = 1000 ms.
  const h = harness({ random: () => 0.5 });
  const { caller, callee } = await connected(h);
  const glare: string[] = [];
  caller.on('glare', (ms) => glare.push(`a:${ms}`));
  callee.on('glare', (ms) => glare.push(`b:${ms}`));
  caller.on('offer', (o) => o.accept(SDP_T38_A));
  callee.on('offer', (o) => o.accept(SDP_T38_B));
  const ra = h.a.reinvite(caller, SDP_T38_A);
  const rb = h.b.reinvite(callee, SDP_T38_B);
  await h.run(6000, 10);
  const [a, b] = await Promise.all([ra, rb]);
  assert.deepEqual(glare.sort(), ['a:3050', 'b:1000']);
  assert.deepEqual([a.ok, b.ok], [true, true]);
  const reinvites = h.wire.filter((w) => w.line.startsWith('INVITE') && w.at > 0).map((w) => `${w.from.host}@${w.at}`);
  assert.equal(reinvites.length, 4, 'two crossing, two retries');
  assert.equal(h.wire.filter((w) => w.line === 'SIP/2.0 491 Request Pending').length, 2);
  // B's retry went first (1 s), A's after 3.05 s.
  const retries = h.wire.filter((w) => w.line.startsWith('INVITE') && w.at >= 1000).map((w) => [w.from.host, w.at]);
  assert.deepEqual(retries.map(([host]) => host), ['10.0.0.2', '10.0.0.1']);
  assert.equal(caller.state, 'confirmed');
});

test('session refresh: a re-INVITE with the same SDP, and an UPDATE without one, answered with our SDP unchanged', async () => {
  const h = harness();
  const { caller, callee } = await connected(h);
  const refreshed: string[] = [];
  callee.on('refreshed', (m) => refreshed.push(m));
  callee.on('offer', () => assert.fail('a refresh is not a new offer'));
  const [r] = await Promise.all([h.a.reinvite(caller, SDP_AUDIO, [{ name: 'Session-Expires', value: '1800;refresher=uac' }]), h.run(100)]);
  assert.equal(r.sdp, SDP_AUDIO_B, 'the same answer, byte for byte');
  const ok = h.wire.filter((w) => w.line === 'SIP/2.0 200 OK').at(-1);
  assert.match(ok?.text ?? '', /Session-Expires: 1800;refresher=uac/);
  // An UPDATE without a body, sent raw within the dialog.
  const dialog = caller.dialog;
  assert.ok(dialog);
  const update = dialog.createRequest('UPDATE', [{ name: 'Session-Expires', value: '90' }]);
  h.a.layer.sendRequest(update, dialog.destination('UDP'), { receiveResponse: (res) => refreshed.push(`update:${res.status}`), timeout: () => assert.fail('timeout') });
  await h.run(100);
  assert.deepEqual(refreshed, ['INVITE', 'UPDATE', 'update:200']);
});

test('CANCEL before answer: sent after the 180, 200 to CANCEL, 487 to INVITE, failed(487) on both sides', async () => {
  const h = harness();
  const calleeFailed: number[] = [];
  h.b.on('invite', (c) => {
    c.on('failed', (s) => calleeFailed.push(s));
    h.b.progress(c, 180);
  });
  const call = h.a.invite('sip:b@10.0.0.2', SDP_AUDIO);
  h.a.cancel(call); // before any provisional: deferred (9.1)
  const failed: number[] = [];
  call.on('failed', (s) => failed.push(s));
  await h.run(200);
  assert.deepEqual(failed, [487]);
  assert.deepEqual(calleeFailed, [487]);
  const lines = h.lines();
  assert.ok(lines.indexOf('CANCEL') > lines.indexOf('SIP/2.0 180 Ringing'), 'CANCEL waited for the 180');
  assert.ok(lines.includes('SIP/2.0 487 Request Terminated'));
});

test('anonymous caller: privacy and P-Asserted-Identity reach the callee', async () => {
  const h = harness();
  let caller: Call | undefined;
  h.b.on('invite', (c) => {
    caller = c;
    h.b.reject(c, 486);
  });
  h.a.invite('sip:0312345678@10.0.0.2', SDP_AUDIO, { privacy: true, assertedIdentity: 'sip:+81355550000@10.0.0.1' });
  await h.run(100);
  assert.ok(caller?.caller);
  assert.equal(caller.caller.anonymous, true);
  assert.equal(caller.caller.number, '+81355550000');
  assert.equal(caller.caller.from, 'sip:anonymous@anonymous.invalid');
  assert.deepEqual(caller.caller.privacy, ['id']);
});

test('OPTIONS outside a dialog: 200 with Allow; BYE for an unknown dialog: 481; Require we lack: 420', async () => {
  const h = harness();
  const replies: number[] = [];
  const base = (method: string, extra: Array<{ name: string; value: string }> = []): SipRequest => ({
    kind: 'request', method, uri: 'sip:b@10.0.0.2', body: new Uint8Array(0),
    headers: [
      { name: 'From', value: '<sip:x@10.0.0.1>;tag=1' }, { name: 'To', value: method === 'BYE' ? '<sip:b@10.0.0.2>;tag=zz' : '<sip:b@10.0.0.2>' },
      { name: 'Call-ID', value: `${method}@x` }, { name: 'CSeq', value: `1 ${method}` }, { name: 'Max-Forwards', value: '70' }, ...extra,
    ],
  });
  const tu = { receiveResponse: (r: { status: number }) => { if (r.status >= 200) replies.push(r.status); }, timeout: () => replies.push(0) };
  const dest = { protocol: 'UDP' as const, address: { host: '10.0.0.2', port: 5060 } };
  h.a.layer.sendRequest(base('OPTIONS'), dest, tu);
  h.a.layer.sendRequest(base('BYE'), dest, tu);
  h.a.layer.sendRequest({ ...base('INVITE', [{ name: 'Require', value: '100rel, precondition' }]) }, dest, tu);
  await h.run(100);
  assert.deepEqual(replies, [200, 481, 420]);
  const options200 = h.wire.find((w) => w.line === 'SIP/2.0 200 OK');
  assert.match(options200?.text ?? '', /Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE/);
});

/**
 * A tiny challenging server: answers every request with 401/407 until the Authorization
 * carries the right digest for `password`, then 200. Checks the response itself.
 */
function challenger(net: MemoryNetwork, status: 401 | 407, password: string, onRequest: (req: SipRequest) => void) {
  const t = net.transport({ host: '10.0.0.5', port: 5060 });
  const nonce = 'b3f1e0c2a9d84e7f';
  const header = status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
  const answer = status === 401 ? 'Authorization' : 'Proxy-Authorization';
  t.onReceive((data, from) => {
    const req = parseSipMessage(data);
    if (req.kind !== 'request' || req.method === 'ACK') return;
    onRequest(req);
    const given = getHeader(req, answer);
    const challengeText = `Digest realm="faxtrunk", nonce="${nonce}", qop="auth", algorithm=MD5`;
    let ok = false;
    if (given !== undefined) {
      const p = parseAuthParams(given.replace(/^Digest\s+/, ''));
      const expected = digestResponse({
        challenge: parseDigestChallenge(challengeText), credentials: { username: p.get('username') ?? '', password },
        method: req.method, uri: p.get('uri') ?? '', cnonce: p.get('cnonce') ?? '', nc: parseInt(p.get('nc') ?? '0', 16),
      });
      ok = p.get('response') === expected && p.get('uri') === req.uri;
    }
    const res = ok
      ? makeResponse(req, 200, { toTag: 'srv', contact: '<sip:srv@10.0.0.5>', sdp: req.method === 'INVITE' ? SDP_AUDIO_B : undefined, headers: req.method === 'REGISTER' ? [{ name: 'Contact', value: `${getHeader(req, 'Contact')};expires=120` }] : [] })
      : makeResponse(req, status, { toTag: 'srv', headers: [{ name: header, value: challengeText }] });
    t.send(serializeSipMessage(res), from);
  });
  return t;
}

test('INVITE challenged with 407: answered once with Proxy-Authorization, new CSeq, same Call-ID; wrong password fails', async () => {
  for (const [password, expected] of [['s3cret', 'answered'], ['wrong', 'failed:407']] as const) {
    const clock = new ManualClock(0);
    const net = new MemoryNetwork();
    const seen: SipRequest[] = [];
    challenger(net, 407, 's3cret', (r) => seen.push(r));
    const ua = new UserAgent({ clock, transports: [net.transport({ host: '10.0.0.1', port: 5060 })] });
    const call = ua.invite('sip:0312345678@10.0.0.5', SDP_AUDIO, { auth: { username: 'fax', password } });
    const outcome = new Promise<string>((r) => {
      call.on('answered', () => r('answered'));
      call.on('failed', (s) => r(`failed:${s}`));
    });
    await settle(10);
    assert.equal(await outcome, expected);
    const invites = seen.filter((r) => r.method === 'INVITE');
    assert.equal(invites.length, 2, 'one try without, one with credentials');
    assert.deepEqual(invites.map((r) => getHeader(r, 'CSeq')), ['1 INVITE', '2 INVITE']);
    assert.equal(getHeader(invites[0]!, 'Call-ID'), getHeader(invites[1]!, 'Call-ID'));
    assert.notEqual(getHeader(invites[0]!, 'Via'), getHeader(invites[1]!, 'Via'), 'a new branch');
  }
});

test('REGISTER challenged with 401, registered for the granted 120 s, refreshed before expiry with CSeq+1', async () => {
  const clock = new ManualClock(0);
  const net = new MemoryNetwork();
  const seen: Array<{ at: number; req: SipRequest }> = [];
  challenger(net, 401, 'pw', (req) => seen.push({ at: clock.now(), req }));
  const ua = new UserAgent({ clock, transports: [net.transport({ host: '10.0.0.1', port: 5060 })] });
  const reg = ua.register({ registrar: 'sip:10.0.0.5', aor: 'sip:0312345678@faxtrunk', credentials: { username: '0312345678', password: 'pw' }, expires: 3600 });
  const granted: number[] = [];
  reg.on('registered', (e) => granted.push(e));
  await settle(10);
  assert.deepEqual(granted, [120]);
  await clock.advanceAsync(61_000, 1000);
  assert.deepEqual(granted, [120, 120], 'refreshed at 60 s (120 - min(60, 120/2))');
  const cseqs = seen.map((s) => getHeader(s.req, 'CSeq'));
  assert.deepEqual(cseqs, ['1 REGISTER', '2 REGISTER', '3 REGISTER', '4 REGISTER']);
  assert.equal(new Set(seen.map((s) => getHeader(s.req, 'Call-ID'))).size, 1, 'one Call-ID for all (10.2.4)');
  assert.equal(seen[0]?.req.uri, 'sip:10.0.0.5');
  const unregistered = reg.unregister();
  await settle(10);
  await unregistered;
  assert.equal(getHeader(seen.at(-1)!.req, 'Expires'), '0');
  assert.equal(reg.state, 'unregistered');
});

test('reliable transport: no retransmission timers, Timer B still bounds the INVITE', async () => {
  const clock = new ManualClock(0);
  const net = new MemoryNetwork();
  const sent: number[] = [];
  net.filter = (p) => {
    sent.push(clock.now());
    return false;
  };
  const ua = new UserAgent({ clock, transports: [net.transport({ host: '10.0.0.1', port: 5060 }, 'TCP')] });
  const call = ua.invite('sip:x@10.0.0.9;transport=tcp', SDP_AUDIO);
  const failed: number[] = [];
  call.on('failed', (s) => failed.push(s));
  await clock.advanceAsync(33_000, 500);
  assert.deepEqual(sent, [0]);
  assert.deepEqual(failed, [408]);
});

test('forked INVITE: a second 2xx with another To tag is ACKed and ended with BYE; the first dialog stays', async () => {
  const clock = new ManualClock(0);
  const net = new MemoryNetwork();
  const lines: string[] = [];
  net.filter = (p) => {
    lines.push(p.text.slice(0, p.text.indexOf('\r\n')).replace(/ SIP\/2\.0$/, '').replace(/^(\w+) \S+$/, '$1'));
    return true;
  };
  const proxy = net.transport({ host: '10.0.0.7', port: 5060 });
  proxy.onReceive((data, from) => {
    const req = parseSipMessage(data);
    if (req.kind !== 'request' || req.method !== 'INVITE') return;
    for (const tag of ['fork1', 'fork2']) {
      proxy.send(serializeSipMessage(makeResponse(req, 200, { toTag: tag, contact: `<sip:${tag}@10.0.0.7>`, sdp: SDP_AUDIO_B })), from);
    }
  });
  const ua = new UserAgent({ clock, transports: [net.transport({ host: '10.0.0.1', port: 5060 })] });
  const call = ua.invite('sip:fax@10.0.0.7', SDP_AUDIO);
  let answered = 0;
  call.on('answered', () => answered++);
  await settle(10);
  assert.equal(answered, 1);
  assert.equal(call.dialog?.remoteTag, 'fork1');
  assert.deepEqual(lines, ['INVITE', 'SIP/2.0 200 OK', 'SIP/2.0 200 OK', 'ACK', 'ACK', 'BYE']);
  assert.equal(call.state, 'confirmed');
});
