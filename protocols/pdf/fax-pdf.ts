/**
 * PDF files of fax pages (ISO 32000-1). Each page is one image XObject whose stream is the
 * page's T.4/T.6 data as received or stored, under /Filter /CCITTFaxDecode: no pixel is
 * decoded or re-encoded here. The page is sized so the image prints at its scan resolution.
 *
 * `FaxPdfWriter` emits the file page by page; `writeFaxPdf` collects it into one array.
 */

export interface FaxPdfPage {
  /** Pixels per row and rows. */
  readonly width: number;
  readonly height: number;
  readonly xDpi: number;
  readonly yDpi: number;
  /** The CCITT coded page, MSB-first. */
  readonly ccitt: Uint8Array;
  /** CCITTFaxDecode K: -1 = G4 (T.6), 0 = G3 1-D (MH), > 0 = G3 mixed 1-D/2-D (MR). */
  readonly k: number;
  /** Every coded row (for G3 without EOLs, e.g. TIFF compression 2) starts on a byte boundary. */
  readonly encodedByteAlign?: boolean;
  /** Rows are preceded by EOL codes (G3 as sent on a line and in TIFF compression 3). Default true for k >= 0. */
  readonly endOfLine?: boolean;
  /** Coded black runs are drawn white; for pages whose source had 1 = white (PhotometricInterpretation 1). */
  readonly blackIs1?: boolean;
}

export class FaxPdfError extends Error {
  override readonly name = 'FaxPdfError';
  constructor(
    readonly code: 'PDF_BAD_PAGE' | 'PDF_NO_PAGES' | 'PDF_FINISHED',
    message: string,
  ) {
    super(message);
  }
}

