/**
 * The encoder against a reference coder written straight from the definitions of T.4 4.1 and
 * 4.2.1.3 (and T.6 2.2): it reads pixels one at a time, finds a1, a2, b1 and b2 by scanning,
 * and writes codes as bit strings. The real encoder works on lists of changing elements, reads
 * rows 32 pixels at a time and takes shortcuts through runs of vertical modes; every such
 * shortcut must leave the output bit for bit what the definitions give.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bitmap, EncodeOptions } from '../../../../protocols/t4/index.ts';
import { LineEncoder, encodePage } from '../../../../protocols/t4/index.ts';
import { changesCapacity, findChanges, viewOver } from '../../../../protocols/t4/changes.ts';
import { HORIZONTAL, PASS, VERTICAL_BITS, VERTICAL_CODE, runCodeList } from '../../../../protocols/t4/tables.ts';
import { rng, textPage } from './pages.ts';

const EOL = '000000000001';

/** Code strings by run length (terminating 0..63, make-up 64..2560) per colour. */
const RUN_CODES = ([0, 1] as const).map((color) => new Map(runCodeList(color).map((e) => [e.run, e.code])));

function runCode(color: number, run: number): string {
  const codes = RUN_CODES[color]!;
  let s = '';
  // T.4 4.1.1.3: runs past 2623 repeat make-up 2560 until the rest fits one make-up + terminating code.
  while (run >= 2624) {
    s += codes.get(2560);
    run -= 2560;
  }
  if (run >= 64) s += codes.get(run - (run % 64));
  return s + codes.get(run % 64);
}

function verticalCode(d: number): string {
  return (VERTICAL_CODE[d + 3] ?? 0).toString(2).padStart(VERTICAL_BITS[d + 3] ?? 0, '0');
}

const PASS_CODE = PASS.code.toString(2).padStart(PASS.bits, '0');
const HORIZONTAL_CODE = HORIZONTAL.code.toString(2).padStart(HORIZONTAL.bits, '0');

/** Pixel x of a row (0 = white); the imaginary pixel left of the row is white. */
function pixel(b: Bitmap, y: number, x: number): number {
  if (y < 0 || x < 0) return 0;
  return ((b.data[y * b.rowBytes + (x >>> 3)] ?? 0) >>> (7 - (x & 7))) & 1;
}

/** The first changing element right of x on row y (y = -1 is the white row above the page), or the width. */
function nextChange(b: Bitmap, y: number, x: number): number {
  for (let p = Math.max(0, x + 1); p < b.width; p++) if (pixel(b, y, p) !== pixel(b, y, p - 1)) return p;
  return b.width;
}

function oneDimensional(b: Bitmap, y: number): string {
  // T.4 4.1.1: runs of alternating colour from a white one (of length 0 if the row starts black).
  let s = '';
  let a0 = -1;
  let color = 0;
  while (a0 < b.width) {
    const a1 = nextChange(b, y, a0);
    s += runCode(color, a1 - Math.max(a0, 0));
    a0 = a1;
    color ^= 1;
  }
  return s;
}

/** T.4 4.2.1.3.2, figure 7/T.4: the coding line y against reference line y - 1. */
function twoDimensional(b: Bitmap, y: number, ref: number): string {
  let s = '';
  let a0 = -1;
  let color = 0; // colour of a0
  while (a0 < b.width) {
    const a1 = nextChange(b, y, a0);
    // b1: the first changing element on the reference line right of a0 and of the colour opposite a0's.
    let b1 = nextChange(b, ref, a0);
    while (b1 < b.width && pixel(b, ref, b1) === color) b1 = nextChange(b, ref, b1);
    const b2 = nextChange(b, ref, b1);
    if (b2 < a1) {
      s += PASS_CODE;
      a0 = b2;
    } else if (Math.abs(a1 - b1) <= 3) {
      s += verticalCode(a1 - b1);
      a0 = a1;
      color ^= 1;
    } else {
      const a2 = nextChange(b, y, a1);
      s += HORIZONTAL_CODE + runCode(color, a1 - Math.max(a0, 0)) + runCode(color ^ 1, a2 - a1);
      a0 = a2;
    }
  }
  return s;
}

