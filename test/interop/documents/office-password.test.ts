/**
 * Password-protected legacy Office files, made by LibreOffice's own filters with a password
 * (office-password.py, through UNO), give DOC_PASSWORD_PROTECTED, not DOC_CORRUPT: headless
 * LibreOffice writes nothing for them, exactly as for a damaged file, so the pipeline has to
 * tell the two apart from the file itself (plugins/documents/office/encryption.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DocumentError } from '../../../plugins/documents/errors.ts';
import { openDocuments } from '../../../plugins/documents/pipeline.ts';
import { MediaType, sniff } from '../../../plugins/documents/sniff.ts';
import { work } from './support.ts';

after(() => rmSync(work, { recursive: true, force: true }));

const script = fileURLToPath(new URL('./office-password.py', import.meta.url));
/** Debian's python3-uno is built for the system interpreter, not whichever python3 is first on PATH. */
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const files = join(work, 'office-password');

before(() => {
  execFileSync('mkdir', ['-p', files]);
  execFileSync(python, [script, files, join(work, 'lo-profile-uno'), 'fax-secret'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 180_000 });
});

const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(files, name)));

async function openError(name: string): Promise<DocumentError> {
  try {
    const job = await openDocuments([{ name, bytes: read(name) }]);
    await job.close();
  } catch (err) {
    assert.ok(err instanceof DocumentError, String(err));
    return err;
  }
  assert.fail(`${name} opened`);
}

test('LibreOffice itself writes nothing for the encrypted .doc (the case we must not call corrupt)', () => {
  const out = join(work, 'lo-out');
  execFileSync('soffice', [`-env:UserInstallation=file://${join(work, 'lo-profile-convert')}`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', out, join(files, 'secret.doc')], {
    stdio: 'ignore',
    timeout: 120_000,
  });
  assert.deepEqual(existsSync(out) ? readdirSync(out) : [], []);
});

test('encrypted .doc and .xls: DOC_PASSWORD_PROTECTED naming the format', async () => {
  for (const ext of ['doc', 'xls']) {
    assert.deepEqual(await sniff(read(`secret.${ext}`)), { mediaType: MediaType.encryptedOffice, extension: ext });
    const err = await openError(`secret.${ext}`);
    assert.equal(err.code, 'DOC_PASSWORD_PROTECTED', err.message);
    assert.equal(err.details['format'], ext);
    assert.equal(err.details['name'], `secret.${ext}`);
  }
});

test('the same documents without a password are Office files, and the .doc renders', async () => {
  assert.equal((await sniff(read('plain.doc'))).mediaType, MediaType.doc);
  assert.equal((await sniff(read('plain.xls'))).mediaType, MediaType.xls);
  assert.equal((await sniff(read('plain.ppt'))).mediaType, MediaType.ppt);
  const job = await openDocuments([{ name: 'plain.doc', bytes: read('plain.doc') }]);
  try {
    assert.equal(job.totalPages, 1);
  } finally {
    await job.close();
  }
});

test('.ppt: LibreOffice cannot encrypt it, so its own .ppt with the Current User token turned to "encrypted"', async () => {
  // LibreOffice 7.4 ignores the password for .ppt: the "secret" file is stored in the clear.
  assert.equal((await sniff(read('secret.ppt'))).mediaType, MediaType.ppt);
  const bytes = read('plain.ppt').slice();
  // The CurrentUserAtom: record header (type 0x0FF6 at offset 2), size 0x14, headerToken 0xE391C05F.
  const sizeAndToken = Buffer.from([0x14, 0x00, 0x00, 0x00, 0x5f, 0xc0, 0x91, 0xe3]);
  const at = Buffer.from(bytes.buffer).indexOf(sizeAndToken) - 8;
  assert.ok(at > 0 && bytes[at + 2] === 0xf6 && bytes[at + 3] === 0x0f, 'CurrentUserAtom found');
  new DataView(bytes.buffer).setUint32(at + 12, 0xf3d1c4df, true);
  assert.deepEqual(await sniff(bytes), { mediaType: MediaType.encryptedOffice, extension: 'ppt' });
  const err = await openDocuments([{ name: 'locked.ppt', bytes }]).then(
    () => assert.fail('opened'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof DocumentError && err.code === 'DOC_PASSWORD_PROTECTED', String(err));
});
