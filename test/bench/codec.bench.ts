/**
 * T.4/T.6 codec benchmark against libtiff (`npm run bench:codec`).
 *
 * 50 A4 fine pages (1728×2292): 25 text-like, 13 ordered-dither, 12 error-diffusion halftones.
 * For MH, MR (K=4, fine resolution) and MMR: time our encode and decode of all pages, and time
 * tiffcp compressing the same pages from an uncompressed TIFF (encode) and decompressing its
 * own output (decode). tiffcp also pays process start and file I/O, so a second libtiff figure
 * subtracts a `tiffcp -c none` copy of the uncompressed file (the I/O baseline); the ratio
 * against that adjusted figure is the fair one. Wall and CPU time are both reported; on a
 * shared machine CPU time is the trustworthy one. Options: BENCH_PAGES=n, BENCH_RUNS=n.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Bitmap, DecodeOptions, EncodeOptions, Scheme } from '../../protocols/t4/index.ts';
import { decodePage, encodePage, firstDifference } from '../../protocols/t4/index.ts';
import { readMiniTiff, writeMiniTiff } from '../unit/protocols/t4/mini-tiff.ts';
import { diffusionPage, ditherPage, textPage } from '../unit/protocols/t4/pages.ts';

const WIDTH = 1728;
const HEIGHT = 2292;
const PAGES = Number(process.env['BENCH_PAGES'] ?? 50);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);

interface SchemeSpec {
  readonly scheme: Scheme;
  readonly tiffcp: string;
  readonly enc: EncodeOptions;
}

// TIFF-style streams (no RTC) so both sides produce the same kind of data.
const SCHEMES: readonly SchemeSpec[] = [
  { scheme: 'mh', tiffcp: 'g3:1d', enc: { scheme: 'mh', rtc: false } },
  { scheme: 'mr', tiffcp: 'g3:2d', enc: { scheme: 'mr', k: 4, rtc: false } },
  { scheme: 'mmr', tiffcp: 'g4', enc: { scheme: 'mmr' } },
];

interface Timing {
  wall: number;
  cpu: number;
}

/**
 * Minimum wall and CPU time of each task over RUNS rounds, the tasks interleaved within a
 * round so load from other processes hits both sides alike. A task that runs a child process
 * returns the child's CPU ms; otherwise this process's CPU time is measured.
 */
function interleaved(tasks: ReadonlyArray<() => number | void>): Timing[] {
  const min = tasks.map(() => ({ wall: Infinity, cpu: Infinity }));
  for (let r = 0; r < RUNS; r++) {
    tasks.forEach((task, i) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const childCpu = task();
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      const cpu = typeof childCpu === 'number' ? childCpu : (c.user + c.system) / 1000;
      const m = min[i] as Timing;
      m.wall = Math.min(m.wall, wall);
      m.cpu = Math.min(m.cpu, cpu);
    });
  }
  return min;
}

