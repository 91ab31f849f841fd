/**
 * Fuzzer for the TIFF reader: random bytes and mutated valid TIFFs go through readTiff,
 * tiffPageCoded and decodeTiffPageWithReport. The only failures accepted are the codecs'
 * own errors (TiffError, T4DecodeError); anything else, or an input taking too long, is a
 * finding, saved under test/.work/fuzz/.
 *
 *   node --import tsx test/fuzz/tiff.fuzz.ts [count=100000] [seed=1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { T4DecodeError } from '../../protocols/t4/index.ts';
import { TiffError, decodeTiffPageWithReport, readTiff, reverseBits, tiffPageCoded, writeTiff } from '../../protocols/tiff/index.ts';
import type { TiffLimits, TiffWriteCompression } from '../../protocols/tiff/index.ts';
import { checkerboardPage, halftonePage, prng, singlePixelPage, textPage } from '../support/pages.ts';

/** Small limits keep one input fast; they are what a server would configure anyway. */
const limits: TiffLimits = { maxPages: 64, maxIfdEntries: 256, maxWidth: 4096, maxHeight: 4096 };
/** Slower than this on one input is reported as a (near) hang. */
const SLOW_MS = 2000;

export interface FuzzReport {
  readonly inputs: number;
  readonly accepted: number;
  readonly tiffErrors: number;
  readonly t4Errors: number;
  readonly pagesDecoded: number;
  readonly badLines: number;
  readonly slowestMs: number;
  readonly findings: readonly { readonly kind: string; readonly message: string; readonly file: string }[];
}

/** Valid files to mutate: every compression we write, both byte orders, both fill orders. */
export function seedCorpus(): Uint8Array[] {
  const pages = [textPage(200, 40), halftonePage(64, 24), singlePixelPage(13, 5), checkerboardPage(40, 8)];
  const out: Uint8Array[] = [];
  for (const compression of ['none', 'packbits', 'mh', 'mr', 'mmr'] as TiffWriteCompression[]) {
    const file = writeTiff(pages.map((bitmap) => ({ bitmap, xRes: 204, yRes: 98 })), { compression });
    out.push(file, toFillOrder2(file), toBigEndian(file));
  }
  return out;
}

export function fuzzTiff(count: number, seed = 1): FuzzReport {
  const rnd = prng(seed);
  const corpus = seedCorpus();
  const counts = { accepted: 0, tiffErrors: 0, t4Errors: 0, pagesDecoded: 0, badLines: 0, slowestMs: 0 };
  const findings: { kind: string; message: string; file: string }[] = [];
  for (let i = 0; i < count; i++) {
    const input = rnd() < 0.1 ? randomBytes(rnd) : mutate(corpus[Math.floor(rnd() * corpus.length)]!, rnd);
    const t0 = performance.now();
    try {
      const file = readTiff(input, limits);
      for (const page of file.pages) {
        tiffPageCoded(input, page);
        const r = decodeTiffPageWithReport(input, page);
        counts.pagesDecoded++;
        counts.badLines += r.badLines;
      }
      counts.accepted++;
    } catch (err) {
      if (err instanceof TiffError) counts.tiffErrors++;
      else if (err instanceof T4DecodeError) counts.t4Errors++;
      else findings.push({ kind: 'exception', message: String(err instanceof Error ? err.stack : err), file: save(input, `crash-${seed}-${i}`) });
    }
    const ms = performance.now() - t0;
    counts.slowestMs = Math.max(counts.slowestMs, ms);
    if (ms > SLOW_MS) findings.push({ kind: 'slow', message: `${ms.toFixed(0)} ms`, file: save(input, `slow-${seed}-${i}`) });
  }
  return { inputs: count, ...counts, findings };
}