/** The whole page as the definitions give it, with every option of EncodeOptions. */
function referenceEncode(b: Bitmap, o: EncodeOptions): Uint8Array {
  const eol = o.scheme !== 'mmr' && (o.eol ?? true);
  const k = o.k ?? 2;
  const min = eol ? (o.minBitsPerLine ?? 0) : 0;
  let s = '';
  let lineStart = -1;
  const closeLine = (): void => {
    if (min > 0 && lineStart >= 0) while (s.length - lineStart < min) s += '0';
  };
  const putEol = (): void => {
    if (o.alignEol) while ((s.length + 12) % 8 !== 0) s += '0';
    s += EOL;
  };
  for (let y = 0; y < b.height; y++) {
    let oneD = o.scheme === 'mh';
    if (eol) {
      closeLine();
      lineStart = s.length + (o.alignEol ? (8 - ((s.length + 12) % 8)) % 8 : 0);
      putEol();
      if (o.scheme === 'mr') {
        oneD = y % k === 0;
        s += oneD ? '1' : '0';
      }
    }
    s += oneD ? oneDimensional(b, y) : twoDimensional(b, y, y - 1);
    if (o.byteAlignRows) while (s.length % 8 !== 0) s += '0';
  }
  if (eol) {
    closeLine();
    if (o.rtc ?? true) for (let i = 0; i < 6; i++) {
      putEol();
      if (o.scheme === 'mr') s += '1';
    }
  } else if (o.scheme === 'mmr' && (o.eofb ?? true)) {
    s += EOL + EOL;
  }
  while (s.length % 8 !== 0) s += '0';
  const out = new Uint8Array(s.length / 8);
  for (let i = 0; i < s.length; i++) if (s[i] === '1') out[i >>> 3]! |= 0x80 >>> (i & 7);
  return out;
}

/**
 * Rows that grow from the one above as text and line art do: edges stay or move by up to 4
 * pixels, short runs appear and vanish, now and then a fresh row or a white one; so every
 * vertical mode, pass mode and horizontal mode occurs, also at the row ends. The page sits at
 * byte `shift` of its buffer (rows off 4-byte boundaries) and the padding bits past the width
 * hold garbage when asked, which the encoder must ignore.
 */
function evolvingPage(width: number, height: number, seed: number, meanRun: number, shift: number, garbage: boolean): Bitmap {
  const r = rng(seed);
  const rowBytes = (width + 7) >>> 3;
  const data = new Uint8Array(rowBytes * height + 8).subarray(shift, shift + rowBytes * height);
  const fresh = (): number[] => {
    const edges: number[] = [];
    for (let x = Math.floor(r() * 3); x < width; x += 1 + Math.floor(-Math.log(1 - r()) * meanRun)) edges.push(x);
    return edges;
  };
  let edges = fresh();
  for (let y = 0; y < height; y++) {
    const t = r();
    if (t < 0.05) edges = [];
    else if (t < 0.1) edges = fresh();
    else {
      edges = edges.map((e) => (r() < 0.5 ? e : e + Math.floor(r() * 9) - 4));
      if (r() < 0.3) {
        const x = Math.floor(r() * width);
        edges.push(x, x + 1 + Math.floor(r() * 5));
      }
      if (r() < 0.3 && edges.length > 1) edges.splice(Math.floor(r() * edges.length), 2);
      if (r() < 0.05) edges.push(width - 1 - Math.floor(r() * 4));
      edges = [...new Set(edges.filter((e) => e >= 0 && e < width))].sort((a, b) => a - b);
    }
    let black = false;
    let x = 0;
    for (const e of [...edges, width]) {
      if (black) for (let p = x; p < e; p++) data[y * rowBytes + (p >>> 3)]! |= 0x80 >>> (p & 7);
      black = !black;
      x = e;
    }
    if (garbage && (width & 7) !== 0) data[y * rowBytes + rowBytes - 1]! |= Math.floor(r() * 256) & (0xff >>> (width & 7));
  }
  return { width, height, rowBytes, data };
}

