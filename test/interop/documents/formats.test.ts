/**
 * Every supported format through the real converters (PDFium, sharp, LibreOffice, Chromium)
 * to a fax TIFF: page counts, geometry and resolution tags, pass-through, orientation, and
 * ZIP order; all from documents generated here.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { main } from '../../../cli/main.ts';
import type { CliIo } from '../../../cli/command.ts';
import { writeTiff } from '../../../protocols/tiff/index.ts';
import { bitmapsEqual, createBitmap, setPixel } from '../../../protocols/t4/index.ts';
import { openDocuments } from '../../../plugins/documents/pipeline.ts';
import { writeFaxTiff } from '../../../plugins/documents/output.ts';
import type { DocumentInput } from '../../../plugins/documents/renderer.ts';
import type { FaxModes } from '../../../plugins/documents/options.ts';
import { bandPdf, ink, inkIn, office, python, readFaxTiff, textPdf, work, writeWork } from './support.ts';

after(() => rmSync(work, { recursive: true, force: true }));

let outputs = 0;
async function render(inputs: DocumentInput[], modes: Partial<FaxModes> = {}, allowPrivateUrls = false): Promise<{ pages: ReturnType<typeof readFaxTiff>; summary: { name: string; pages: number }[] }> {
  const job = await openDocuments(inputs, { modes, resources: { allowPrivateUrls } });
  try {
    const out = join(work, `out-${outputs++}.tif`);
    await writeFaxTiff(job, out);
    return { pages: readFaxTiff(out), summary: job.inputs.map((i) => ({ name: i.name, pages: i.pages })) };
  } finally {
    await job.close();
  }
}

const file = (path: string): DocumentInput => ({ name: path.replace(/^.*\//, ''), bytes: readFileSync(path) });

function assertFax(pages: ReturnType<typeof readFaxTiff>, width: number, height: number, yDpi: number): void {
  for (const p of pages) {
    assert.equal(p.info.width, width);
    assert.equal(p.info.height, height);
    assert.equal(p.info.xDpi, 204);
    assert.equal(p.info.yDpi, yDpi);
    assert.equal(p.info.compressionName, 'g4');
  }
}

test('PDF: page count, fine and standard geometry, B4 width, ink where the text is', async () => {
  const pdf = textPdf('three.pdf', 3);
  const fine = await render([file(pdf)], { resolution: 'fine', quality: 'mono' });
  assert.equal(fine.pages.length, 3);
  assertFax(fine.pages, 1728, 2292, 196);
  // Text lines fill the upper part of an A4 page: real ink, nowhere near all black.
  const black = ink(fine.pages[0]!.bitmap);
  assert.ok(black > 20_000 && black < 1728 * 2292 * 0.2, `ink ${black}`);
  const std = await render([file(pdf)], { resolution: 'standard' });
  assertFax(std.pages, 1728, 1146, 98);
  const b4 = await render([file(pdf)], { paper: 'B4' });
  assertFax(b4.pages, 2048, 2809, 196); // JIS B4, 364 mm at 196 lpi
});

test('PDF: a landscape page is turned counter-clockwise (its top along the left edge)', async () => {
  const { pages } = await render([file(bandPdf('band.pdf'))], { quality: 'mono' });
  const b = pages[0]!.bitmap;
  const left = inkIn(b, 0, 300);
  const right = inkIn(b, b.width - 300, b.width);
  assert.ok(left > 100_000 && right === 0, `left ${left}, right ${right}`);
});

test('images: PNG, JPEG, GIF and a multi-page TIFF', async () => {
  const gradient = await sharp({ create: { width: 800, height: 1100, channels: 3, background: '#808080' } }).png().toBuffer();
  const jpeg = await sharp(gradient).jpeg().toBuffer();
  const gif = await sharp(gradient).gif().toBuffer();
  const page = createBitmap(800, 1000);
  for (let y = 100; y < 200; y++) for (let x = 100; x < 700; x++) setPixel(page, x, y, 1);
  const tiff = writeTiff([1, 2, 3].map(() => ({ bitmap: page, xRes: 200, yRes: 200 })), { compression: 'mmr' });
  const { pages, summary } = await render(
    [
      { name: 'a.png', bytes: gradient },
      { name: 'b.jpg', bytes: jpeg },
      { name: 'c.gif', bytes: gif },
      { name: 'd.tif', bytes: tiff },
    ],
    { quality: 'halftone' },
  );
  assert.deepEqual(summary.map((s) => s.pages), [1, 1, 1, 3]);
  assertFax(pages, 1728, 2292, 196);
  // 50% gray, error-diffused: about half the pixels of the image area are black.
  const b = pages[0]!.bitmap;
  const share = ink(b) / (b.width * b.height);
  assert.ok(share > 0.3 && share < 0.6, `gray share ${share}`);
});

test('a fax TIFF that already fits passes through pixel for pixel (no resampling, no dithering)', async () => {
  const pages = [0, 1].map((seed) => {
    const b = createBitmap(1728, 2292);
    for (let y = 0; y < b.height; y += 3) for (let x = (y * 7 + seed) % 11; x < b.width; x += 13) setPixel(b, x, y, 1);
    return b;
  });
  const tiff = writeTiff(pages.map((bitmap) => ({ bitmap, xRes: 204, yRes: 196 })), { compression: 'mh' });
  const out = await render([{ name: 'fax.tif', bytes: tiff }], { quality: 'halftone' });
  assert.equal(out.pages.length, 2);
  out.pages.forEach((p, i) => assert.ok(bitmapsEqual(p.bitmap, pages[i]!), `page ${i + 1} changed`));
});

test('Office: doc, docx, xls, xlsx, ppt, pptx through LibreOffice', { timeout: 300_000 }, async () => {
  const txt = writeWork('letter.txt', 'Hello from a Word document\nSecond line 日本語\n');
  const csv = writeWork('sheet.csv', 'name,qty\napples,3\npears,5\n');
  const docx = office(txt, 'docx');
  const doc = office(txt, 'doc');
  const xlsx = office(csv, 'xlsx');
  const xls = office(csv, 'xls');
  // Impress imports a PDF as slides; from there, both PowerPoint formats.
  const pptx = office(office(docx, 'pdf'), 'pptx', 'impress_pdf_import');
  const ppt = office(pptx, 'ppt');
  const { pages, summary } = await render([docx, doc, xlsx, xls, pptx, ppt].map(file), { quality: 'mono' });
  assert.deepEqual(summary.map((s) => s.pages), [1, 1, 1, 1, 1, 1]);
  assertFax(pages, 1728, 2292, 196);
  for (const p of pages) assert.ok(ink(p.bitmap) > 500, 'each page shows its text');
});

test('HTML through Chromium: backgrounds only when asked, no file: access', { timeout: 120_000 }, async () => {
  const html = Buffer.from(
    '<!doctype html><html><head><meta charset="utf-8"></head><body style="background:#000"><h1>Fax me</h1><p>日本語</p>' +
      '<iframe src="file:///etc/passwd" style="border:0"></iframe></body></html>',
  );
  const plain = await render([{ name: 'a.html', bytes: html }], { quality: 'mono' });
  const withBg = await render([{ name: 'a.html', bytes: html }], { quality: 'mono', background: true });
  assertFax([...plain.pages, ...withBg.pages], 1728, 2292, 196);
  const area = 1728 * 2292;
  assert.ok(ink(plain.pages[0]!.bitmap) < area * 0.05, 'no background: mostly white');
  assert.ok(ink(withBg.pages[0]!.bitmap) > area * 0.5, '/ib: the black background is printed');
});

test('URL: fetched from a local server only when private addresses are allowed', { timeout: 120_000 }, async () => {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body><h1>From a server</h1></body></html>'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/page`;
    await assert.rejects(render([{ url }]), { code: 'DOC_URL_FORBIDDEN' });
    const { pages } = await render([{ url }], { quality: 'mono' }, true);
    assert.equal(pages.length, 1);
    assert.ok(ink(pages[0]!.bitmap) > 500);
  } finally {
    server.close();
  }
});

test('ZIP: supported entries in name order, others skipped with a warning', async () => {
  textPdf('a-doc.pdf', 2);
  writeWork('b-black.png', await sharp({ create: { width: 200, height: 280, channels: 3, background: '#000' } }).png().toBuffer());
  python(`
import zipfile, sys
d = sys.argv[1]
with zipfile.ZipFile(d + '/bundle.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.write(d + '/b-black.png', 'b-black.png')
    z.writestr('c-program.exe', b'MZ\\x00\\x00\\x00binary')
    z.write(d + '/a-doc.pdf', 'a-doc.pdf')
`);
  const job = await openDocuments([file(join(work, 'bundle.zip'))], { modes: { quality: 'mono' } });
  try {
    assert.equal(job.totalPages, 3);
    const inks: number[] = [];
    for await (const p of job.pages()) inks.push(ink(p.bitmap));
    assert.ok(inks[2]! > 1728 * 2292 * 0.9 && inks[0]! < 1728 * 2292 * 0.2, `pdf pages first, the black image last: ${inks.join(', ')}`);
    assert.equal(job.warnings.length, 1);
    assert.match(job.warnings[0]!, /c-program\.exe/);
  } finally {
    await job.close();
  }
});

function io(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WritableStream,
    cwd: work,
    env: {},
    out: () => out,
    err: () => err,
  };
}

test('faxgate render: JSON summary, and typed errors with their exit codes', async () => {
  const pdf = textPdf('cli.pdf', 2);
  const ok = io();
  assert.equal(await main(['render', pdf, '-o', 'cli.tif', '--resolution', 'standard', '--paper', 'letter'], ok), 0);
  const summary = JSON.parse(ok.out()) as { pages: number; width: number; height: number; resolution: { y: number }; inputs: { pages: number }[] };
  assert.equal(summary.pages, 2);
  assert.deepEqual([summary.width, summary.height, summary.resolution.y], [1728, 1078, 98]);
  assert.equal(readFaxTiff(join(work, 'cli.tif')).length, 2);
  assert.equal(ok.err(), '', 'no progress unless asked for (stderr is not a terminal here)');

  const withProgress = io();
  assert.equal(await main(['render', textPdf('cli-3.pdf', 3), '-o', 'cli-3.tif', '--progress'], withProgress), 0);
  assert.equal(withProgress.err(), 'page 1/3\npage 2/3\npage 3/3\n');

  python(`
import zipfile, sys
d = sys.argv[1]
with zipfile.ZipFile(d + '/bomb.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('zeros.txt', b'\\0' * (30 * 1024 * 1024))
inner = d + '/bomb.zip'
for level in range(3):
    outer = d + '/nested%d.zip' % level
    with zipfile.ZipFile(outer, 'w') as z:
        z.write(inner if level == 0 else d + '/nested%d.zip' % (level - 1), 'inner.zip')
`);
  writeWork('corrupt.pdf', '%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref\n');
  writeWork('program.pdf', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  const { encryptedPdf } = await import('./support.ts');
  const cases: [string[], string, number][] = [
    [[encryptedPdf('secret.pdf')], 'DOC_PASSWORD_PROTECTED', 10],
    [['corrupt.pdf'], 'DOC_CORRUPT', 11],
    [['program.pdf'], 'DOC_UNSUPPORTED_TYPE', 12],
    [['bomb.zip'], 'DOC_ZIP_BOMB', 19],
    [['nested2.zip'], 'DOC_ZIP_BOMB', 19],
    [['http://127.0.0.1:9/'], 'DOC_URL_FORBIDDEN', 17],
    [['file:///etc/passwd'], 'DOC_URL_FORBIDDEN', 17],
    [[pdf, '--max-pages', '1'], 'DOC_TOO_MANY_PAGES', 14],
  ];
  for (const [args, code, exit] of cases) {
    const c = io();
    assert.equal(await main(['render', ...args, '-o', 'bad.tif'], c), exit, `${args.join(' ')}: ${c.err()}`);
    assert.match(c.err(), new RegExp(`^${code}: .+\\n${code}: .*[ぁ-んァ-ン一-龥]`), args.join(' '));
  }
});
