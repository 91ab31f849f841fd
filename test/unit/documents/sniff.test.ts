import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { MediaType, sniff } from '../../../plugins/documents/sniff.ts';
import { writeTiff } from '../../../protocols/tiff/index.ts';
import { createBitmap } from '../../../protocols/t4/index.ts';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

test('images are recognised by their signatures, whatever they are called', async () => {
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).png().toBuffer();
  const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).jpeg().toBuffer();
  const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).gif().toBuffer();
  const tiff = writeTiff([{ bitmap: createBitmap(16, 4), xRes: 204, yRes: 196 }], { compression: 'mmr' });
  assert.equal((await sniff(png)).mediaType, MediaType.png);
  assert.equal((await sniff(jpeg)).mediaType, MediaType.jpeg);
  assert.equal((await sniff(gif)).mediaType, MediaType.gif);
  assert.equal((await sniff(tiff)).mediaType, MediaType.tiff);
});

test('PDF, RTF, HTML, plain text and binary', async () => {
  assert.equal((await sniff(ascii('%PDF-1.4\n...'))).mediaType, MediaType.pdf);
  // Some writers put junk before the header; PDF readers accept it within the first 1 KB.
  assert.equal((await sniff(ascii('\r\n\r\n%PDF-1.7\n'))).mediaType, MediaType.pdf);
  assert.equal((await sniff(ascii('{\\rtf1\\ansi hello}'))).mediaType, MediaType.rtf);
  assert.equal((await sniff(ascii('\uFEFF  <!DOCTYPE html><html></html>'))).mediaType, MediaType.html);
  assert.equal((await sniff(ascii('<!-- mail --><HTML><body>x</body></HTML>'))).mediaType, MediaType.html);
  assert.equal((await sniff(ascii('Hello, <b> is not a tag at the start\n'))).mediaType, MediaType.text);
  assert.equal((await sniff(new Uint8Array([0x1b, 0x24, 0x42, 0x46, 0x7c, 0x1b, 0x28, 0x42]))).mediaType, MediaType.text, 'ISO-2022-JP escapes are text');
  assert.equal((await sniff(new Uint8Array([0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea]))).mediaType, MediaType.text, 'Shift_JIS is text');
  assert.equal((await sniff(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00]))).mediaType, 'application/octet-stream');
});

test('ZIP containers: OOXML by their parts, plain ZIPs as archives', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'faxgate-sniff-'));
  try {
    // Python's zipfile writes the archives: the sniffer must not depend on who zipped.
    const script = `
import zipfile, sys
d = sys.argv[1]
for name, parts in [('w.zip', ['[Content_Types].xml', 'word/document.xml']), ('x.zip', ['[Content_Types].xml', 'xl/workbook.xml']),
                    ('p.zip', ['[Content_Types].xml', 'ppt/presentation.xml']), ('a.zip', ['a.pdf', 'b.txt'])]:
    with zipfile.ZipFile(d + '/' + name, 'w', zipfile.ZIP_DEFLATED) as z:
        for p in parts: z.writestr(p, 'x')
`;
    execFileSync('python3', ['-c', script, dir]);
    assert.equal((await sniff(readFileSync(join(dir, 'w.zip')))).mediaType, MediaType.docx);
    assert.equal((await sniff(readFileSync(join(dir, 'x.zip')))).mediaType, MediaType.xlsx);
    assert.equal((await sniff(readFileSync(join(dir, 'p.zip')))).mediaType, MediaType.pptx);
    assert.equal((await sniff(readFileSync(join(dir, 'a.zip')))).mediaType, MediaType.zip);
    // A damaged archive is still sniffed as an archive (the ZIP renderer reports it).
    const broken = readFileSync(join(dir, 'a.zip')).subarray(0, 40);
    writeFileSync(join(dir, 'broken.zip'), broken);
    assert.equal((await sniff(broken)).mediaType, MediaType.zip);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('OLE2 containers: the stream names tell Word, Excel, PowerPoint and encrypted packages apart', async () => {
  const ole = (stream: string): Uint8Array => {
    const b = new Uint8Array(1024);
    b.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    b.set(Buffer.from(stream, 'utf16le'), 600);
    return b;
  };
  assert.equal((await sniff(ole('WordDocument'))).mediaType, MediaType.doc);
  assert.equal((await sniff(ole('Workbook'))).mediaType, MediaType.xls);
  assert.equal((await sniff(ole('PowerPoint Document'))).mediaType, MediaType.ppt);
  assert.equal((await sniff(ole('EncryptedPackage'))).mediaType, MediaType.encryptedOffice);
});