const OPTIONS: readonly EncodeOptions[] = [
  { scheme: 'mh' },
  { scheme: 'mh', eol: false },
  { scheme: 'mh', eol: false, byteAlignRows: true },
  { scheme: 'mh', alignEol: true, minBitsPerLine: 400, rtc: false },
  { scheme: 'mr', k: 2 },
  { scheme: 'mr', k: 4, alignEol: true, minBitsPerLine: 300 },
  { scheme: 'mmr' },
  { scheme: 'mmr', eofb: false },
];

const WIDTHS = [1, 3, 13, 31, 32, 33, 100, 1000, 1728, 2048, 2432, 2624, 5300];

function label(b: Bitmap, o: EncodeOptions): string {
  return `${b.width}x${b.height} ${JSON.stringify(o)}`;
}

describe('encoder = the T.4 / T.6 definitions, bit for bit', () => {
  it('findChanges lists the changing elements of rows at any byte offset, with garbage past the width', () => {
    const r = rng(7);
    for (let i = 0; i < 3000; i++) {
      const width = 1 + Math.floor(r() * (i < 2000 ? 140 : 3000));
      const rowBytes = (width + 7) >>> 3;
      const shift = i & 3;
      const row = new Uint8Array(rowBytes + 8).subarray(shift, shift + rowBytes);
      const density = r();
      for (let j = 0; j < rowBytes; j++) row[j] = r() < 0.4 ? (r() < 0.5 ? 0 : 0xff) : Math.floor(r() * 256) & (r() < density ? 0xff : 0x11);
      const b: Bitmap = { width, height: 1, rowBytes, data: row };
      const expected: number[] = [];
      for (let x = nextChange(b, 0, -1); x < width; x = nextChange(b, 0, x)) expected.push(x);
      const out = new Int32Array(changesCapacity(width)).fill(-7);
      const n = findChanges(row, 0, width, out, viewOver(row));
      assert.deepEqual([...out.subarray(0, n)], expected, `width ${width} shift ${shift}`);
      assert.deepEqual([...out.subarray(n, n + 4)], [width, width, width, width], 'sentinels');
    }
  });

  it('every scheme and option, widths 1..5300, evolving rows at every byte offset', () => {
    let seed = 1;
    for (const width of WIDTHS) {
      for (const [i, meanRun] of [2, 12, 400].entries()) {
        const page = evolvingPage(width, width > 3000 ? 10 : 24, seed++, meanRun, i + 1, i !== 1);
        for (const o of OPTIONS) assert.deepEqual(encodePage(page, o), referenceEncode(page, o), label(page, o));
      }
    }
  });

  it('all white, all black, one-pixel runs and a text page', () => {
    const solid = (width: number, v: number): Bitmap => {
      const rowBytes = (width + 7) >>> 3;
      return { width, height: 3, rowBytes, data: new Uint8Array(rowBytes * 3).fill(v) };
    };
    const pages = [solid(1728, 0), solid(1728, 0xff), solid(13, 0xff), solid(6000, 0xff), solid(2432, 0xaa), textPage(1728, 120, 3)];
    for (const page of pages) for (const o of OPTIONS) assert.deepEqual(encodePage(page, o), referenceEncode(page, o), label(page, o));
  });

  it('LineEncoder fed rows from unaligned arrays, drained after each, = the reference', () => {
    for (const [i, width] of [13, 1728, 2432].entries()) {
      const page = evolvingPage(width, 30, 50 + i, 6, 3, true);
      for (const o of OPTIONS) {
        const enc = new LineEncoder(width, o);
        const parts: number[] = [];
        for (let y = 0; y < page.height; y++) {
          // A copy at an odd offset of its own buffer: a row arrives as the T.30 engine gets it.
          const row = new Uint8Array(page.rowBytes + 1).subarray(1);
          row.set(page.data.subarray(y * page.rowBytes, (y + 1) * page.rowBytes));
          enc.encodeLine(row);
          parts.push(...enc.drain());
        }
        parts.push(...enc.finish());
        assert.deepEqual(Uint8Array.from(parts), referenceEncode(page, o), label(page, o));
      }
    }
  });
});
