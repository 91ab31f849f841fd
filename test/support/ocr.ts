/**
 * OCR for legibility tests: tesseract (Debian tesseract-ocr, tesseract-ocr-jpn) on a fax page,
 * and character accuracy against the text that was rendered.
 *
 * Accuracy is 1 - (edit distance / reference length) over code points, after NFKC and with all
 * white space removed: tesseract puts spaces between Japanese characters and its line breaks
 * are not ours, neither of which says anything about legibility.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bitmap } from '../../protocols/t4/bitmap.ts';
import { decodeTiffPage, readTiff } from '../../protocols/tiff/index.ts';
import { isFullWidth } from '../../plugins/documents/text/chars.ts';

export interface OcrOptions {
  /** tesseract languages; default 'jpn+eng'. */
  readonly lang?: string;
  /** Page segmentation mode; default 6 (one uniform block of text), right for text pages. */
  readonly psm?: number;
  /**
   * Rows per pixel of the image: 2 for standard resolution (98 dpi rows), so tesseract sees
   * square pixels. Default 1.
   */
  readonly rowRepeat?: number;
  /** Horizontal density, told to tesseract; default 204. */
  readonly dpi?: number;
}

/** Whether tesseract and the languages asked for are installed (tests skip otherwise). */
export function tesseractAvailable(lang = 'jpn+eng'): boolean {
  const r = spawnSync('tesseract', ['--list-langs'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) return false;
  const have = new Set((r.stdout + r.stderr).split(/\s+/));
  return lang.split('+').every((l) => have.has(l));
}

/** The text tesseract reads on a bilevel page. */
export async function ocrBitmap(bitmap: Bitmap, options: OcrOptions = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'faxgate-ocr-'));
  try {
    const file = join(dir, 'page.pbm');
    writeFileSync(file, toPbm(bitmap, options.rowRepeat ?? 1));
    return await ocrFile(file, options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The text tesseract reads in an image file (TIFF G4, PNG, PBM...). */
export function ocrFile(file: string, options: OcrOptions = {}): Promise<string> {
  const args = [file, '-', '-l', options.lang ?? 'jpn+eng', '--psm', String(options.psm ?? 6), '--dpi', String(options.dpi ?? 204)];
  return new Promise((resolve, reject) => {
    // One thread: the machine is shared and pages are OCRed one at a time anyway.
    const child = spawn('tesseract', args, { env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`tesseract failed [code:${code}, stderr:${Buffer.concat(err).toString('utf8').trim()}]`));
    });
  });
}

/** Binary PBM (P4): the same packing as Bitmap (MSB first, 1 = black, rows byte-aligned). */
export function toPbm(bitmap: Bitmap, rowRepeat = 1): Buffer {
  const header = Buffer.from(`P4\n${bitmap.width} ${bitmap.height * rowRepeat}\n`, 'ascii');
  const body = Buffer.alloc(bitmap.rowBytes * bitmap.height * rowRepeat);
  for (let y = 0; y < bitmap.height; y++) {
    const row = bitmap.data.subarray(y * bitmap.rowBytes, (y + 1) * bitmap.rowBytes);
    for (let r = 0; r < rowRepeat; r++) body.set(row, (y * rowRepeat + r) * bitmap.rowBytes);
  }
  return Buffer.concat([header, body]);
}

/** Text as accuracy compares it: NFKC, no white space. */
export function normalizeForOcr(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, '');
}

/** The pages of a TIFF file (e.g. Ghostscript's tiffg4 output) as bitmaps, through faxgate's reader. */
export function tiffPages(file: string): Bitmap[] {
  const bytes = new Uint8Array(readFileSync(file));
  return readTiff(bytes).pages.map((p) => decodeTiffPage(bytes, p));
}

/** Accuracy over several pages: total edits over total reference characters. */
export function documentAccuracy(pairs: readonly { readonly reference: string; readonly recognized: string }[]): number {
  let edits = 0;
  let total = 0;
  for (const { reference, recognized } of pairs) {
    const a = [...normalizeForOcr(reference)];
    edits += Math.min(a.length, editDistance(a, [...normalizeForOcr(recognized)]));
    total += a.length;
  }
  return total === 0 ? 1 : 1 - edits / total;
}

/** 1 - edit distance / reference length (code points, normalized); 0 at worst. */
export function characterAccuracy(reference: string, recognized: string): number {
  const a = [...normalizeForOcr(reference)];
  const b = [...normalizeForOcr(recognized)];
  if (a.length === 0) return b.length === 0 ? 1 : 0;
  return Math.max(0, 1 - editDistance(a, b) / a.length);
}

