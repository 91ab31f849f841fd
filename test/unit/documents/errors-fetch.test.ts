import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentError, documentErrors } from '../../../plugins/documents/errors.ts';
import type { DocumentErrorCode } from '../../../plugins/documents/errors.ts';
import { fetchUrl, isForbiddenAddress } from '../../../plugins/documents/html/fetch.ts';

test('every document error has English, Japanese and its own exit status', () => {
  const exits = new Set<number>();
  for (const [code, info] of Object.entries(documentErrors)) {
    assert.ok(info.en.length > 0 && /[ぁ-んァ-ン一-龥]/.test(info.ja), code);
    assert.ok(info.exit > 2, `${code}: 0, 1 and 2 are taken`);
    assert.ok(!exits.has(info.exit), `${code}: exit ${info.exit} used twice`);
    exits.add(info.exit);
    const err = new DocumentError(code as DocumentErrorCode, { name: 'a.pdf' });
    assert.equal(err.code, code);
    assert.equal(err.messageJa, info.ja);
    assert.match(err.message, /\[name:a\.pdf\]$/);
  }
});

test('private, loopback, link-local and special addresses are refused; public ones are not', () => {
  for (const a of ['127.0.0.1', '127.1.2.3', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe']) {
    assert.equal(isForbiddenAddress(a), true, a);
  }
  for (const a of ['8.8.8.8', '93.184.216.34', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
    assert.equal(isForbiddenAddress(a), false, a);
  }
});

test('fetchUrl refuses other schemes, credentials and literal private addresses before connecting', async () => {
  const opts = { allowPrivate: false, maxBytes: 1000, timeoutMs: 1000 };
  for (const url of ['file:///etc/passwd', 'ftp://example.com/', 'gopher://x/', 'http://user:pw@example.com/', 'http://127.0.0.1:1/', 'http://[::1]:1/', 'http://169.254.169.254/latest/meta-data/', 'not a url']) {
    await assert.rejects(fetchUrl(url, opts), (e: unknown) => e instanceof DocumentError && e.code === 'DOC_URL_FORBIDDEN', url);
  }
  // "localhost" is a name: refused when it resolves, at connect time.
  await assert.rejects(fetchUrl('http://localhost:1/', opts), (e: unknown) => e instanceof DocumentError && e.code === 'DOC_URL_FORBIDDEN');
});
