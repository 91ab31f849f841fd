import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliIo, type Command } from '../command.ts';
import { T4DecodeError, T4EncodeError, encodePage } from '../../protocols/t4/index.ts';
import type { Bitmap } from '../../protocols/t4/index.ts';
import { TiffError, TiffStreamWriter, decodeTiffPage, readTiff, tiffPageCoded } from '../../protocols/tiff/index.ts';
import type { TiffPageInfo, TiffWriteCompression, TiffWritePage } from '../../protocols/tiff/index.ts';
import { FaxPdfError, FaxPdfWriter } from '../../protocols/pdf/index.ts';
import type { FaxPdfPage } from '../../protocols/pdf/index.ts';
import { encodePng, encodePreviewPng } from '../../protocols/png/index.ts';

/**
 * `faxgate image`: look at and convert fax image files. Reads TIFF (what scanners, libtiff
 * and fax software write for bilevel pages); writes TIFF Class F, PDF with the CCITT data
 * embedded, or a PNG of one page. Pages are read and written one at a time, so a long fax
 * does not sit decoded in memory.
 */

const HELP = `usage: faxgate image info FILE
       faxgate image convert IN OUT [--format tiff|pdf|png] [--compression mh|mr|mmr|none|packbits] [--page N] [--preview WIDTH]

info     prints the pages of a TIFF as JSON: width, height, resolution, compression,
         photometric interpretation, fill order and coded size of each page.
convert  writes IN (a TIFF) as OUT. The format follows OUT's extension (.tif/.tiff, .pdf,
         .png) unless --format is given.
  --compression  TIFF: none, packbits, mh (G3 1-D), mr (G3 2-D) or mmr (G4); PDF: mh, mr or
                 mmr. Default: keep G3/G4 pages as they are coded (no re-encoding), else mmr.
  --page N       convert only page N (1-based); PNG writes one page, page 1 by default.
  --preview W    PNG only: a W pixels wide greyscale preview with square pixels.

Errors print one line, "faxgate image: CODE message", and exit with status 1.
`;

type Format = 'tiff' | 'pdf' | 'png';
type Compression = TiffWriteCompression;

/** A failure to report as `CODE message`; codes from the codecs pass through. */
class ImageError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const command: Command = {
  async run(args: string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      io.stdout.write(HELP);
      return sub === undefined ? 2 : 0;
    }
    try {
      switch (sub) {
        case 'info':
          return info(rest, io);
        case 'convert':
          return convert(rest, io);
        default:
          throw new UsageError(`unknown subcommand '${sub}'`);
      }
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const coded = describe(err);
      if (coded === undefined) throw err;
      io.stderr.write(`faxgate image: ${coded.code} ${oneLine(coded.message)}\n`);
      return 1;
    }
  },
};

function describe(err: unknown): { code: string; message: string } | undefined {
  if (err instanceof TiffError || err instanceof ImageError || err instanceof FaxPdfError || err instanceof T4DecodeError) return { code: err.code, message: err.message };
  if (err instanceof T4EncodeError) return { code: 'T4_ENCODE_FAILED', message: err.message };
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && 'syscall' in err) {
    const path = 'path' in err && typeof err.path === 'string' ? err.path : '';
    return { code: `IMAGE_IO_${err.code}`, message: `${String(err.syscall)} failed [path:${path}]` };
  }
  return undefined;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function parse(args: string[], positionals: number, usage: string): { values: Record<string, string | boolean | undefined>; files: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        compression: { type: 'string' },
        page: { type: 'string' },
        preview: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (parsed.values.help === true) throw new HelpRequested();
  if (parsed.positionals.length !== positionals) throw new UsageError(`expected ${usage}`);
  return { values: parsed.values, files: parsed.positionals };
}

class HelpRequested extends UsageError {}

function readInput(io: CliIo, file: string): { bytes: Uint8Array; pages: readonly TiffPageInfo[] } {
  const bytes = new Uint8Array(readFileSync(resolve(io.cwd, file)));
  return { bytes, pages: readTiff(bytes).pages };
}

function info(args: string[], io: CliIo): number {
  let files: string[];
  try {
    ({ files } = parse(args, 1, 'image info FILE'));
  } catch (err) {
    if (err instanceof HelpRequested) {
      io.stdout.write(HELP);
      return 0;
    }
    throw err;
  }
  const file = files[0]!;
  const bytes = new Uint8Array(readFileSync(resolve(io.cwd, file)));
  const tiff = readTiff(bytes);
  const out = {
    file,
    format: 'tiff',
    byteOrder: tiff.byteOrder,
    size: bytes.length,
    pages: tiff.pages.map((p) => ({
      page: p.index + 1,
      width: p.width,
      height: p.height,
      xRes: p.xRes,
      yRes: p.yRes,
      resolutionUnit: ({ 1: 'none', 2: 'inch', 3: 'cm' } as const)[p.resolutionUnit],
      compression: p.compressionName,
      ...(p.compression === 3 ? { t4Options: p.t4Options, twoD: (p.t4Options & 1) !== 0, fillBits: (p.t4Options & 4) !== 0 } : {}),
      photometric: p.photometric === 0 ? 'min-is-white' : 'min-is-black',
      fillOrder: p.fillOrder,
      strips: p.strips.length,
      bytes: p.bytes,
    })),
  };
  io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}

