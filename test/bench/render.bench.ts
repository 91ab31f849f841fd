/**
 * PDF to fax TIFF throughput: faxgate (PDFium in page workers, MMR) against Ghostscript's
 * tiffg4 device at 204x196 on the same PDFs in the same run, and the longest event-loop
 * stall while a 100-page PDF renders.
 *
 *   node --import tsx test/bench/render.bench.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDocuments } from '../../plugins/documents/pipeline.ts';
import { writeFaxTiff } from '../../plugins/documents/output.ts';
import { Semaphore } from '../../plugins/documents/semaphore.ts';
import { WorkerPool } from '../../plugins/documents/worker/pool.ts';

const work = mkdtempSync(join(tmpdir(), 'faxgate-bench-'));
const pages = 100;
const pdf = join(work, 'bench.pdf');
execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', `-sOutputFile=${pdf}`, '-c',
  `/Helvetica findfont 10 scalefont setfont 1 1 ${pages} { /p exch def 1 1 64 { /l exch def 40 800 l 12 mul sub moveto (Page ) show p 10 string cvs show ( line ) show l 10 string cvs show ( The quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ.) show } for 0.5 setgray 40 20 200 20 rectfill 0 setgray showpage } for`]);
const bytes = readFileSync(pdf);

function gs(): number {
  const t = performance.now();
  execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=tiffg4', '-r204x196', `-sOutputFile=${join(work, 'gs.tif')}`, pdf]);
  return performance.now() - t;
}

const shared = { pool: new WorkerPool(2), converters: new Semaphore(1) };
async function ours(quality: 'mono' | 'halftone'): Promise<{ ms: number; maxStallMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const t = performance.now();
  const job = await openDocuments([{ name: 'bench.pdf', bytes }], { modes: { quality }, shared });
  await writeFaxTiff(job, join(work, 'ours.tif'));
  await job.close();
  const ms = performance.now() - t;
  h.disable();
  return { ms, maxStallMs: h.max / 1e6 };
}

await ours('mono'); // warm-up: worker start, WASM compile
const rounds = 3;
const gsMs: number[] = [];
const mono: number[] = [];
const halftone: number[] = [];
let stall = 0;
for (let r = 0; r < rounds; r++) {
  gsMs.push(gs());
  const m = await ours('mono');
  mono.push(m.ms);
  const h = await ours('halftone');
  halftone.push(h.ms);
  stall = Math.max(stall, m.maxStallMs, h.maxStallMs);
}
const best = (xs: number[]): number => Math.min(...xs);
const pps = (ms: number): number => (pages * 1000) / ms;
console.log(`PDF -> fax TIFF, ${pages} A4 text pages at 204x196, best of ${rounds}:`);
console.log(`  ghostscript tiffg4     ${pps(best(gsMs)).toFixed(1)} pages/s`);
console.log(`  faxgate mono           ${pps(best(mono)).toFixed(1)} pages/s  (ratio ${(best(gsMs) / best(mono)).toFixed(2)}x)`);
console.log(`  faxgate halftone       ${pps(best(halftone)).toFixed(1)} pages/s  (ratio ${(best(gsMs) / best(halftone)).toFixed(2)}x)`);
console.log(`  longest event-loop stall while rendering: ${stall.toFixed(1)} ms`);
await shared.pool.close();
rmSync(work, { recursive: true, force: true });
