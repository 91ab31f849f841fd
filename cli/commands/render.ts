import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliIo, type Command } from '../command.ts';
import { DocumentError, documentErrors } from '../../plugins/documents/errors.ts';
import type { FaxModes } from '../../plugins/documents/options.ts';
import { writeFaxTiff } from '../../plugins/documents/output.ts';
import { openDocuments } from '../../plugins/documents/pipeline.ts';
import type { DocumentInput } from '../../plugins/documents/renderer.ts';
import type { Paper } from '../../plugins/documents/raster/types.ts';

/**
 * `faxgate render`: documents (PDF, Office, HTML, URLs, text, images, ZIP) to one multi-page
 * fax TIFF, as a fax job would send them. Prints a JSON summary on success; on a document
 * that cannot be faxed prints `CODE: message` (English, then Japanese) and exits with the
 * code's own status.
 */

const exitTable = Object.entries(documentErrors)
  .map(([code, info]) => `  ${String(info.exit).padStart(3)}  ${code}`)
  .join('\n');

const HELP = `usage: faxgate render FILE|URL... -o OUT.tif [options]

  -o, --output FILE       the fax TIFF to write (MMR/G4 pages, Class F tags)
  --resolution R          standard (204x98) or fine (204x196, default)
  --paper P               a4 (default), b4, letter, legal
  --orientation O         portrait (default) or landscape: how text and HTML are laid out
  --quality Q             halftone (error diffusion, default) or mono (threshold)
  --scale S               fit (default) or none
  --font-size N           text: 1..7 (default 3)
  --font-type NAME        text: e.g. "MS Gothic", "Courier New"
  --charset NAME          text: charset when it cannot be detected (default utf-8)
  --background            HTML: print background colours
  --header TEMPLATE       header line, e.g. "{to} {from} {dateyyyy/mm/dd} {timehh:mm} Page {pagenumber}/{totalpages}"
  --to NUMBER, --from CSID, --time-zone TZ   header fields
  --compression C         mmr (default), mr, mh, packbits, none
  --allow-private-urls    let URLs reach private and loopback addresses
  --max-pages N           refuse requests with more pages
  --progress              report each page written on stderr ("page 3/120"); on a terminal
                          the count is shown in place without it

An argument starting with a scheme (http://, https://, file://, ...) is a URL; only http and
https are fetched. Exit status: 0 written, 2 usage, 1 unexpected failure, else by error code:
${exitTable}
`;

const papers: Readonly<Record<string, Paper>> = { a4: 'A4', b4: 'B4', letter: 'Letter', legal: 'Legal' };

export const command: Command = {
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        resolution: { type: 'string' },
        paper: { type: 'string' },
        orientation: { type: 'string' },
        quality: { type: 'string' },
        scale: { type: 'string' },
        'font-size': { type: 'string' },
        'font-type': { type: 'string' },
        charset: { type: 'string' },
        background: { type: 'boolean' },
        header: { type: 'string' },
        to: { type: 'string' },
        from: { type: 'string' },
        'time-zone': { type: 'string' },
        compression: { type: 'string' },
        'allow-private-urls': { type: 'boolean' },
        'max-pages': { type: 'string' },
        progress: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      io.stdout.write(HELP);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('no input files');
    if (values.output === undefined) throw new UsageError('-o OUT.tif is required');
    const modes: Partial<FaxModes> = {
      ...pick('resolution', values.resolution, ['standard', 'fine'] as const),
      ...(values.paper === undefined ? {} : { paper: papers[values.paper.toLowerCase()] ?? usage(`--paper must be a4, b4, letter or legal, got '${values.paper}'`) }),
      ...pick('orientation', values.orientation, ['portrait', 'landscape'] as const),
      ...pick('quality', values.quality, ['halftone', 'mono'] as const),
      ...pick('scale', values.scale, ['fit', 'none'] as const),
      ...(values['font-size'] === undefined ? {} : { fontSize: fontSize(values['font-size']) }),
      ...(values['font-type'] === undefined ? {} : { fontType: values['font-type'] }),
      ...(values.charset === undefined ? {} : { charset: values.charset }),
      ...(values.background === true ? { background: true } : {}),
      ...(values.header === undefined ? {} : { header: values.header }),
      ...(values.to === undefined ? {} : { to: values.to }),
      ...(values.from === undefined ? {} : { from: values.from }),
      ...(values['time-zone'] === undefined ? {} : { timeZone: values['time-zone'] }),
      time: Date.now(),
    };
    const compression = values.compression ?? 'mmr';
    if (!['mmr', 'mr', 'mh', 'packbits', 'none'].includes(compression)) throw new UsageError(`--compression must be mmr, mr, mh, packbits or none, got '${compression}'`);
    const maxPages = values['max-pages'] === undefined ? undefined : positiveInt('--max-pages', values['max-pages']);

    try {
      const inputs: DocumentInput[] = [];
      for (const arg of positionals) {
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) inputs.push({ url: arg });
        else inputs.push({ name: arg, bytes: await readInput(resolve(io.cwd, arg), arg) });
      }
      const job = await openDocuments(inputs, {
        modes,
        resources: { allowPrivateUrls: values['allow-private-urls'] === true },
        ...(maxPages === undefined ? {} : { limits: { maxPages } }),
      });
      try {
        const progress = pageProgress(io.stderr, values.progress === true);
        const pages = await writeFaxTiff(job, resolve(io.cwd, values.output), compression as 'mmr', progress.page);
        progress.done();
        const summary = {
          output: values.output,
          pages,
          width: job.geometry.widthPx,
          height: job.geometry.heightPx,
          resolution: { x: job.geometry.xDpi, y: job.geometry.yDpi },
          inputs: job.inputs,
          warnings: job.warnings,
        };
        io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return 0;
      } finally {
        await job.close();
      }
    } catch (err) {
      if (err instanceof DocumentError) {
        io.stderr.write(`${err.code}: ${err.message}\n${err.code}: ${err.messageJa ?? ''}\n`);
        return err.exitCode;
      }
      throw err;
    }
  },
};

/**
 * Progress on stderr: with --progress a line per page (for scripts and logs), else on a
 * terminal one line rewritten in place and cleared at the end, else nothing.
 */
function pageProgress(stderr: NodeJS.WritableStream, lines: boolean): { page: (written: number, total: number) => void; done: () => void } {
  const tty = (stderr as { isTTY?: boolean }).isTTY === true;
  if (lines) return { page: (n, total) => stderr.write(`page ${n}/${total}\n`), done: () => undefined };
  if (!tty) return { page: () => undefined, done: () => undefined };
  let shown = false;
  return {
    page: (n, total) => {
      shown = true;
      stderr.write(`\rpage ${n}/${total}`);
    },
    done: () => {
      if (shown) stderr.write('\r\x1b[K');
    },
  };
}

async function readInput(path: string, name: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'unknown';
    throw new UsageError(`cannot read '${name}' (${code})`);
  }
}

function pick<K extends keyof FaxModes, V extends string>(key: K, value: string | undefined, allowed: readonly V[]): Partial<Record<K, V>> {
  if (value === undefined) return {};
  const v = value.toLowerCase() as V;
  if (!allowed.includes(v)) usage(`--${key} must be ${allowed.join(' or ')}, got '${value}'`);
  return { [key]: v } as Partial<Record<K, V>>;
}

function fontSize(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 7) usage(`--font-size must be 1..7, got '${raw}'`);
  return n;
}

function positiveInt(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) usage(`${flag} must be a positive integer, got '${raw}'`);
  return n;
}

function usage(message: string): never {
  throw new UsageError(message);
}
