/**
 * Documents the documents tests make for themselves: PDFs from Ghostscript, Office files from
 * LibreOffice (converted from text and CSV), archives from Python's zipfile. Cached per
 * process in one temp directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Bitmap } from '../../../protocols/t4/index.ts';
import { decodeTiffPage, readTiff } from '../../../protocols/tiff/index.ts';
import type { TiffPageInfo } from '../../../protocols/tiff/index.ts';

export const work = mkdtempSync(join(tmpdir(), 'faxgate-docs-'));

/** A PDF of `pages` pages of text lines (Helvetica), A4 unless `size` says [w, h] in points. */
export function textPdf(name: string, pages: number, size: readonly [number, number] = [595, 842], lines = 50): string {
  const out = join(work, name);
  const [w, h] = size;
  const ps = `<< /PageSize [${w} ${h}] >> setpagedevice /Helvetica findfont 11 scalefont setfont
1 1 ${pages} { /p exch def 1 1 ${lines} { /l exch def 40 ${h - 40} l 13 mul sub moveto (Page ) show p 10 string cvs show ( line ) show l 10 string cvs show ( The quick brown fox jumps over the lazy dog.) show } for showpage } for`;
  execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', `-sOutputFile=${out}`, '-c', ps]);
  return out;
}

/** A landscape A4 PDF with a black band along its top edge. */
export function bandPdf(name: string): string {
  const out = join(work, name);
  const ps = `<< /PageSize [842 595] >> setpagedevice 0 555 842 40 rectfill showpage`;
  execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', `-sOutputFile=${out}`, '-c', ps]);
  return out;
}

export function encryptedPdf(name: string): string {
  const out = join(work, name);
  execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', '-sOwnerPassword=owner', '-sUserPassword=user', `-sOutputFile=${out}`, textPdf(`plain-${name}`, 1)]);
  return out;
}

/** LibreOffice converts `source` (whose extension picks the import filter) to `format`. */
export function office(source: string, format: string, infilter?: string): string {
  const profile = pathToFileURL(join(work, `lo-profile-${format}`)).href;
  const args = [`-env:UserInstallation=${profile}`, '--headless', '--norestore'];
  if (infilter !== undefined) args.push(`--infilter=${infilter}`);
  execFileSync('soffice', [...args, '--convert-to', format, '--outdir', work, source], { stdio: 'ignore', timeout: 120_000 });
  const base = source.replace(/^.*\//, '').replace(/\.[^.]+$/, '');
  return join(work, `${base}.${format.split(':')[0]}`);
}

export function writeWork(name: string, content: string | Uint8Array): string {
  const p = join(work, name);
  writeFileSync(p, content);
  return p;
}

/** Runs Python (zipfile) with `script`; argv[1] is the work directory. */
export function python(script: string): void {
  execFileSync('python3', ['-c', script, work]);
}

export interface TiffPage {
  readonly info: TiffPageInfo;
  readonly bitmap: Bitmap;
}

export function readFaxTiff(path: string): TiffPage[] {
  const bytes = readFileSync(path);
  return readTiff(bytes).pages.map((info) => ({ info, bitmap: decodeTiffPage(bytes, info) }));
}

/** Black pixels in columns [x0, x1) of a bitmap. */
export function inkIn(b: Bitmap, x0: number, x1: number): number {
  let n = 0;
  for (let y = 0; y < b.height; y++) {
    for (let x = x0; x < x1; x++) if (((b.data[y * b.rowBytes + (x >>> 3)] ?? 0) >>> (7 - (x & 7))) & 1) n++;
  }
  return n;
}

export function ink(b: Bitmap): number {
  let n = 0;
  for (const byte of b.data) {
    let v = byte;
    while (v !== 0) {
      v &= v - 1;
      n++;
    }
  }
  return n;
}