export function writeFaxPdf(pages: readonly FaxPdfPage[], options: FaxPdfOptions = {}): Uint8Array {
  const w = new FaxPdfWriter(options);
  const chunks = [w.start(), ...pages.map((p) => w.addPage(p)), w.finish()];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export interface FaxPdfOptions {
  /** Written to the document information dictionary as /Producer. */
  readonly producer?: string;
  /** /Title in the information dictionary. */
  readonly title?: string;
}

/**
 * Object numbers: 1 catalog, 2 page tree, 3 info (all written by `finish`, once every page
 * is known), then three per page: image, content stream, page.
 */
export class FaxPdfWriter {
  private pos = 0;
  private started = false;
  private finished = false;
  private readonly offsets = new Map<number, number>();
  private readonly pageObjects: number[] = [];
  private nextObject = 4;
  /** Bytes of objects built by `object` but not yet emitted, so their offsets are known. */
  private pendingLength = 0;

  constructor(private readonly options: FaxPdfOptions = {}) {}

  /** The file header. */
  start(): Uint8Array {
    if (this.started) throw new FaxPdfError('PDF_FINISHED', 'start called twice');
    this.started = true;
    // The second line's high bytes tell transfer tools the file is binary (ISO 32000-1 7.5.2).
    return this.emit([ascii('%PDF-1.4\n%'), new Uint8Array([0xe2, 0xe3, 0xcf, 0xd3]), ascii('\n')]);
  }

  addPage(page: FaxPdfPage): Uint8Array {
    if (!this.started) throw new FaxPdfError('PDF_FINISHED', 'addPage before start');
    if (this.finished) throw new FaxPdfError('PDF_FINISHED', 'page added after finish');
    checkPage(page, this.pageObjects.length + 1);
    const image = this.nextObject++;
    const content = this.nextObject++;
    const pageObj = this.nextObject++;
    const wPt = (page.width * 72) / page.xDpi;
    const hPt = (page.height * 72) / page.yDpi;
    const endOfLine = page.endOfLine ?? page.k >= 0;
    const parms = [
      `/K ${page.k}`,
      `/Columns ${page.width}`,
      `/Rows ${page.height}`,
      `/BlackIs1 ${page.blackIs1 === true}`,
      `/EncodedByteAlign ${page.encodedByteAlign === true}`,
      `/EndOfLine ${endOfLine}`,
    ].join(' ');
    const parts: Uint8Array[] = [];
    parts.push(...this.object(image, `<< /Type /XObject /Subtype /Image /Width ${page.width} /Height ${page.height} /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << ${parms} >> /Length ${page.ccitt.length} >>`, page.ccitt));
    const draw = ascii(`q ${num(wPt)} 0 0 ${num(hPt)} 0 0 cm /Im0 Do Q\n`);
    parts.push(...this.object(content, `<< /Length ${draw.length} >>`, draw));
    parts.push(
      ...this.object(pageObj, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(wPt)} ${num(hPt)}] /Resources << /XObject << /Im0 ${image} 0 R >> >> /Contents ${content} 0 R >>`),
    );
    this.pageObjects.push(pageObj);
    return this.emit(parts);
  }

  /** Page tree, catalog, info, cross-reference table and trailer. */
  finish(): Uint8Array {
    if (this.finished) throw new FaxPdfError('PDF_FINISHED', 'finish called twice');
    if (this.pageObjects.length === 0) throw new FaxPdfError('PDF_NO_PAGES', 'a PDF needs at least one page');
    this.finished = true;
    const parts: Uint8Array[] = [];
    const kids = this.pageObjects.map((n) => `${n} 0 R`).join(' ');
    parts.push(...this.object(2, `<< /Type /Pages /Kids [${kids}] /Count ${this.pageObjects.length} >>`));
    parts.push(...this.object(1, '<< /Type /Catalog /Pages 2 0 R >>'));
    const info = [`/Producer ${pdfString(this.options.producer ?? 'faxgate')}`];
    if (this.options.title !== undefined) info.push(`/Title ${pdfString(this.options.title)}`);
    parts.push(...this.object(3, `<< ${info.join(' ')} >>`));
    const size = this.nextObject;
    const xrefAt = this.pos + parts.reduce((n, p) => n + p.length, 0);
    // Each cross-reference entry is exactly 20 bytes, ending in space + LF (7.5.4).
    let xref = `xref\n0 ${size}\n0000000000 65535 f \n`;
    for (let n = 1; n < size; n++) {
      const at = this.offsets.get(n);
      if (at === undefined) throw new FaxPdfError('PDF_BAD_PAGE', `object ${n} never written`);
      xref += `${String(at).padStart(10, '0')} 00000 n \n`;
    }
    xref += `trailer\n<< /Size ${size} /Root 1 0 R /Info 3 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
    parts.push(ascii(xref));
    return this.emit(parts);
  }

  /** An indirect object, recording where it starts; `pos` is advanced by `emit`. */
  private object(n: number, dict: string, stream?: Uint8Array): Uint8Array[] {
    this.offsets.set(n, this.pos + this.pendingLength);
    const parts = stream === undefined ? [ascii(`${n} 0 obj\n${dict}\nendobj\n`)] : [ascii(`${n} 0 obj\n${dict}\nstream\n`), stream, ascii('\nendstream\nendobj\n')];
    this.pendingLength += parts.reduce((s, p) => s + p.length, 0);
    return parts;
  }

  private emit(parts: Uint8Array[]): Uint8Array {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    this.pos += out.length;
    this.pendingLength = 0;
    return out;
  }
}

function checkPage(p: FaxPdfPage, n: number): void {
  const ok =
    Number.isInteger(p.width) && p.width > 0 && Number.isInteger(p.height) && p.height > 0 && p.xDpi > 0 && p.yDpi > 0 && Number.isFinite(p.xDpi) && Number.isFinite(p.yDpi) && Number.isInteger(p.k);
  if (!ok) throw new FaxPdfError('PDF_BAD_PAGE', `page ${n} has bad geometry [width:${p.width}, height:${p.height}, xDpi:${p.xDpi}, yDpi:${p.yDpi}, k:${p.k}]`);
}

/** PDF numbers: no exponent form, at most 4 decimals. */
function num(x: number): string {
  return String(Math.round(x * 10000) / 10000);
}

function pdfString(s: string): string {
  return `(${s.replace(/[^\x20-\x7e]/g, '?').replace(/([()\\])/g, '\\$1')})`;
}

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}