/** Run tiffcp; returns its CPU time (user + system, ms) from bash's `times` builtin. */
function tiffcp(args: readonly string[]): number {
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const out = execFileSync('bash', ['-c', `tiffcp ${quoted} >/dev/null 2>&1; times`], { encoding: 'utf8' });
  // second line: the children's user and system time, e.g. "0m0.120s 0m0.030s"
  const child = out.trim().split('\n')[1] ?? '';
  const secs = [...child.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return ((secs[0] ?? 0) + (secs[1] ?? 0)) * 1000;
}

function main(): void {
  const t0 = performance.now();
  const pages: Bitmap[] = [];
  const textCount = Math.ceil(PAGES / 2);
  for (let i = 0; i < PAGES; i++) {
    if (i < textCount) pages.push(textPage(WIDTH, HEIGHT, 1000 + i));
    else if (i < Math.ceil(PAGES * 0.76)) pages.push(ditherPage(WIDTH, HEIGHT, 2000 + i));
    else pages.push(diffusionPage(WIDTH, HEIGHT, 3000 + i));
  }
  console.log(`generated ${PAGES} pages ${WIDTH}x${HEIGHT} in ${(performance.now() - t0).toFixed(0)} ms; best of ${RUNS} runs`);

  const dir = mkdtempSync(join(tmpdir(), 't4bench-'));
  try {
    const groups = [
      { name: 'all', pages },
      { name: 'text', pages: pages.slice(0, textCount) },
      { name: 'halftone', pages: pages.slice(textCount) },
    ];
    console.log('');
    console.log('                         ------ wall ms ----  -------------- cpu ms ---------------  bytes/page');
    console.log('pages        sch  op        ours libtiff ratio    ours libtiff ratio   lt-io   FAIR     ours  libtiff');
    for (const group of groups) {
      if (group.pages.length === 0) continue;
      const rawPath = join(dir, `${group.name}.tif`);
      writeFileSync(rawPath, writeMiniTiff(group.pages.map((p) => ({ width: WIDTH, height: HEIGHT, compression: 1, data: p.data }))));
      for (const s of SCHEMES) {
        const ltPath = join(dir, `${group.name}-${s.scheme}.tif`);
        const decOpts: DecodeOptions = { scheme: s.scheme, width: WIDTH, height: HEIGHT };
        let coded: Uint8Array[] = [];
        let decoded: Bitmap[] = [];
        tiffcp(['-r', String(HEIGHT), '-c', s.tiffcp, rawPath, ltPath]);
        const none: Timing = { wall: 0, cpu: 0 };
        const [enc = none, ltEnc = none, dec = none, ltDec = none, base = none] = interleaved([
          () => {
            coded = group.pages.map((p) => encodePage(p, s.enc));
          },
          () => tiffcp(['-r', String(HEIGHT), '-c', s.tiffcp, rawPath, ltPath]),
          () => {
            decoded = coded.map((c) => decodePage(c, decOpts).bitmap);
          },
          // -i: libtiff 4.5's 1-D decoder rejects rows with very many changes (halftones) that
          // its own encoder wrote ("Fax3Decode1D: Buffer overflow"); keep going past them.
          () => tiffcp(['-i', '-r', String(HEIGHT), '-c', 'none', ltPath, join(dir, 'out.tif')]),
          // Pure process start + file I/O: uncompressed in, uncompressed out.
          () => tiffcp(['-r', String(HEIGHT), '-c', 'none', rawPath, join(dir, 'out.tif')]),
        ]);
        decoded.forEach((b, i) => {
          const d = firstDifference(group.pages[i] as Bitmap, b);
          if (d) throw new Error(`round trip failed [scheme:${s.scheme}, page:${i}] ${d.message}`);
        });
        // libtiff's data through our decoder: same pixels, and its size.
        let ltBytes = 0;
        readMiniTiff(readFileSync(ltPath)).forEach((p, i) => {
          ltBytes += p.data.length;
          const d = firstDifference(group.pages[i] as Bitmap, decodePage(p.data, decOpts).bitmap);
          if (d) throw new Error(`decoding libtiff's ${s.tiffcp} failed [page:${i}] ${d.message}`);
        });
        const n = group.pages.length;
        const ourBytes = coded.reduce((a, c) => a + c.length, 0);
        const row = (op: string, ours: Timing, lt: Timing, extra: string): string => {
          const adj = Math.max(1, lt.cpu - base.cpu);
          return [
            `${group.name}(${n})`.padEnd(12),
            s.scheme.padEnd(4),
            op.padEnd(6),
            ours.wall.toFixed(0).padStart(7),
            lt.wall.toFixed(0).padStart(7),
            (ours.wall / lt.wall).toFixed(2).padStart(5),
            ours.cpu.toFixed(0).padStart(7),
            lt.cpu.toFixed(0).padStart(7),
            (ours.cpu / lt.cpu).toFixed(2).padStart(5),
            adj.toFixed(0).padStart(7),
            (ours.cpu / adj).toFixed(2).padStart(6),
            extra,
          ].join(' ');
        };
        const sizes = `${Math.round(ourBytes / n).toString().padStart(8)} ${Math.round(ltBytes / n).toString().padStart(8)}`;
        console.log(row('encode', enc, ltEnc, sizes));
        console.log(row('decode', dec, ltDec, `  (I/O baseline: cpu ${base.cpu.toFixed(0)} ms, wall ${base.wall.toFixed(0)} ms)`));
      }
    }
    console.log('');
    console.log('ratio = ours / libtiff (tiffcp includes process start and file I/O).');
    console.log('lt-io = libtiff CPU minus the CPU of `tiffcp -c none` on the uncompressed file (process + I/O);');
    console.log('FAIR = ours CPU / lt-io: codec against codec; CPU time is robust to load from other processes.');
    console.log("libtiff's MH decode of halftones stops at rows it rejects (-i above): compare MH decode on text.");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
