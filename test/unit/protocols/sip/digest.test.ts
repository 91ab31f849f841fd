import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  SipParseError, digestAuthorization, digestResponse, getHeaders, parseAuthParams, parseDigestChallenge, parseSipMessage,
  pickDigestChallenge,
} from '../../../../protocols/sip/index.ts';
import { REGISTER_401 } from './vectors.ts';

test('RFC 2617 3.5 example: MD5, qop=auth', () => {
  const challenge = parseDigestChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  const r = digestResponse({ challenge, credentials: { username: 'Mufasa', password: 'Circle Of Life' }, method: 'GET', uri: '/dir/index.html', cnonce: '0a4f113b', nc: 1 });
  assert.equal(r, '6629fae49393a05397450978507c4ef1');
});

test('RFC 7616 3.9.1 example: the same request answered with MD5 and with SHA-256', () => {
  const base = 'Digest realm="http-auth@example.org", qop="auth, auth-int", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
  const input = { credentials: { username: 'Mufasa', password: 'Circle of Life' }, method: 'GET', uri: '/dir/index.html', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ', nc: 1 };
  assert.equal(digestResponse({ ...input, challenge: parseDigestChallenge(`${base}, algorithm=MD5`) }), '8ca523f5e9506fed4657c9700eebdbec');
  assert.equal(digestResponse({ ...input, challenge: parseDigestChallenge(`${base}, algorithm=SHA-256`) }), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
});

test('a registrar 401 with SHA-256 and MD5: the client picks SHA-256 and writes a complete Authorization', () => {
  const msg = parseSipMessage(REGISTER_401);
  const challenge = pickDigestChallenge(getHeaders(msg, 'WWW-Authenticate'));
  assert.equal(challenge?.algorithm, 'SHA-256');
  if (challenge === undefined) return;
  const header = digestAuthorization({ challenge, credentials: { username: 'fax', password: 's3cret' }, method: 'REGISTER', uri: 'sip:trunk.example', cnonce: 'abc', nc: 2 });
  const p = parseAuthParams(header.replace(/^Digest /, ''));
  assert.deepEqual([p.get('username'), p.get('realm'), p.get('uri'), p.get('qop'), p.get('nc'), p.get('cnonce'), p.get('opaque')], ['fax', 'trunk.example', 'sip:trunk.example', 'auth', '00000002', 'abc', '']);
  assert.match(p.get('response') ?? '', /^[0-9a-f]{64}$/);
  // The answer changes with the password: a wrong password gives a different response.
  const wrong = digestResponse({ challenge, credentials: { username: 'fax', password: 'other' }, method: 'REGISTER', uri: 'sip:trunk.example', cnonce: 'abc', nc: 2 });
  assert.notEqual(wrong, p.get('response'));
});

test('RFC 2069 challenge (no qop) and -sess algorithms, stale flag', () => {
  const c = parseDigestChallenge('Digest realm="r", nonce="n", stale=TRUE');
  assert.equal(c.stale, true);
  const header = digestAuthorization({ challenge: c, credentials: { username: 'u', password: 'p' }, method: 'INVITE', uri: 'sip:x@y', cnonce: 'c', nc: 1 });
  assert.doesNotMatch(header, /qop=|nc=|cnonce=/);
  const sess = parseDigestChallenge('Digest realm="r", nonce="n", qop="auth", algorithm=MD5-sess');
  const plain = parseDigestChallenge('Digest realm="r", nonce="n", qop="auth", algorithm=MD5');
  const args = { credentials: { username: 'u', password: 'p' }, method: 'INVITE', uri: 'sip:x@y', cnonce: 'c', nc: 1 };
  assert.notEqual(digestResponse({ ...args, challenge: sess }), digestResponse({ ...args, challenge: plain }));
});

test('unanswerable challenges throw SipParseError', () => {
  for (const v of ['Basic realm="x"', 'Digest realm="x"', 'Digest realm="x", nonce="n", algorithm=SHA-512-256', 'Digest realm="x", nonce="n", qop="auth-conf"']) {
    assert.throws(() => parseDigestChallenge(v), (e: unknown) => e instanceof SipParseError && e.code === 'SIP_BAD_CHALLENGE', v);
  }
  assert.equal(pickDigestChallenge(['Basic realm="x"']), undefined);
});
