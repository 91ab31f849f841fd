/**
 * PDF to fax TIFF throughput: faxgate with each PDF engine (MuPDF in helper processes beside
 * the page workers, which draw, convert and code the pages; and PDFium in the workers, which
 * then convert and code them) against
 * Ghostscript's tiffg4 device at 204x196 on the same PDFs in the same run, and the longest
 * event-loop stall while a 100-page PDF renders. Throughput is wall time (best of a few
 * rounds); CPU time per page (all threads and the MuPDF helpers, and gs's own) is printed
 * beside it because the machine is shared and wall time says as much about the neighbours as
 * about us. The stall is measured two ways: monitorEventLoopDelay (5 ms resolution) and a
 * 10 ms interval that records how late it fires. Then a second kind of PDF (a Japanese
 * office document printed by Chromium) against Ghostscript. Last, where a page's CPU goes:
 * each stage of the work timed on its own, in this thread (and one helper), over the same pages.
 *
 *   node --import tsx test/bench/render.bench.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDocuments } from '../../plugins/documents/pipeline.ts';
import { writeFaxTiff } from '../../plugins/documents/output.ts';
import { placeContent } from '../../plugins/documents/place.ts';
import { GrayTarget, PdfiumDocument } from '../../plugins/documents/pdf/pdfium.ts';
import { choosePdfEngine, pdfRasterBinary } from '../../plugins/documents/pdf/mupdf/engine.ts';
import type { PdfEngine } from '../../plugins/documents/pdf/mupdf/engine.ts';
import { PdfRasterHelper } from '../../plugins/documents/pdf/mupdf/helper.ts';
import { placementMatrix } from '../../plugins/documents/pdf/mupdf/matrix.ts';
import { rowBytesFor } from '../../protocols/t4/bitmap.ts';
import { toBilevel } from '../../plugins/documents/raster/bilevel.ts';
import { pageGeometry } from '../../plugins/documents/raster/geometry.ts';
import { encodePage } from '../../protocols/t4/index.ts';
import { Semaphore } from '../../plugins/documents/semaphore.ts';
import { WorkerPool } from '../../plugins/documents/worker/pool.ts';

const work = mkdtempSync(join(tmpdir(), 'faxgate-bench-'));
const pages = 100;
const pdf = join(work, 'bench.pdf');
execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', `-sOutputFile=${pdf}`, '-c',
  `/Helvetica findfont 10 scalefont setfont 1 1 ${pages} { /p exch def 1 1 64 { /l exch def 40 800 l 12 mul sub moveto (Page ) show p 10 string cvs show ( line ) show l 10 string cvs show ( The quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ.) show } for 0.5 setgray 40 20 200 20 rectfill 0 setgray showpage } for`]);
const bytes = readFileSync(pdf);

/** CPU ms of waited-for children (cutime + cstime in /proc/self/stat, clock ticks of 10 ms). */
function childCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** CPU ms of the main thread alone (its task's utime + stime, clock ticks of 10 ms). */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU ms of one process (utime + stime in /proc/PID/stat), 0 when it is gone. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** CPU ms so far of the MuPDF helpers this process runs (long-lived children, never waited for). */
function helpersCpuMs(): number {
  let ms = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (stat.includes('(faxgate-pdf-ra') && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) ms += processCpuMs(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return ms;
}

interface Run {
  readonly ms: number;
  readonly cpuMs: number;
  readonly maxStallMs: number;
  /**
   * The longest late tick during which the main thread itself ran for at least half the delay:
   * a stall we caused. Other late ticks are the thread waiting for a core (a busy machine).
   */
  readonly maxBusyStallMs: number;
}

function gs(path = pdf): Run {
  const t = performance.now();
  const c = childCpuMs();
  execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=tiffg4', '-r204x196', `-sOutputFile=${join(work, 'gs.tif')}`, path]);
  return { ms: performance.now() - t, cpuMs: childCpuMs() - c, maxStallMs: 0, maxBusyStallMs: 0 };
}

const shared = { pool: new WorkerPool(2), converters: new Semaphore(1) };
async function ours(quality: 'mono' | 'halftone', engine: PdfEngine, input: { name: string; bytes: Uint8Array } = { name: 'bench.pdf', bytes }): Promise<Run> {
  process.env['FAXGATE_PDF_RENDERER'] = engine;
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let late = 0;
  let busyLate = 0;
  let last = performance.now();
  let lastCpu = mainThreadCpuMs();
  const probe = setInterval(() => {
    const now = performance.now();
    const cpu = mainThreadCpuMs();
    const delay = now - last - 10;
    late = Math.max(late, delay);
    if (cpu - lastCpu >= delay / 2) busyLate = Math.max(busyLate, delay);
    last = now;
    lastCpu = cpu;
  }, 10);
  const t = performance.now();
  const c = process.cpuUsage();
  const helpers = helpersCpuMs();
  const job = await openDocuments([input], { modes: { quality }, shared });
  await writeFaxTiff(job, join(work, 'ours.tif'));
  await job.close();
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(c);
  clearInterval(probe);
  h.disable();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 + helpersCpuMs() - helpers, maxStallMs: Math.max(h.max / 1e6, late), maxBusyStallMs: busyLate };
}

const engines: PdfEngine[] = choosePdfEngine({}) === 'mupdf' ? ['mupdf', 'pdfium'] : ['pdfium'];
if (engines.length === 1) console.log('(the MuPDF helper is not built: node scripts/build-native.mjs; PDFium only)');
type Case = `${PdfEngine} ${'mono' | 'halftone'}`;
const cases: Case[] = engines.flatMap((e) => [`${e} mono`, `${e} halftone`] as Case[]);
const run = (c: Case): Promise<Run> => {
  const [engine, quality] = c.split(' ') as [PdfEngine, 'mono' | 'halftone'];
  return ours(quality, engine);
};
// Warm-up: worker and helper start, WASM compile, JIT of both gray-to-bilevel paths.
for (const c of cases) await run(c);
const rounds = 3;
const runs = new Map<Case | 'gs', Run[]>([['gs', []], ...cases.map((c) => [c, []] as [Case, Run[]])]);
for (let r = 0; r < rounds; r++) {
  runs.get('gs')!.push(gs());
  for (const c of cases) runs.get(c)!.push(await run(c));
}
const bestMs = (xs: Run[]): number => Math.min(...xs.map((x) => x.ms));
const cpuPerPage = (xs: Run[]): number => Math.min(...xs.map((x) => x.cpuMs)) / pages;
const stall = (xs: Run[]): number => Math.max(...xs.map((x) => x.maxStallMs));
const busyStall = (xs: Run[]): number => Math.max(...xs.map((x) => x.maxBusyStallMs));
const pps = (ms: number, n = pages): number => (n * 1000) / ms;
const gsRuns = runs.get('gs')!;
const gsBest = bestMs(gsRuns);
console.log(`PDF -> fax TIFF, ${pages} A4 text pages at 204x196, best of ${rounds} (wall), least CPU of ${rounds} (threads and MuPDF helpers):`);
console.log(`  ghostscript tiffg4         ${pps(gsBest).toFixed(1).padStart(5)} pages/s  ${cpuPerPage(gsRuns).toFixed(1)} ms CPU/page`);
for (const c of cases) {
  const xs = runs.get(c)!;
  const b = bestMs(xs);
  console.log(
    `  faxgate ${c.padEnd(17)} ${pps(b).toFixed(1).padStart(5)} pages/s  ${cpuPerPage(xs).toFixed(1)} ms CPU/page  (${(gsBest / b).toFixed(2)}x gs, ${(cpuPerPage(gsRuns) / cpuPerPage(xs)).toFixed(2)}x its CPU/page)  longest event-loop stall ${stall(xs).toFixed(1)} ms (${busyStall(xs).toFixed(1)} ms with the main thread busy)`,
  );
}
const all = cases.flatMap((c) => runs.get(c)!);
console.log(`  longest event-loop stall while rendering: ${stall(all).toFixed(1)} ms`);
console.log(`  of which the main thread was running (not waiting for a core): ${busyStall(all).toFixed(1)} ms`);
// Plain text: laid out and placed on the main thread (a slice at a time), drawn and coded in the workers.
const textDoc = { name: 'bench.txt', bytes: new TextEncoder().encode(Array.from({ length: 62 * 30 }, (_, i) => `${i + 1} 送信テスト The quick brown fox jumps over the lazy dog 0123456789`).join('\n')) };
await ours('mono', engines[0]!, textDoc);
const textRun = await ours('mono', engines[0]!, textDoc);
console.log(`  plain text, 30 dense A4 fine pages: ${((30 * 1000) / textRun.ms).toFixed(1)} pages/s, longest event-loop stall ${textRun.maxStallMs.toFixed(1)} ms (${textRun.maxBusyStallMs.toFixed(1)} ms with the main thread busy)`);

/**
 * A second kind of PDF, as a browser prints an office document: 30 pages of Japanese and
 * English in IPAGothic (CID fonts), shaded headings and ruled tables, printed by Chromium.
 * The shaded headings are what halftone spends its time on.
 */
function japanesePdf(): string | undefined {
  const html = join(work, 'office.html');
  const out = join(work, 'office.pdf');
  const jp = 'ファクス送信のテスト文書です。請求書、見積書、注文書を毎日お送りします。東京都千代田区丸の内一丁目';
  const en = 'Invoice 2026-11-28 Total JPY 1,234,567 The quick brown fox jumps over the lazy dog.';
  const body = Array.from({ length: 30 }, (_, p) => {
    const lines = Array.from({ length: 40 }, (_, l) => `<p>${l % 2 === 1 ? jp : en} ${l}</p>`).join('');
    const rows = Array.from({ length: 8 }, (_, i) => `<tr><td>${i}</td><td>品目${i}</td><td>${i * 1000}円</td></tr>`).join('');
    return `<h2>第${p + 1}頁 Page ${p + 1}</h2>${lines}<table border="1">${rows}</table><div style="page-break-after:always"></div>`;
  }).join('');
  writeFileSync(html, `<html><head><meta charset="utf-8"><style>body{font-family:'IPAGothic';font-size:10pt} p{margin:2px} h2{background:#ccc}</style></head><body>${body}</body></html>`);
  try {
    execFileSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${join(work, 'chromium')}`, '--no-pdf-header-footer', `--print-to-pdf=${out}`, `file://${html}`], { stdio: 'ignore', timeout: 120_000 });
    return out;
  } catch {
    return undefined;
  }
}
const office = engines.includes('mupdf') ? japanesePdf() : undefined;
if (office !== undefined) {
  const input = { name: 'office.pdf', bytes: readFileSync(office) };
  const officePages = 30;
  const best = { gs: Infinity, mono: Infinity, halftone: Infinity };
  for (const quality of ['mono', 'halftone'] as const) await ours(quality, 'mupdf', input);
  for (let r = 0; r < rounds; r++) {
    best.gs = Math.min(best.gs, gs(office).ms);
    for (const quality of ['mono', 'halftone'] as const) best[quality] = Math.min(best[quality], (await ours(quality, 'mupdf', input)).ms);
  }
  console.log(
    `  Japanese office document printed by Chromium, ${officePages} pages: ghostscript ${pps(best.gs, officePages).toFixed(1)} pages/s; faxgate mupdf mono ${pps(best.mono, officePages).toFixed(1)} (${(best.gs / best.mono).toFixed(2)}x gs), halftone ${pps(best.halftone, officePages).toFixed(1)} (${(best.gs / best.halftone).toFixed(2)}x gs)`,
  );
} else if (engines.includes('mupdf')) {
  console.log('  (Chromium could not print the Japanese office document: that comparison is skipped)');
}
await shared.pool.close();

/**
 * The page worker's steps for one PDF page, each timed alone in CPU ms per page (best of two
 * passes). The pool is closed by now, so the process's CPU time is this thread's: unlike wall
 * time it does not count the time spent waiting for a core on a busy machine.
 */
function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function stages(): Promise<Record<'clear' | 'pdfium' | 'mono' | 'halftone' | 'mmr', number>> {
  const g = pageGeometry({ paper: 'A4', orientation: 'portrait', resolution: 'fine' });
  const doc = await PdfiumDocument.open(bytes);
  const target = await GrayTarget.create(g.widthPx, g.heightPx);
  const best = { clear: Infinity, pdfium: Infinity, mono: Infinity, halftone: Infinity, mmr: Infinity };
  try {
    for (let pass = 0; pass < 2; pass++) {
      const t = { clear: 0, pdfium: 0, mono: 0, halftone: 0, mmr: 0 };
      for (let i = 0; i < pages; i++) {
        let a = cpuNow();
        const lap = (k: keyof typeof t): void => {
          const b = cpuNow();
          t[k] += b - a;
          a = b;
        };
        target.clear();
        lap('clear');
        doc.render(i, target, (size) => placeContent({ widthMm: (size.width / 72) * 25.4, heightMm: (size.height / 72) * 25.4 }, g, 'fit'));
        lap('pdfium');
        const gray = { width: g.widthPx, height: g.heightPx, data: target.pixels() };
        const bits = toBilevel(gray, 'mono');
        lap('mono');
        toBilevel(gray, 'halftone');
        lap('halftone');
        encodePage(bits, { scheme: 'mmr', eofb: true });
        lap('mmr');
      }
      for (const k of Object.keys(t) as (keyof typeof t)[]) best[k] = Math.min(best[k], t[k] / pages);
    }
  } finally {
    doc.close();
    target.destroy();
  }
  return best;
}
/**
 * The same for MuPDF: one helper drawing for this thread, page after page (no overlap). The
 * helper reports its CPU for drawing (clear, load, draw), for threshold or diffusion and for
 * MMR coding; the rest of its CPU is the protocol and writing the coded page to the shared
 * file; this thread's CPU while it waits is receiving the reply and reading the page. For
 * comparison, the same pages as bits coded by protocols/t4 in this thread (what the helper's
 * coder replaced).
 */
async function mupdfStages(): Promise<Record<'draw' | 'mono' | 'halftone' | 'helperPipe' | 'receive' | 'mmr' | 'mmrJs', number>> {
  const g = pageGeometry({ paper: 'A4', orientation: 'portrait', resolution: 'fine' });
  const helper = new PdfRasterHelper({ binary: pdfRasterBinary });
  const best = { draw: Infinity, mono: Infinity, halftone: Infinity, helperPipe: Infinity, receive: Infinity, mmr: Infinity, mmrJs: Infinity };
  try {
    const opened = await helper.open('bench', bytes, 60_000);
    const request = (i: number, quality: 'mono' | 'halftone', output: 'mmr' | 'bits'): Promise<Uint8Array> => {
      const size = opened.sizes[i]!;
      const place = placeContent({ widthMm: (size.width / 72) * 25.4, heightMm: (size.height / 72) * 25.4 }, g, 'fit');
      return helper.render('bench', i, { width: g.widthPx, height: g.heightPx, clip: place, matrix: placementMatrix(size, place), mode: quality, output, timeoutMs: 60_000 });
    };
    for (let pass = 0; pass < 2; pass++) {
      const t = { draw: 0, mono: 0, halftone: 0, helperPipe: 0, receive: 0, mmr: 0, mmrJs: 0 };
      for (const quality of ['mono', 'halftone'] as const) {
        const stats0 = { ...helper.stats };
        const helperCpu0 = processCpuMs(helper.pid ?? 0);
        let receive = 0;
        for (let i = 0; i < pages; i++) {
          const a = cpuNow();
          await request(i, quality, 'mmr');
          receive += cpuNow() - a;
        }
        const drawMs = (helper.stats.drawUs - stats0.drawUs) / 1000;
        const bilevelMs = (helper.stats.bilevelUs - stats0.bilevelUs) / 1000;
        const codeMs = (helper.stats.codeUs - stats0.codeUs) / 1000;
        t[quality] = bilevelMs / pages;
        if (quality === 'mono') {
          t.draw = drawMs / pages;
          t.mmr = codeMs / pages;
          t.helperPipe = Math.max(0, processCpuMs(helper.pid ?? 0) - helperCpu0 - drawMs - bilevelMs - codeMs) / pages;
          t.receive = receive / pages;
        }
      }
      for (let i = 0; i < pages; i++) {
        const data = await request(i, 'mono', 'bits');
        const a = cpuNow();
        encodePage({ width: g.widthPx, height: g.heightPx, rowBytes: rowBytesFor(g.widthPx), data }, { scheme: 'mmr', eofb: true });
        t.mmrJs += (cpuNow() - a) / pages;
      }
      for (const k of Object.keys(t) as (keyof typeof t)[]) best[k] = Math.min(best[k], t[k]);
    }
  } finally {
    helper.dispose();
  }
  return best;
}

const st = await stages();
console.log(`  where a mono page's CPU goes with PDFium (one thread, ms/page): PDFium load+draw ${st.pdfium.toFixed(1)}, clear ${st.clear.toFixed(1)}, gray to bilevel ${st.mono.toFixed(1)} (halftone ${st.halftone.toFixed(1)}), MMR ${st.mmr.toFixed(1)}; sum ${(st.pdfium + st.clear + st.mono + st.mmr).toFixed(1)} against gs's whole page ${cpuPerPage(gsRuns).toFixed(1)}`);
if (engines.includes('mupdf')) {
  const mu = await mupdfStages();
  console.log(
    `  where a mono page's CPU goes with MuPDF (ms/page): helper draw ${mu.draw.toFixed(1)}, threshold ${mu.mono.toFixed(1)} (diffusion ${mu.halftone.toFixed(1)}), MMR in the helper ${mu.mmr.toFixed(1)} (protocols/t4 on the same bits: ${mu.mmrJs.toFixed(1)}), helper protocol+write ${mu.helperPipe.toFixed(1)}, receiving ${mu.receive.toFixed(1)}; sum ${(mu.draw + mu.mono + mu.mmr + mu.helperPipe + mu.receive).toFixed(1)} against gs's whole page ${cpuPerPage(gsRuns).toFixed(1)}`,
  );
}
rmSync(work, { recursive: true, force: true });
