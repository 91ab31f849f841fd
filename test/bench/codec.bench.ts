/**
 * T.4/T.6 codec benchmark against libtiff (`npm run bench:codec`).
 *
 * 50 A4 fine pages (1728×2292): 25 text-like, 13 ordered-dither, 12 error-diffusion halftones.
 * For MH, MR (K=4, fine resolution) and MMR: time our encode and decode of all pages, and time
 * tiffcp compressing the same pages from an uncompressed TIFF (encode) and decompressing its
 * own output (decode). tiffcp also pays process start and file I/O, so a second libtiff figure
 * subtracts a `tiffcp -c none` copy of the uncompressed file (the I/O baseline); the ratio
 * against that adjusted figure is the fair one. Options: BENCH_PAGES=n, BENCH_RUNS=n.
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
  readonly compression: 3 | 4;
  readonly t4Options: number;
  readonly enc: EncodeOptions;
}

// TIFF-style streams (no RTC) so both sides produce the same kind of data.
const SCHEMES: readonly SchemeSpec[] = [
  { scheme: 'mh', tiffcp: 'g3:1d', compression: 3, t4Options: 0, enc: { scheme: 'mh', rtc: false } },
  { scheme: 'mr', tiffcp: 'g3:2d', compression: 3, t4Options: 1, enc: { scheme: 'mr', k: 4, rtc: false } },
  { scheme: 'mmr', tiffcp: 'g4', compression: 4, t4Options: 0, enc: { scheme: 'mmr' } },
];

/**
 * Minimum wall time of each task over RUNS rounds, the tasks interleaved within a round so
 * load from other processes on a shared machine hits both sides alike.
 */
function interleaved(tasks: ReadonlyArray<() => void>): number[] {
  const min = tasks.map(() => Infinity);
  for (let r = 0; r < RUNS; r++) {
    tasks.forEach((task, i) => {
      const t0 = performance.now();
      task();
      min[i] = Math.min(min[i] ?? Infinity, performance.now() - t0);
    });
  }
  return min;
}

function tiffcp(args: string[]): void {
  execFileSync('tiffcp', args, { stdio: ['ignore', 'ignore', 'ignore'] });
}

function main(): void {
  const t0 = performance.now();
  const pages: Bitmap[] = [];
  for (let i = 0; i < PAGES; i++) {
    if (i < Math.ceil(PAGES / 2)) pages.push(textPage(WIDTH, HEIGHT, 1000 + i));
    else if (i < Math.ceil(PAGES * 0.76)) pages.push(ditherPage(WIDTH, HEIGHT, 2000 + i));
    else pages.push(diffusionPage(WIDTH, HEIGHT, 3000 + i));
  }
  console.log(`generated ${PAGES} pages ${WIDTH}x${HEIGHT} in ${(performance.now() - t0).toFixed(0)} ms; best of ${RUNS} runs`);

  const dir = mkdtempSync(join(tmpdir(), 't4bench-'));
  try {
    const groups: Array<{ name: string; pages: Bitmap[] }> = [
      { name: 'all', pages },
      { name: 'text', pages: pages.slice(0, Math.ceil(PAGES / 2)) },
      { name: 'halftone', pages: pages.slice(Math.ceil(PAGES / 2)) },
    ];
    console.log('');
    console.log('pages    scheme op      ours ms  libtiff ms  ratio  libtiff-io ms  ratio(fair)  bytes/page ours  libtiff');
    for (const group of groups) {
      if (group.pages.length === 0) continue;
      const rawPath = join(dir, `${group.name}.tif`);
      writeFileSync(
        rawPath,
        writeMiniTiff(group.pages.map((p) => ({ width: WIDTH, height: HEIGHT, compression: 1, data: p.data }))),
      );
      for (const s of SCHEMES) {
        const ltPath = join(dir, `${group.name}-${s.scheme}.tif`);
        const decOpts: DecodeOptions = { scheme: s.scheme, width: WIDTH, height: HEIGHT };
        let coded: Uint8Array[] = [];
        let decoded: Bitmap[] = [];
        tiffcp(['-r', String(HEIGHT), '-c', s.tiffcp, rawPath, ltPath]);
        const [encMs = 0, ltEnc = 0, decMs = 0, ltDec = 0, baseline = 0] = interleaved([
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
        const row = (op: string, ours: number, lt: number, bytes: string): string => {
          const adj = Math.max(1, lt - baseline);
          return [
            `${group.name}(${n})`.padEnd(8),
            s.scheme.padEnd(6),
            op.padEnd(6),
            ours.toFixed(0).padStart(8),
            lt.toFixed(0).padStart(11),
            (ours / lt).toFixed(2).padStart(6),
            adj.toFixed(0).padStart(14),
            (ours / adj).toFixed(2).padStart(12),
            bytes,
          ].join(' ');
        };
        const sizes = `${Math.round(ourBytes / n).toString().padStart(16)} ${Math.round(ltBytes / n).toString().padStart(8)}`;
        console.log(row('encode', encMs, ltEnc, sizes));
        console.log(row('decode', decMs, ltDec, `  (I/O baseline ${baseline.toFixed(0)} ms)`));
      }
    }
    console.log('');
    console.log('ratio = ours / libtiff wall time (tiffcp includes process start and file I/O);');
    console.log('ratio(fair) = ours / (libtiff - I/O baseline): closest to codec-against-codec.');
    console.log("libtiff's MH decode of halftone pages stops at rows it rejects (see -i above): compare MH decode on text.");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
