import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  SipParseError, SipStreamFramer, bodyText, cseqOf, formatNameAddr, formatUri, getHeader, getHeaders, parseNameAddr,
  parseSipMessage, parseUri, parseVia, serializeSipMessage, serializeSipText, type SipMessage,
} from '../../../../protocols/sip/index.ts';
import {
  CSEQ_MISMATCH, INVITE_AUDIO_AND_T38, INVITE_SDP, NEGATIVE_LENGTH, REGISTER_401, TORTURE_COMPACT_FOLDED, TRUNCATED_BODY,
  UNKNOWN_SCHEME,
} from './vectors.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SipParseError) return err.code;
    throw err;
  }
  return 'no error';
}

/** Round trip: writing a parsed message and parsing it again gives the same message. */
function roundTrip(msg: SipMessage): void {
  assert.deepEqual(parseSipMessage(serializeSipMessage(msg)), msg);
}

test('INVITE with audio and T.38 SDP: start line, headers, list headers, body by Content-Length', () => {
  const msg = parseSipMessage(INVITE_AUDIO_AND_T38);
  assert.equal(msg.kind, 'request');
  if (msg.kind !== 'request') return;
  assert.equal(msg.method, 'INVITE');
  assert.equal(msg.uri, 'sip:+81312345678@198.51.100.7:5060;user=phone');
  const ruri = parseUri(msg.uri);
  assert.deepEqual([ruri.user, ruri.host, ruri.port, ruri.params.user], ['+81312345678', '198.51.100.7', 5060, 'phone']);
  const via = parseVia(getHeader(msg, 'v') ?? '');
  assert.deepEqual([via.transport, via.host, via.port, via.params.branch, via.params.rport], ['UDP', '192.0.2.10', 5060, 'z9hG4bK776asdhds', '']);
  const from = parseNameAddr(getHeader(msg, 'From') ?? '');
  assert.equal(from.displayName, 'Anonymous');
  assert.equal(from.params.tag, '1928301774');
  assert.equal(from.uri.host, 'anonymous.invalid');
  // P-Asserted-Identity carries two values in one line: a SIP and a tel URI (RFC 3325 9.1).
  const pai = getHeaders(msg, 'P-Asserted-Identity').map(parseNameAddr);
  assert.deepEqual(pai.map((p) => p.uri.scheme), ['sip', 'tel']);
  assert.equal(pai[1]?.uri.user, '+81355550000');
  assert.equal(getHeader(msg, 'privacy'), 'id');
  assert.deepEqual(cseqOf(msg), { seq: 314159, method: 'INVITE' });
  assert.equal(bodyText(msg), INVITE_SDP);
  roundTrip(msg);
});

test('401 with two challenges keeps both WWW-Authenticate values whole (commas inside are not split)', () => {
  const msg = parseSipMessage(REGISTER_401);
  assert.equal(msg.kind, 'response');
  if (msg.kind !== 'response') return;
  assert.deepEqual([msg.status, msg.reason], [401, 'Unauthorized']);
  const challenges = getHeaders(msg, 'WWW-Authenticate');
  assert.equal(challenges.length, 2);
  assert.match(challenges[0] ?? '', /algorithm=SHA-256/);
  const via = parseVia(getHeader(msg, 'Via') ?? '');
  assert.deepEqual([via.params.received, via.params.rport], ['203.0.113.4', '40312']);
  assert.equal(msg.body.length, 0);
  roundTrip(msg);
});

test('torture: compact names, folding, spacing, two Via in one line, quoted display name, two Contacts', () => {
  const msg = parseSipMessage(TORTURE_COMPACT_FOLDED);
  const vias = getHeaders(msg, 'Via').map(parseVia);
  assert.deepEqual(vias.map((v) => [v.transport, v.host, v.port, v.params.branch]), [
    ['UDP', '198.51.100.1', undefined, 'z9hG4bK-first'],
    ['TCP', '[2001:db8::9]', 5061, 'z9hG4bK-second'],
  ]);
  const from = parseNameAddr(getHeader(msg, 'From') ?? '');
  assert.equal(from.displayName, 'J "Rose" Doe');
  assert.equal(from.params.tag, '9fxced76sl', 'tag on a folded continuation line');
  assert.equal(parseNameAddr(getHeader(msg, 'To') ?? '').uri.user, 'fax');
  assert.deepEqual(cseqOf(msg), { seq: 8, method: 'OPTIONS' });
  assert.equal(getHeader(msg, 'Max-Forwards'), '70');
  const contacts = getHeaders(msg, 'Contact').map(parseNameAddr);
  assert.deepEqual(contacts.map((c) => [c.uri.user, c.uri.params.lr, c.params.expires ?? c.params.q]), [
    ['j', '', '60'],
    // addr-spec without <>: `;q=0.5` is a header parameter, not a URI parameter (RFC 3261 20.10).
    ['j2', undefined, '0.5'],
  ]);
  assert.equal(getHeader(msg, 'newfangledheader'), 'newfangled value continued newfangled value');
  roundTrip(msg);
});

