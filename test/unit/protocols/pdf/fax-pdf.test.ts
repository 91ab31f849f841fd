import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFaxPdf, FaxPdfWriter, FaxPdfError } from '../../../../protocols/pdf/index.ts';
import type { FaxPdfPage } from '../../../../protocols/pdf/index.ts';

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** Checks the xref table against the file: every entry must point at "n 0 obj". */
function checkXref(pdf: Uint8Array): Map<number, string> {
  const text = latin1(pdf);
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  assert.ok(text.startsWith('xref\n', startxref), 'startxref points at the xref table');
  const m = /^xref\n0 (\d+)\n/.exec(text.slice(startxref));
  assert.ok(m);
  const size = Number(m[1]);
  const objects = new Map<number, string>();
  const table = text.slice(startxref + m[0].length);
  assert.equal(table.slice(0, 20), '0000000000 65535 f \n');
  for (let n = 1; n < size; n++) {
    const entry = table.slice(n * 20, n * 20 + 20);
    assert.match(entry, /^\d{10} 00000 n \n$/);
    const at = Number(entry.slice(0, 10));
    assert.ok(text.startsWith(`${n} 0 obj\n`, at), `object ${n} at ${at}`);
    objects.set(n, text.slice(at, text.indexOf('endobj', at)));
  }
  assert.match(text.slice(startxref), new RegExp(`trailer\\n<< /Size ${size} /Root 1 0 R`));
  return objects;
}

const page = (over: Partial<FaxPdfPage> = {}): FaxPdfPage => ({
  width: 1728,
  height: 1100,
  xDpi: 204,
  yDpi: 98,
  ccitt: new Uint8Array([0x00, 0x01, 0xff, 0x00, 0x0a, 0x0d, 0x65, 0x6e, 0x64]),
  k: 0,
  ...over,
});

test('one G3 page: image XObject with CCITTFaxDecode parameters, data embedded as is', () => {
  const p = page();
  const pdf = writeFaxPdf([p]);
  assert.ok(latin1(pdf).startsWith('%PDF-1.4\n%'));
  const objs = checkXref(pdf);
  const image = [...objs.values()].find((o) => o.includes('/Subtype /Image'));
  assert.ok(image);
  assert.match(image, /\/Width 1728 \/Height 1100 \/ColorSpace \/DeviceGray \/BitsPerComponent 1 \/Filter \/CCITTFaxDecode/);
  assert.match(image, /\/DecodeParms << \/K 0 \/Columns 1728 \/Rows 1100 \/BlackIs1 false \/EncodedByteAlign false \/EndOfLine true >>/);
  const len = Number(/\/Length (\d+)/.exec(image)?.[1]);
  assert.equal(len, p.ccitt.length);
  const streamAt = latin1(pdf).indexOf('stream\n', latin1(pdf).indexOf('/CCITTFaxDecode')) + 7;
  assert.deepEqual(pdf.subarray(streamAt, streamAt + len), p.ccitt, 'coded bytes unchanged, including CR/LF-like bytes');
  const pageObj = [...objs.values()].find((o) => o.includes('/Type /Page '));
  // 1728 px / 204 dpi * 72 = 609.8824 pt; 1100 / 98 * 72 = 808.1633 pt.
  assert.match(pageObj ?? '', /\/MediaBox \[0 0 609\.8824 808\.1633\]/);
});

test('G4 and MR pages, BlackIs1, several pages in order', () => {
  const pages = [page({ k: -1, height: 2200, yDpi: 196 }), page({ k: 4, width: 2432, blackIs1: true }), page({ k: 0, encodedByteAlign: true, endOfLine: false, width: 13, height: 3, xDpi: 200, yDpi: 200 })];
  const pdf = writeFaxPdf(pages, { title: 'fax (1)' });
  const objs = checkXref(pdf);
  const text = latin1(pdf);
  assert.match(text, /\/Type \/Pages \/Kids \[(\d+ 0 R ?){3}\] \/Count 3/);
  const params = [...text.matchAll(/\/DecodeParms << ([^>]*)>>/g)].map((m) => m[1]);
  assert.deepEqual(params, [
    '/K -1 /Columns 1728 /Rows 2200 /BlackIs1 false /EncodedByteAlign false /EndOfLine false ',
    '/K 4 /Columns 2432 /Rows 1100 /BlackIs1 true /EncodedByteAlign false /EndOfLine true ',
    '/K 0 /Columns 13 /Rows 3 /BlackIs1 false /EncodedByteAlign true /EndOfLine false ',
  ]);
  const boxes = [...text.matchAll(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.deepEqual(boxes, [
    [609.8824, 808.1633],
    [858.3529, 808.1633],
    [4.68, 1.08],
  ]);
  assert.ok([...objs.values()].some((o) => o.includes('/Title (fax \\(1\\))')));
});

test('the page-by-page writer matches writeFaxPdf and refuses misuse', () => {
  const pages = [page(), page({ k: -1 })];
  const w = new FaxPdfWriter();
  const chunks = [w.start(), ...pages.map((p) => w.addPage(p)), w.finish()];
  assert.deepEqual(Buffer.concat(chunks), Buffer.from(writeFaxPdf(pages)));
  assert.throws(() => w.addPage(page()), FaxPdfError);
  assert.throws(() => writeFaxPdf([]), (e) => e instanceof FaxPdfError && e.code === 'PDF_NO_PAGES');
  assert.throws(() => writeFaxPdf([page({ xDpi: 0 })]), (e) => e instanceof FaxPdfError && e.code === 'PDF_BAD_PAGE');
});
