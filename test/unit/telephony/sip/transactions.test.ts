import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CSEQ_MISMATCH } from '../../protocols/sip/vectors.ts';
import { harness, SDP_AUDIO, SDP_AUDIO_B } from './harness.ts';

test('INVITE over UDP to a silent peer: Timer A doubles from T1, Timer B fails the call at 64*T1 with 408', async () => {
  const h = harness();
  h.setDrop((w) => w.to.host === '10.0.0.9');
  const call = h.a.invite('sip:fax@10.0.0.9', SDP_AUDIO);
  const failures: number[] = [];
  call.on('failed', (status) => failures.push(status));
  await h.run(40_000, 100);
  const sends = h.wire.filter((w) => w.line.startsWith('INVITE')).map((w) => w.at);
  // 17.1.1.2: sent at 0, then after T1, 2T1, 4T1 ... while Timer B (32 s) runs.
  assert.deepEqual(sends, [0, 500, 1500, 3500, 7500, 15500, 31500]);
  assert.deepEqual(failures, [408]);
  assert.equal(h.a.layer.activeTransactions, 0);
});

test('non-INVITE over UDP: Timer E doubles up to T2 (4 s), Timer F gives up at 64*T1', async () => {
  const h = harness();
  h.setDrop((w) => w.to.host === '10.0.0.9');
  const reg = h.a.register({ registrar: 'sip:10.0.0.9', aor: 'sip:a@example.net', retryMs: 600_000 });
  const failures: number[] = [];
  reg.on('failed', (s) => failures.push(s));
  await h.run(33_000, 100);
  const sends = h.wire.filter((w) => w.line.startsWith('REGISTER')).map((w) => w.at);
  assert.deepEqual(sends, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.deepEqual(failures, [408]);
});

test('a provisional response stops INVITE retransmissions (Proceeding), and the peer absorbs retransmitted INVITEs', async () => {
  const h = harness();
  h.b.on('invite', (call) => h.b.progress(call, 180));
  // Lose the first 100 Trying and 180 so that A retransmits once.
  let lost = 0;
  h.setDrop((w) => w.from.host === '10.0.0.2' && w.line.startsWith('SIP/2.0 1') && lost++ < 2);
  const call = h.a.invite('sip:b@10.0.0.2', SDP_AUDIO);
  const provisional: number[] = [];
  call.on('provisional', (s) => provisional.push(s));
  await h.run(10_000, 50);
  assert.deepEqual(h.wire.filter((w) => w.line.startsWith('INVITE')).map((w) => w.at), [0, 500]);
  assert.deepEqual(provisional, [180], 'the retransmitted INVITE got the last provisional again');
  assert.equal(h.b.activeCalls, 1, 'one call at B despite two INVITEs');
});

test('486 Busy: ACK by the INVITE transaction; Timer G retransmits the 486 while the ACK is lost, Timer H gives up', async () => {
  const h = harness();
  h.b.on('invite', (call) => h.b.reject(call, 486));
  h.setDrop((w) => w.line.startsWith('ACK'));
  const call = h.a.invite('sip:b@10.0.0.2', SDP_AUDIO);
  const failed: number[] = [];
  call.on('failed', (s) => failed.push(s));
  await h.run(40_000, 50);
  assert.deepEqual(failed, [486], 'the TU hears the 486 once');
  const busy = h.wire.filter((w) => w.line === 'SIP/2.0 486 Busy Here').map((w) => w.at);
  // 17.2.1: at 0, then T1, 2T1, 4T1, capped at T2 = 4 s, until Timer H at 64*T1.
  assert.deepEqual(busy, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.equal(h.wire.filter((w) => w.line.startsWith('ACK')).length, busy.length, 'every 486 is ACKed (17.1.1.2)');
  assert.equal(h.b.layer.activeTransactions, 0);
});

test('2xx retransmitted by the UAS core until the ACK (13.3.1.4); the UAC re-ACKs each copy', async () => {
  const h = harness();
  h.b.on('invite', (call) => h.b.answer(call, SDP_AUDIO_B));
  let acks = 0;
  h.setDrop((w) => w.line.startsWith('ACK') && acks++ < 2);
  const call = h.a.invite('sip:b@10.0.0.2', SDP_AUDIO);
  let confirmed = 0;
  h.b.on('invite', (c) => c.on('confirmed', () => confirmed++));
  await h.run(10_000, 50);
  const oks = h.wire.filter((w) => w.line === 'SIP/2.0 200 OK').map((w) => w.at);
  assert.deepEqual(oks, [0, 500, 1500]);
  assert.equal(confirmed, 1);
  assert.equal(call.state, 'confirmed');
});

test('a 2xx never ACKed: after 64*T1 the UAS sends BYE and ends the call (no-ack)', async () => {
  const h = harness();
  const ends: string[] = [];
  h.b.on('invite', (call) => {
    call.on('bye', (by) => ends.push(by));
    h.b.answer(call, SDP_AUDIO_B);
  });
  h.setDrop((w) => w.line.startsWith('ACK'));
  h.a.invite('sip:b@10.0.0.2', SDP_AUDIO);
  await h.run(40_000, 100);
  assert.deepEqual(ends, ['no-ack']);
  assert.equal(h.wire.filter((w) => w.line.startsWith('BYE') && w.from.host === '10.0.0.2').length >= 1, true);
});

test('a malformed request is answered 400 with a Warning (CSeq method mismatch, RFC 4475 3.1.2.16 style); ACK is not', async () => {
  const h = harness();
  h.ta.send(new TextEncoder().encode(CSEQ_MISMATCH), { host: '10.0.0.2', port: 5060 });
  h.ta.send(new TextEncoder().encode(CSEQ_MISMATCH.replace('INVITE sip', 'ACK sip').replace('CSeq: 1 ACK', 'CSeq: x ACK')), { host: '10.0.0.2', port: 5060 });
  await h.run(100);
  const replies = h.wire.filter((w) => w.from.host === '10.0.0.2');
  assert.equal(replies.length, 1);
  assert.equal(replies[0]?.line, 'SIP/2.0 400 Bad Request');
  assert.match(replies[0]?.text ?? '', /\r\nVia: SIP\/2\.0\/UDP 198\.51\.100\.1;branch=z9hG4bK-mm\r\n/);
  assert.match(replies[0]?.text ?? '', /\r\nWarning: 399 faxgate "CSeq method differs/);
  assert.equal(h.b.layer.stats.parseErrors, 2);
});

test('terminating timers on UDP: K = T4 and J = 64*T1 after an OPTIONS, D = 32 s and I = T4 after a 486', async () => {
  const h = harness();
  h.b.on('invite', (call) => h.b.reject(call, 486));
  const replies: number[] = [];
  h.a.layer.sendRequest(
    { kind: 'request', method: 'OPTIONS', uri: 'sip:b@10.0.0.2', body: new Uint8Array(0), headers: [
      { name: 'From', value: '<sip:a@10.0.0.1>;tag=o1' }, { name: 'To', value: '<sip:b@10.0.0.2>' }, { name: 'Call-ID', value: 'opt@x' },
      { name: 'CSeq', value: '1 OPTIONS' }, { name: 'Max-Forwards', value: '70' },
    ] },
    { protocol: 'UDP', address: { host: '10.0.0.2', port: 5060 } },
    { receiveResponse: (r) => replies.push(r.status), timeout: () => replies.push(0) },
  );
  h.a.invite('sip:b@10.0.0.2', SDP_AUDIO);
  await h.run(0);
  assert.deepEqual(replies, [200]);
  const counts = (): [number, number] => [h.a.layer.activeTransactions, h.b.layer.activeTransactions];
  assert.deepEqual(counts(), [2, 2], 'A: OPTIONS Completed + INVITE Completed; B: OPTIONS Completed + INVITE Confirmed');
  await h.run(4990, 10);
  assert.deepEqual(counts(), [2, 2]);
  await h.run(20, 10); // t = 5.01 s: K (A's OPTIONS) and I (B's INVITE) have fired
  assert.deepEqual(counts(), [1, 1]);
  await h.run(26_980, 10); // t = 31.99 s
  assert.deepEqual(counts(), [1, 1]);
  await h.run(30, 10); // D (A's INVITE, 32 s) and J (B's OPTIONS, 64*T1 = 32 s)
  assert.deepEqual(counts(), [0, 0]);
});