test('name-addr round trip escapes quotes in display names', () => {
  const na = parseNameAddr('"a \\"b\\"" <sip:u@h:5062;transport=tcp>;tag=x');
  assert.equal(formatNameAddr(na), '"a \\"b\\"" <sip:u@h:5062;transport=tcp>;tag=x');
  assert.equal(formatUri(parseUri('sips:alice:pw@[2001:db8::1]:5061;lr?Subject=hi')), 'sips:alice:pw@[2001:db8::1]:5061;lr?Subject=hi');
});

test('broken messages fail with the codec error and the right code', () => {
  assert.equal(code(() => parseSipMessage(TRUNCATED_BODY)), 'SIP_TRUNCATED');
  assert.equal(code(() => parseSipMessage(NEGATIVE_LENGTH)), 'SIP_BAD_HEADER');
  assert.equal(code(() => parseSipMessage(CSEQ_MISMATCH)), 'SIP_MISSING_HEADER');
  assert.equal(code(() => parseSipMessage(CSEQ_MISMATCH.replace(/Call-ID: .*\r\n/, ''))), 'SIP_MISSING_HEADER');
  assert.equal(code(() => parseSipMessage('INVITE sip:a@b SIP/3.0\r\n\r\n')), 'SIP_BAD_START_LINE');
  assert.equal(code(() => parseSipMessage('SIP/2.0 99 Low\r\n\r\n')), 'SIP_BAD_START_LINE');
  assert.equal(code(() => parseSipMessage(CSEQ_MISMATCH.replace('Via: ', 'Via '))), 'SIP_BAD_HEADER');
  assert.equal(code(() => parseUri('sip:u@bad host')), 'SIP_BAD_URI');
  assert.equal(code(() => parseUri('sip:u@h:70000')), 'SIP_BAD_URI');
  assert.equal(code(() => parseVia('SIP/2.0/UDP')), 'SIP_BAD_HEADER');
  // An unknown scheme still parses: the UA answers 416 (RFC 3261 8.2.2.1).
  const odd = parseSipMessage(UNKNOWN_SCHEME);
  assert.equal(odd.kind === 'request' ? odd.uri : '', 'nobodyKnowsThisScheme:totallyopaquecontent');
});

test('limits: message size, header count, line length', () => {
  const big = INVITE_AUDIO_AND_T38.replace('Privacy: id', `Privacy: id\r\nX-Pad: ${'a'.repeat(70_000)}`);
  assert.equal(code(() => parseSipMessage(big)), 'SIP_LIMIT_EXCEEDED');
  const many = INVITE_AUDIO_AND_T38.replace('Privacy: id', Array.from({ length: 300 }, (_, i) => `X-H${i}: v`).join('\r\n'));
  assert.equal(code(() => parseSipMessage(many)), 'SIP_LIMIT_EXCEEDED');
  const longLine = INVITE_AUDIO_AND_T38.replace('Privacy: id', `X-Long: ${'b'.repeat(9000)}`);
  assert.equal(code(() => parseSipMessage(longLine)), 'SIP_LIMIT_EXCEEDED');
});

test('serializer recomputes Content-Length from the body', () => {
  const msg = parseSipMessage(INVITE_AUDIO_AND_T38);
  const changed = { ...msg, body: new TextEncoder().encode('v=0\r\n') };
  const text = serializeSipText(changed);
  assert.match(text, /\r\nContent-Length: 5\r\n\r\nv=0\r\n$/);
  assert.equal((text.match(/Content-Length/g) ?? []).length, 1);
});

test('stream framer: split and coalesced chunks, keep-alive CRLFs, missing Content-Length', () => {
  const a = new TextEncoder().encode(INVITE_AUDIO_AND_T38);
  const b = new TextEncoder().encode(REGISTER_401);
  const all = new Uint8Array(4 + a.length + b.length);
  all.set([13, 10, 13, 10], 0); // a keep-alive ping before the first message
  all.set(a, 4);
  all.set(b, 4 + a.length);
  for (const cut of [1, 7, 100, a.length, a.length + 4, all.length - 1]) {
    const framer = new SipStreamFramer();
    const first = framer.push(all.subarray(0, cut));
    const second = framer.push(all.subarray(cut));
    const messages = [...first.messages, ...second.messages].map((m) => parseSipMessage(m));
    assert.equal(messages.length, 2, `cut at ${cut}`);
    assert.equal(bodyText(messages[0] as SipMessage), INVITE_SDP);
    assert.equal(first.pings + second.pings, 1);
  }
  const framer = new SipStreamFramer();
  assert.equal(code(() => framer.push(new TextEncoder().encode('OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n'))), 'SIP_MISSING_HEADER');
});
