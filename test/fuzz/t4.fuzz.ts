/**
 * Fuzz target for the T.4/T.6 decoders (MH, MR, MMR; whole-page and streaming).
 *
 *   node --import tsx test/fuzz/t4.fuzz.ts [count=100000] [seed=1] [maxMsPerInput=1000]
 *
 * Inputs: random bytes, sparse zero-heavy bytes (EOL and fill paths), and valid streams of
 * small random pages mutated by bit flips, chunk duplication, truncation, deletion, zero or
 * 0xFF bursts. Checks: only T4DecodeError escapes; rows never exceed maxLines; the bitmap is
 * exactly height × rowBytes; counters are consistent; streaming in random chunks gives exactly
 * what decodePage gives; unmutated streams decode to the original pixels.
 */
import { pathToFileURL } from 'node:url';
import type { Bitmap, DecodeOptions, EncodeOptions, Scheme } from '../../protocols/t4/index.ts';
import { LineDecoder, T4DecodeError, decodePage, encodePage, firstDifference } from '../../protocols/t4/index.ts';
import { runsPage } from '../unit/protocols/t4/pages.ts';
import type { FuzzCase, FuzzReport, FuzzTarget } from './harness.ts';
import { check, formatReport, runFuzz } from './harness.ts';

const FAX_WIDTHS = [1728, 2048, 2432];

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)] as T;
}

function randomBytes(r: () => number, n: number, density = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r() < density ? Math.floor(r() * 256) : 0;
  return out;
}

function mutate(r: () => number, data: Uint8Array): { data: Uint8Array; what: string[] } {
  let d = data;
  const what: string[] = [];
  const rounds = 1 + Math.floor(r() * 4);
  for (let k = 0; k < rounds && d.length > 0; k++) {
    const at = Math.floor(r() * d.length);
    switch (Math.floor(r() * 7)) {
      case 0: {
        const flips = 1 + Math.floor(r() * 30);
        d = d.slice();
        for (let f = 0; f < flips; f++) d[Math.floor(r() * d.length)]! ^= 1 << Math.floor(r() * 8);
        what.push(`flip${flips}`);
        break;
      }
      case 1: {
        const len = 1 + Math.floor(r() * Math.min(200, d.length - at));
        const copy = d.subarray(at, at + len);
        const to = Math.floor(r() * d.length);
        d = new Uint8Array([...d.subarray(0, to), ...copy, ...d.subarray(to)]);
        what.push('dup');
        break;
      }
      case 2:
        d = d.slice(0, at);
        what.push('trunc');
        break;
      case 3:
        d = new Uint8Array([...d.subarray(0, at), ...d.subarray(at + 1 + Math.floor(r() * 20))]);
        what.push('del');
        break;
      case 4: {
        d = d.slice();
        d.fill(0, at, at + 1 + Math.floor(r() * 40));
        what.push('zeros');
        break;
      }
      case 5: {
        d = d.slice();
        d.fill(0xff, at, at + 1 + Math.floor(r() * 40));
        what.push('ones');
        break;
      }
      default: {
        const junk = randomBytes(r, 1 + Math.floor(r() * 30));
        d = new Uint8Array([...d.subarray(0, at), ...junk, ...d.subarray(at)]);
        what.push('insert');
        break;
      }
    }
  }
  return { data: d, what };
}

function randomEncodeOptions(r: () => number): EncodeOptions {
  const scheme = pick(r, ['mh', 'mr', 'mmr'] as const);
  if (scheme === 'mmr') return { scheme, eofb: r() < 0.7 };
  if (scheme === 'mh' && r() < 0.3) return { scheme, eol: false, rtc: false, byteAlignRows: r() < 0.5 };
  return {
    scheme,
    k: pick(r, [1, 2, 4, 100]),
    alignEol: r() < 0.3,
    minBitsPerLine: r() < 0.2 ? Math.floor(r() * 400) : 0,
    rtc: r() < 0.6,
  };
}

/** Decode options matching the encoding, or (sometimes) deliberately not. */
function decodeOptionsFor(r: () => number, enc: EncodeOptions, width: number): DecodeOptions {
  const base: DecodeOptions = {
    scheme: enc.scheme,
    width,
    eol: enc.eol ?? true,
    byteAlignRows: enc.byteAlignRows ?? false,
    maxLines: pick(r, [50, 200, 1000]),
  };
  if (r() < 0.1) return { ...base, scheme: pick(r, ['mh', 'mr', 'mmr'] as const), eol: true, byteAlignRows: false };
  if (r() < 0.05) return { ...base, width: 1 + Math.floor(r() * 3000) };
  if (r() < 0.05) return { ...base, strict: true };
  return base;
}

