/**
 * T.4/T.6 codec benchmark against libtiff (`npm run bench:codec`).
 *
 * 50 A4 fine pages (1728×2292): 25 text-like, 13 ordered-dither, 12 error-diffusion halftones.
 * For MH, MR (K=4, fine resolution) and MMR, per page kind: CPU time of one pass encoding every
 * page and one pass decoding them, ours in this process (process.cpuUsage) and libtiff's in a
 * small C driver (support/libtiff-codec.c, built here with `cc -ltiff`) that codes the same raw
 * bitmaps through TIFFClientOpen over memory. Both sides run an untimed pass first and report
 * the median of BENCH_REPS timed passes, so process start, file I/O and page generation never
 * count; the two sides' passes alternate, and CPU time keeps most of other processes' load
 * out of the figures (not all: on a busy machine they still share caches).
 *
 * Also checked on every run: our round trip is pixel-exact, libtiff decodes its own output
 * exactly, and our decoder reads libtiff's output (written by the driver) pixel-identically.
 * Options: BENCH_PAGES=n, BENCH_REPS=n, BENCH_SCHEMES=mh,mr,mmr.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bitmap, DecodeOptions, EncodeOptions, Scheme } from '../../protocols/t4/index.ts';
import { decodePage, encodePage, firstDifference } from '../../protocols/t4/index.ts';
import { readMiniTiff } from '../unit/protocols/t4/mini-tiff.ts';
import { diffusionPage, ditherPage, textPage } from '../unit/protocols/t4/pages.ts';

const WIDTH = 1728;
const HEIGHT = 2292;
const PAGES = Number(process.env['BENCH_PAGES'] ?? 50);
const REPS = Number(process.env['BENCH_REPS'] ?? 5);
const ONLY = (process.env['BENCH_SCHEMES'] ?? 'mh,mr,mmr').split(',');
const DRIVER_SOURCE = new URL('./support/libtiff-codec.c', import.meta.url).pathname;

// TIFF-style streams (EOL per row, no RTC) so both sides produce the same kind of data.
const SCHEMES: ReadonlyArray<{ scheme: Scheme; enc: EncodeOptions }> = [
  { scheme: 'mh', enc: { scheme: 'mh', rtc: false } },
  { scheme: 'mr', enc: { scheme: 'mr', k: 4, rtc: false } },
  { scheme: 'mmr', enc: { scheme: 'mmr' } },
];

interface LibtiffResult {
  codedBytes: number;
  errors: number;
  mismatchedPages: number;
  encodeMedianMs: number;
  decodeMedianMs: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >>> 1] ?? NaN;
}

function cpuMs(task: () => void): number {
  const c0 = process.cpuUsage();
  task();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

function main(): void {
  const pages: Bitmap[] = [];
  const textCount = Math.ceil(PAGES / 2);
  for (let i = 0; i < PAGES; i++) {
    if (i < textCount) pages.push(textPage(WIDTH, HEIGHT, 1000 + i));
    else if (i < Math.ceil(PAGES * 0.76)) pages.push(ditherPage(WIDTH, HEIGHT, 2000 + i));
    else pages.push(diffusionPage(WIDTH, HEIGHT, 3000 + i));
  }
  const dir = mkdtempSync(join(tmpdir(), 't4bench-'));
  try {
    const driver = join(dir, 'libtiff-codec');
    execFileSync('cc', ['-O2', '-o', driver, DRIVER_SOURCE, '-ltiff'], { stdio: 'inherit' });
    console.log(`${PAGES} pages ${WIDTH}x${HEIGHT}; CPU ms per pass over a group, median of ${REPS} rounds, each pass after a warm-up`);
    console.log('');
    console.log('pages         sch  op        ours libtiff  ratio   bytes/page ours  libtiff');
    const groups = [
      { name: 'text', pages: pages.slice(0, textCount) },
      { name: 'halftone', pages: pages.slice(textCount) },
    ];
    const totals = new Map<string, { ours: number; lt: number }>();
    for (const group of groups) {
      const n = group.pages.length;
      if (n === 0) continue;
      const rawPath = join(dir, `${group.name}.raw`);
      writeFileSync(rawPath, Buffer.concat(group.pages.map((p) => p.data)));
      for (const s of SCHEMES) {
        if (!ONLY.includes(s.scheme)) continue;
        const decOpts: DecodeOptions = { scheme: s.scheme, width: WIDTH, height: HEIGHT };
        const encode = (): Uint8Array[] => group.pages.map((p) => encodePage(p, s.enc));
        let coded = encode();
        coded.map((c) => decodePage(c, decOpts).bitmap).forEach((b, i) => {
          const d = firstDifference(group.pages[i] as Bitmap, b);
          if (d) throw new Error(`round trip failed [scheme:${s.scheme}, page:${i}] ${d.message}`);
        });
        const encMs: number[] = [];
        const decMs: number[] = [];
        const ltEncMs: number[] = [];
        const ltDecMs: number[] = [];
        const ltPath = join(dir, `${group.name}-${s.scheme}.tif`);
        let lt: LibtiffResult | undefined;
        const decode = (): Bitmap[] => coded.map((c) => decodePage(c, decOpts).bitmap);
        // Rounds alternate the two sides, so load from other processes lands on both alike.
        // Each side runs an untimed pass right before its timed one (the driver does so in
        // each run): the other side's pass in between has evicted the pages from the caches.
        for (let r = 0; r < REPS; r++) {
          coded = encode();
          encMs.push(cpuMs(() => (coded = encode())));
          decode();
          decMs.push(cpuMs(decode));
          const out = execFileSync(driver, [rawPath, String(WIDTH), String(HEIGHT), String(n), s.scheme, '1', ltPath], {
            encoding: 'utf8',
          });
          lt = JSON.parse(out) as LibtiffResult;
          ltEncMs.push(lt.encodeMedianMs);
          ltDecMs.push(lt.decodeMedianMs);
        }
        if (!lt) continue;
        // libtiff 4.5's 1-D decoder gives up on rows with very many changes that its own
        // encoder wrote ("Buffer overflow"): its time for those pages covers less work.
        const ltNote = lt.mismatchedPages > 0 ? ` libtiff decoded ${lt.mismatchedPages} pages wrong` : '';
        readMiniTiff(readFileSync(ltPath)).forEach((p, i) => {
          const d = firstDifference(group.pages[i] as Bitmap, decodePage(p.data, decOpts).bitmap);
          if (d) throw new Error(`decoding libtiff's ${s.scheme} failed [page:${i}] ${d.message}`);
        });
        const ourBytes = coded.reduce((a, c) => a + c.length, 0);
        const row = (op: string, ours: number, libtiff: number, extra = ''): string => {
          const t = totals.get(`${s.scheme} ${op}`) ?? { ours: 0, lt: 0 };
          totals.set(`${s.scheme} ${op}`, { ours: t.ours + ours, lt: t.lt + libtiff });
          return [
            `${group.name}(${n})`.padEnd(13),
            s.scheme.padEnd(4),
            op.padEnd(6),
            ours.toFixed(0).padStart(7),
            libtiff.toFixed(0).padStart(7),
            (ours / libtiff).toFixed(2).padStart(6),
            extra,
          ].join(' ');
        };
        const sizes = `${Math.round(ourBytes / n).toString().padStart(13)} ${Math.round(lt.codedBytes / n).toString().padStart(8)}`;
        console.log(row('encode', median(encMs), median(ltEncMs), sizes));
        console.log(row('decode', median(decMs), median(ltDecMs), ltNote));
      }
    }
    console.log('');
    for (const [key, t] of totals) {
      const [scheme = '', op = ''] = key.split(' ');
      console.log(
        [`all(${PAGES})`.padEnd(13), scheme.padEnd(4), op.padEnd(6), t.ours.toFixed(0).padStart(7), t.lt.toFixed(0).padStart(7), (t.ours / t.lt).toFixed(2).padStart(6)].join(' '),
      );
    }
    console.log('');
    console.log('ratio = ours / libtiff, codec against codec (both in-process, CPU time); all = sum of the groups.');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
