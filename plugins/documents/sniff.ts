import yauzl from 'yauzl';
import { legacyOfficeEncrypted } from './office/encryption.ts';
import type { OfficeKind } from './office/encryption.ts';

/**
 * What a file is, decided from its bytes. A file name or a mail part's Content-Type is a
 * claim by the sender and says nothing reliable (a `.pdf` that is really a ZIP must be
 * treated as a ZIP, a `.txt` that is a PDF as a PDF), so renderers are chosen by this.
 */
export const MediaType = {
  pdf: 'application/pdf',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  tiff: 'image/tiff',
  zip: 'application/zip',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odf: 'application/vnd.oasis.opendocument',
  rtf: 'application/rtf',
  html: 'text/html',
  text: 'text/plain',
  url: 'text/uri-list',
  /** An OLE2 or OOXML container holding an encrypted package: it needs a password. */
  encryptedOffice: 'application/x-encrypted-office',
} as const;

export type KnownMediaType = (typeof MediaType)[keyof typeof MediaType];

export interface Sniffed {
  /** A media type from `MediaType`, or `application/octet-stream` when nothing matched. */
  readonly mediaType: string;
  /** The usual extension, for converters that go by file name (LibreOffice). */
  readonly extension: string;
}

const octet: Sniffed = { mediaType: 'application/octet-stream', extension: 'bin' };

export async function sniff(bytes: Uint8Array): Promise<Sniffed> {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d]) || indexOfAscii(bytes, '%PDF-', 1024) >= 0) return { mediaType: MediaType.pdf, extension: 'pdf' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { mediaType: MediaType.jpeg, extension: 'jpg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { mediaType: MediaType.png, extension: 'png' };
  if (startsWithAscii(bytes, 'GIF87a') || startsWithAscii(bytes, 'GIF89a')) return { mediaType: MediaType.gif, extension: 'gif' };
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return { mediaType: MediaType.tiff, extension: 'tif' };
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return sniffZip(bytes);
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return sniffOle2(bytes);
  if (startsWithAscii(bytes, '{\\rtf')) return { mediaType: MediaType.rtf, extension: 'rtf' };
  if (looksBinary(bytes)) return octet;
  if (looksLikeHtml(bytes)) return { mediaType: MediaType.html, extension: 'html' };
  return { mediaType: MediaType.text, extension: 'txt' };
}

/** OOXML and OpenDocument files are ZIPs; their entry names say which application wrote them. */
async function sniffZip(bytes: Uint8Array): Promise<Sniffed> {
  let names: string[];
  try {
    names = await zipEntryNames(bytes, 5000);
  } catch {
    // A damaged archive is still an archive: the ZIP renderer reports it as corrupt.
    return { mediaType: MediaType.zip, extension: 'zip' };
  }
  const has = (prefix: string): boolean => names.some((n) => n.startsWith(prefix));
  if (names.includes('[Content_Types].xml')) {
    if (has('word/')) return { mediaType: MediaType.docx, extension: 'docx' };
    if (has('xl/')) return { mediaType: MediaType.xlsx, extension: 'xlsx' };
    if (has('ppt/')) return { mediaType: MediaType.pptx, extension: 'pptx' };
  }
  if (names[0] === 'mimetype' && indexOfAscii(bytes, 'application/vnd.oasis.opendocument', 200) >= 0) {
    const ext = indexOfAscii(bytes, 'opendocument.text', 200) >= 0 ? 'odt' : indexOfAscii(bytes, 'opendocument.spreadsheet', 200) >= 0 ? 'ods' : 'odp';
    return { mediaType: MediaType.odf, extension: ext };
  }
  return { mediaType: MediaType.zip, extension: 'zip' };
}

function zipEntryNames(bytes: Uint8Array, max: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        if (names.length >= max) {
          zip.close();
          resolve(names);
        } else zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/**
 * Compound File Binary (MS-CFB) containers: the directory holds stream names in UTF-16LE.
 * Finding the name anywhere in the file is enough to tell the three applications apart, and
 * an `EncryptedPackage` stream is how Office stores a password-protected OOXML file. A
 * password-protected .doc, .xls or .ppt keeps its usual streams and says so inside them
 * (office/encryption.ts); it is reported as encrypted, with its own extension.
 */
function sniffOle2(bytes: Uint8Array): Sniffed {
  const has = (name: string): boolean => indexOfUtf16(bytes, name) >= 0;
  if (has('EncryptedPackage') || has('EncryptionInfo')) return { mediaType: MediaType.encryptedOffice, extension: 'bin' };
  const legacy = (kind: OfficeKind, mediaType: string): Sniffed =>
    legacyOfficeEncrypted(bytes, kind) === true ? { mediaType: MediaType.encryptedOffice, extension: kind } : { mediaType, extension: kind };
  if (has('WordDocument')) return legacy('doc', MediaType.doc);
  if (has('Workbook') || has('Book')) return legacy('xls', MediaType.xls);
  if (has('PowerPoint Document')) return legacy('ppt', MediaType.ppt);
  return octet;
}

/** Text in any of the charsets we read has no NUL bytes and few C0 controls besides whitespace and ESC (ISO-2022-JP). */
function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  if (n === 0) return false;
  // UTF-16 text with a BOM is text, though full of NULs.
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) return false;
  let controls = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) controls++;
  }
  return controls * 20 > n;
}

const htmlStarts = ['<!doctype html', '<html', '<head', '<body', '<title', '<table', '<div', '<p>', '<meta', '<style', '<h1'];

function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024)).replace(/^\uFEFF|^ï»¿/, '').trimStart().toLowerCase();
  const body = head.startsWith('<?xml') ? head.slice(head.indexOf('?>') + 2).trimStart() : head;
  const withoutComments = body.replace(/^(<!--[\s\S]*?-->\s*)+/, '');
  return htmlStarts.some((s) => withoutComments.startsWith(s));
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((b, i) => bytes[i] === b);
}

function startsWithAscii(bytes: Uint8Array, s: string): boolean {
  return startsWith(bytes, Array.from(s, (c) => c.charCodeAt(0)));
}

function indexOfAscii(bytes: Uint8Array, s: string, within: number): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, within + s.length)).indexOf(s, 0, 'latin1');
}

function indexOfUtf16(bytes: Uint8Array, s: string): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(Buffer.from(s, 'utf16le'));
}