function randomBytes(rnd: () => number): Uint8Array {
  const n = Math.floor(rnd() * 600);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  // Half the time, a valid header so the IFD parser is reached.
  if (n >= 8 && rnd() < 0.5) b.set(rnd() < 0.5 ? [0x49, 0x49, 42, 0] : [0x4d, 0x4d, 0, 42]);
  return b;
}

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  let b = src.slice();
  const rounds = 1 + Math.floor(rnd() * 4);
  for (let r = 0; r < rounds; r++) {
    const at = Math.floor(rnd() * b.length);
    switch (Math.floor(rnd() * 7)) {
      case 0: // bit flips
        for (let k = 0; k < 1 + rnd() * 8; k++) {
          const p = Math.floor(rnd() * b.length);
          b[p]! ^= 1 << Math.floor(rnd() * 8);
        }
        break;
      case 1: // truncation
        b = b.slice(0, at);
        break;
      case 2: // an interesting 32-bit value over whatever is there (offsets, counts)
      case 3: {
        const vals = [0, 1, 2, 7, 8, b.length - 1, b.length, b.length + 1, 0x7fffffff, 0xffffffff, 0xffff, 4096, 65535, at];
        const v = vals[Math.floor(rnd() * vals.length)]!;
        if (at + 4 <= b.length) new DataView(b.buffer).setUint32(at, v >>> 0, rnd() < 0.5);
        break;
      }
      case 4: // an interesting 16-bit value (tag numbers, types, small counts)
        if (at + 2 <= b.length) new DataView(b.buffer).setUint16(at, [0, 1, 2, 3, 4, 5, 256, 257, 259, 273, 279, 322, 0xffff][Math.floor(rnd() * 13)]!, rnd() < 0.5);
        break;
      case 5: {
        // a chunk copied elsewhere (duplicated IFD entries, strips overwriting IFDs)
        const len = Math.floor(rnd() * 64);
        const from = Math.floor(rnd() * b.length);
        b.set(b.subarray(from, Math.min(b.length, from + len)).slice(0, Math.max(0, b.length - at)), at);
        break;
      }
      default: // random bytes appended or a region randomised
        for (let k = 0; k < 1 + rnd() * 32 && at + k < b.length; k++) b[at + k] = Math.floor(rnd() * 256);
        break;
    }
  }
  return b;
}

/** The same file with every strip bit-reversed and FillOrder 2 (tag 266, SHORT, inline). */
function toFillOrder2(file: Uint8Array): Uint8Array {
  const out = file.slice();
  const info = readTiff(file);
  const dv = new DataView(out.buffer);
  for (const p of info.pages) {
    for (const s of p.strips) out.set(reverseBits(file.subarray(s.offset, s.offset + s.byteCount)), s.offset);
    const n = dv.getUint16(p.ifdOffset, true);
    for (let e = 0; e < n; e++) if (dv.getUint16(p.ifdOffset + 2 + e * 12, true) === 266) dv.setUint16(p.ifdOffset + 10 + e * 12, 2, true);
  }
  return out;
}

/** The same file rewritten big-endian: header, IFD entries and out-of-line values swapped. */
function toBigEndian(file: Uint8Array): Uint8Array {
  const out = file.slice();
  const src = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const dst = new DataView(out.buffer);
  out[0] = 0x4d;
  out[1] = 0x4d;
  dst.setUint16(2, 42);
  let ifd = src.getUint32(4, true);
  dst.setUint32(4, ifd);
  const sizes: Record<number, number> = { 2: 1, 3: 2, 4: 4, 5: 4 };
  while (ifd !== 0) {
    const n = src.getUint16(ifd, true);
    dst.setUint16(ifd, n);
    for (let e = 0; e < n; e++) {
      const at = ifd + 2 + e * 12;
      const type = src.getUint16(at + 2, true);
      const count = src.getUint32(at + 4, true) * (type === 5 ? 2 : 1);
      const size = sizes[type]!;
      dst.setUint16(at, src.getUint16(at, true));
      dst.setUint16(at + 2, type);
      dst.setUint32(at + 4, src.getUint32(at + 4, true));
      const inline = count * size <= 4;
      const base = inline ? at + 8 : src.getUint32(at + 8, true);
      if (!inline) dst.setUint32(at + 8, base);
      for (let k = 0; k < count; k++) {
        if (size === 2) dst.setUint16(base + 2 * k, src.getUint16(base + 2 * k, true));
        else if (size === 4) dst.setUint32(base + 4 * k, src.getUint32(base + 4 * k, true));
      }
    }
    const next = src.getUint32(ifd + 2 + n * 12, true);
    dst.setUint32(ifd + 2 + n * 12, next);
    ifd = next;
  }
  return out;
}

function save(input: Uint8Array, name: string): string {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '.work', 'fuzz');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.tif`);
  writeFileSync(file, input);
  return file;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(process.argv[2] ?? 100000);
  const seed = Number(process.argv[3] ?? 1);
  const t0 = performance.now();
  const r = fuzzTiff(count, seed);
  const s = (performance.now() - t0) / 1000;
  console.log(
    `tiff fuzz: ${r.inputs} inputs in ${s.toFixed(1)} s; accepted ${r.accepted}, TiffError ${r.tiffErrors}, T4DecodeError ${r.t4Errors}; ` +
      `${r.pagesDecoded} pages decoded with ${r.badLines} bad lines; slowest input ${r.slowestMs.toFixed(1)} ms; findings ${r.findings.length}`,
  );
  for (const f of r.findings.slice(0, 10)) console.log(`${f.kind}: ${f.file}\n${f.message}`);
  process.exitCode = r.findings.length === 0 ? 0 : 1;
}