/** Levenshtein distance over code points, two rows of memory. */
export function editDistance(a: readonly string[], b: readonly string[]): number {
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1]! + (ai === b[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, prev[j]! + 1, cur[j - 1]! + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

export interface TextPdfOptions {
  /** fontconfig family; default IPAGothic (what 'MS Gothic' renders with). */
  readonly font?: string;
  readonly fontPt?: number;
  /** Distance between baselines. */
  readonly lineMm?: number;
  readonly marginMm?: number;
  /**
   * Character pitches of a monospace grid (our text layout): letter spacing is added to the
   * font's own advances (em/2 half-width, em full-width) so LibreOffice puts each character
   * where our grid does.
   */
  readonly halfPitchMm?: number;
  readonly fullPitchMm?: number;
}

/**
 * A PDF of `text` (one paragraph per line, a form feed starts a new page) made by LibreOffice
 * Writer from a flat ODT: A4, the font, size, line pitch and margins asked for, so a reference
 * renderer gets the page our text renderer draws. Takes a few seconds (LibreOffice start).
 */
export function libreOfficeTextPdf(text: string, dir: string, name: string, options: TextPdfOptions = {}): string {
  const font = options.font ?? 'IPAGothic';
  const pt = options.fontPt ?? 12;
  const line = options.lineMm ?? 4.47;
  const margin = options.marginMm ?? 10;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const emMm = (pt * 25.4) / 72;
  const halfSpacing = options.halfPitchMm === undefined ? 0 : options.halfPitchMm - emMm / 2;
  const fullSpacing = options.fullPitchMm === undefined ? 0 : options.fullPitchMm - emMm;
  const spans = (line: string): string =>
    [...splitByWidth(line)]
      .map((run) => `<text:span text:style-name="${run.full ? 'Full' : 'Half'}">${esc(run.text)}</text:span>`)
      .join('');
  const paragraphs = text
    .split('\f')
    .map((page, i) =>
      page
        .split(/\r?\n/)
        .map((l, j) => `<text:p text:style-name="${i > 0 && j === 0 ? 'NewPage' : 'Standard'}">${spans(l)}</text:p>`)
        .join('\n'),
    )
    .join('\n');
  const fodt = `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls><style:font-face style:name="F" svg:font-family="${font}"/></office:font-face-decls>
<office:styles><style:style style:name="Standard" style:family="paragraph"><style:paragraph-properties fo:line-height="${line}mm" fo:margin-top="0mm" fo:margin-bottom="0mm"/><style:text-properties style:font-name="F" fo:font-size="${pt}pt" style:font-name-asian="F" style:font-size-asian="${pt}pt" style:font-name-complex="F" style:font-size-complex="${pt}pt"/></style:style>
<style:style style:name="NewPage" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:break-before="page"/></style:style></office:styles>
<office:automatic-styles><style:style style:name="Half" style:family="text"><style:text-properties fo:letter-spacing="${halfSpacing.toFixed(3)}mm"/></style:style><style:style style:name="Full" style:family="text"><style:text-properties fo:letter-spacing="${fullSpacing.toFixed(3)}mm"/></style:style><style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="210mm" fo:page-height="297mm" fo:margin-top="${margin}mm" fo:margin-bottom="${margin}mm" fo:margin-left="${margin}mm" fo:margin-right="${margin}mm"/></style:page-layout></office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/></office:master-styles>
<office:body><office:text>
${paragraphs}
</office:text></office:body>
</office:document>
`;
  const src = join(dir, `${name}.fodt`);
  writeFileSync(src, fodt);
  const profile = join(dir, 'lo-profile');
  const r = spawnSync(
    'soffice',
    [`-env:UserInstallation=file://${profile}`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', dir, src],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`soffice failed [status:${r.status}, stderr:${r.stderr}]`);
  return join(dir, `${name}.pdf`);
}

function* splitByWidth(text: string): Iterable<{ text: string; full: boolean }> {
  let run = '';
  let full = false;
  for (const ch of text) {
    const f = isFullWidth(ch.codePointAt(0)!);
    if (run !== '' && f !== full) {
      yield { text: run, full };
      run = '';
    }
    run += ch;
    full = f;
  }
  if (run !== '') yield { text: run, full };
}

/** Ghostscript's tiffg4 rendering of a PDF (every page) at the fax densities: the reference. */
export function ghostscriptTiffG4(pdf: string, out: string, xDpi = 204, yDpi = 196): string {
  const r = spawnSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=tiffg4', `-r${xDpi}x${yDpi}`, `-sOutputFile=${out}`, pdf], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`gs failed [status:${r.status}, stderr:${r.stderr}]`);
  return out;
}