function streamDecode(data: Uint8Array, opts: DecodeOptions, r: () => number): { rows: Uint8Array; lines: number; bad: number; end: string } {
  const rowBytes = (opts.width + 7) >>> 3;
  const parts: Uint8Array[] = [];
  const dec = new LineDecoder(opts, (row) => parts.push(row.slice()));
  const maxChunk = pick(r, [1, 3, 64, 1000]);
  for (let off = 0; off < data.length; ) {
    const n = 1 + Math.floor(r() * maxChunk);
    dec.push(data.subarray(off, off + n));
    off += n;
  }
  const end = dec.end();
  const rows = new Uint8Array(parts.length * rowBytes);
  parts.forEach((p, i) => rows.set(p, i * rowBytes));
  return { rows, lines: dec.lines, bad: dec.badLines, end };
}

function checkResult(data: Uint8Array, opts: DecodeOptions, r: () => number, original: Bitmap | undefined): string {
  const res = decodePage(data, opts);
  const maxLines = opts.maxLines ?? 65536;
  const rowBytes = (opts.width + 7) >>> 3;
  check(res.lines <= maxLines, `lines ${res.lines} > maxLines ${maxLines}`);
  check(res.bitmap.rowBytes === rowBytes && res.bitmap.width === opts.width, 'bitmap geometry');
  check(res.bitmap.data.length === res.bitmap.height * rowBytes, 'bitmap size');
  check(res.bitmap.height === (opts.height ?? res.lines), 'bitmap height');
  check(res.repairedLines <= res.badLines && res.consecutiveBadLinesMax <= res.badLines, 'counters');
  check(res.badLines <= res.lines + 1, 'bad lines beyond rows');
  if (original) {
    const d = firstDifference(original, res.bitmap);
    check(d === undefined && res.badLines === 0, `clean stream mis-decoded: ${d?.message ?? `${res.badLines} bad`}`);
  }
  if (r() < 0.15) {
    const s = streamDecode(data, opts, r);
    check(s.lines === res.lines && s.bad === res.badLines && s.end === res.endedWith, `streaming differs: ${s.lines}/${s.bad}/${s.end} vs ${res.lines}/${res.badLines}/${res.endedWith}`);
    check(s.rows.every((b, i) => b === res.bitmap.data[i]), 'streaming rows differ');
  }
  return `${res.endedWith}${res.badLines > 0 ? '+bad' : ''}`;
}

export const t4Target: FuzzTarget = {
  name: 't4',
  expectedError: T4DecodeError,
  generate(r): FuzzCase {
    const kind = r();
    if (kind < 0.2) {
      const sparse = kind >= 0.1;
      const data = randomBytes(r, Math.floor(r() * 4096), sparse ? 0.15 : 1);
      const opts: DecodeOptions = {
        scheme: pick(r, ['mh', 'mr', 'mmr'] as Scheme[]),
        width: r() < 0.5 ? pick(r, FAX_WIDTHS) : 1 + Math.floor(r() * 2500),
        eol: r() < 0.8,
        byteAlignRows: r() < 0.2,
        maxLines: pick(r, [100, 1000]),
      };
      const fixed = opts.scheme === 'mr' ? { ...opts, eol: true } : opts;
      return { input: data, note: `${sparse ? 'sparse' : 'random'} ${fixed.scheme} w=${fixed.width}`, run: () => checkResult(data, fixed, r, undefined) };
    }
    const width = r() < 0.4 ? pick(r, FAX_WIDTHS) : 1 + Math.floor(r() * 3000);
    const height = 1 + Math.floor(r() * 40);
    const page = runsPage(width, height, Math.floor(r() * 1e9), pick(r, [2, 10, 60, 500]));
    const enc = randomEncodeOptions(r);
    const clean = encodePage(page, enc);
    const intact = r() < 0.1;
    const { data, what } = intact ? { data: clean, what: ['intact'] } : mutate(r, clean);
    const opts: DecodeOptions = intact
      ? { scheme: enc.scheme, width, eol: enc.eol ?? true, byteAlignRows: enc.byteAlignRows ?? false, maxLines: 1000 }
      : decodeOptionsFor(r, enc, width);
    const note = `${enc.scheme} w=${width} h=${height} ${JSON.stringify(enc)} ${what.join('+')}`;
    return { input: data, note, run: () => checkResult(data, opts, r, intact ? page : undefined) };
  },
};

/**
 * Inputs are at most a few KB and normally decode in well under 5 ms; the per-input bound is
 * far above that so scheduling hiccups on a shared machine don't count, while a loop that
 * fails to make progress, or quadratic work, still shows up.
 */
export function fuzzT4(count: number, seed: number, log?: (line: string) => void, maxMsPerInput = 1000): FuzzReport {
  return runFuzz(t4Target, { count, seed, maxMsPerInput, ...(log ? { log } : {}) });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const count = Number(process.argv[2] ?? 100000);
  const seed = Number(process.argv[3] ?? 1);
  const report = fuzzT4(count, seed, (l) => console.log(l), Number(process.argv[4] ?? 1000));
  console.log(formatReport(report));
  process.exitCode = report.findings.length > 0 ? 1 : 0;
}