function convert(args: string[], io: CliIo): number {
  let values: Record<string, string | boolean | undefined>;
  let files: string[];
  try {
    ({ values, files } = parse(args, 2, 'image convert IN OUT'));
  } catch (err) {
    if (err instanceof HelpRequested) {
      io.stdout.write(HELP);
      return 0;
    }
    throw err;
  }
  const [inFile, outFile] = files as [string, string];
  const format = formatOf(values.format, outFile);
  const compression = compressionOf(values.compression, format);
  const pageArg = values.page === undefined ? undefined : positiveInt(values.page, '--page');
  const previewWidth = values.preview === undefined ? undefined : positiveInt(values.preview, '--preview');
  if (previewWidth !== undefined && format !== 'png') throw new UsageError('--preview applies to PNG output only');

  const { bytes, pages: all } = readInput(io, inFile);
  if (pageArg !== undefined && pageArg > all.length) throw new ImageError('IMAGE_NO_SUCH_PAGE', `page ${pageArg} not in file [pages:${all.length}]`);
  const pages = pageArg !== undefined ? [all[pageArg - 1]!] : format === 'png' ? [all[0]!] : all;

  const target = resolve(io.cwd, outFile);
  const tmp = `${target}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  let ok = false;
  try {
    const put = (chunk: Uint8Array): void => {
      for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off, chunk.length - off);
    };
    switch (format) {
      case 'tiff': {
        const w = new TiffStreamWriter({ compression: compression ?? 'mmr', totalPages: pages.length, software: 'faxgate' });
        for (const p of pages) put(w.addPage(tiffPageFor(bytes, p, compression)));
        put(w.finish());
        break;
      }
      case 'pdf': {
        const w = new FaxPdfWriter({ producer: 'faxgate' });
        put(w.start());
        for (const p of pages) put(w.addPage(pdfPageFor(bytes, p, compression)));
        put(w.finish());
        break;
      }
      case 'png': {
        const p = pages[0]!;
        const bitmap = decodeTiffPage(bytes, p);
        const { xDpi, yDpi } = dpi(p);
        put(previewWidth === undefined ? encodePng(bitmap, { xDpi, yDpi }) : encodePreviewPng(bitmap, { xDpi, yDpi, width: previewWidth }));
        break;
      }
    }
    ok = true;
  } finally {
    closeSync(fd);
    if (ok) renameSync(tmp, target);
    else rmSync(tmp, { force: true });
  }
  return 0;
}

function formatOf(flag: string | boolean | undefined, out: string): Format {
  if (typeof flag === 'string') {
    if (flag === 'tiff' || flag === 'tif') return 'tiff';
    if (flag === 'pdf' || flag === 'png') return flag;
    throw new UsageError(`unknown --format '${flag}' (tiff, pdf or png)`);
  }
  const ext = extname(out).toLowerCase();
  if (ext === '.tif' || ext === '.tiff') return 'tiff';
  if (ext === '.pdf') return 'pdf';
  if (ext === '.png') return 'png';
  throw new UsageError(`cannot tell the format from '${out}': give --format tiff|pdf|png`);
}

function compressionOf(flag: string | boolean | undefined, format: Format): Compression | undefined {
  if (flag === undefined || typeof flag === 'boolean') return undefined;
  const allowed: readonly string[] = format === 'pdf' ? ['mh', 'mr', 'mmr'] : format === 'tiff' ? ['none', 'packbits', 'mh', 'mr', 'mmr'] : [];
  if (!allowed.includes(flag)) {
    throw new UsageError(format === 'png' ? '--compression does not apply to PNG output' : `--compression for ${format} is one of ${allowed.join(', ')}`);
  }
  return flag as Compression;
}

function positiveInt(s: string | boolean, name: string): number {
  const n = typeof s === 'string' && /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name} needs a positive integer`);
  return n;
}

/** Fax files without a resolution are taken as fine mode, the common case. */
function dpi(p: TiffPageInfo): { xDpi: number; yDpi: number } {
  return { xDpi: p.xDpi ?? 204, yDpi: p.yDpi ?? 196 };
}

const schemeOfCompression = { mh: 'mh', mr: 'mr', mmr: 'mmr' } as const;

function tiffPageFor(bytes: Uint8Array, p: TiffPageInfo, compression: Compression | undefined): TiffWritePage {
  const { xDpi, yDpi } = dpi(p);
  const coded = p.photometric === 0 ? tiffPageCoded(bytes, p) : undefined;
  // G3 and G4 pages are copied as coded when the requested scheme is theirs (or none was asked).
  if (coded !== undefined && !coded.byteAlignRows && (compression === undefined || compression === coded.scheme)) {
    return { encoded: { scheme: coded.scheme, data: coded.data, width: coded.width, height: coded.height, alignEol: coded.alignEol }, xRes: xDpi, yRes: yDpi };
  }
  return { bitmap: decodeTiffPage(bytes, p), xRes: xDpi, yRes: yDpi };
}

function pdfPageFor(bytes: Uint8Array, p: TiffPageInfo, compression: Compression | undefined): FaxPdfPage {
  const { xDpi, yDpi } = dpi(p);
  const coded = tiffPageCoded(bytes, p);
  if (coded !== undefined && (compression === undefined || compression === coded.scheme)) {
    return { width: p.width, height: p.height, xDpi, yDpi, ccitt: coded.data, k: coded.k, endOfLine: coded.eol, encodedByteAlign: coded.byteAlignRows, blackIs1: coded.blackIs1 };
  }
  const bitmap: Bitmap = decodeTiffPage(bytes, p);
  const scheme = compression === undefined ? 'mmr' : schemeOfCompression[compression as 'mh' | 'mr' | 'mmr'];
  const k = scheme === 'mmr' ? -1 : scheme === 'mh' ? 0 : yDpi < 150 ? 2 : 4;
  const ccitt = scheme === 'mmr' ? encodePage(bitmap, { scheme, eofb: true }) : encodePage(bitmap, { scheme, k: Math.max(k, 1), eol: true, rtc: true });
  return { width: p.width, height: p.height, xDpi, yDpi, ccitt, k };
}
