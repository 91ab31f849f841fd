/**
 * Test page bitmaps for the codec, TIFF, PDF and PNG tests: text-like pages, halftones,
 * all white, all black, a single pixel, alternating patterns, at any width. Deterministic:
 * the same arguments give the same pixels.
 *
 * `ghostscriptTextPage` renders real text with Ghostscript to PBM (cached under test/.work/),
 * for tests that want the statistics of real type rather than the built-in block font.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bitmap } from '../../protocols/t4/index.ts';
import { createBitmap, setPixel } from '../../protocols/t4/index.ts';

export interface NamedPage {
  readonly name: string;
  readonly bitmap: Bitmap;
}

/** Fax widths in pixels: A4 at 204 dpi, B4, A3, plus odd widths that end mid-byte. */
export const faxWidths = [1728, 2048, 2432, 1000, 13] as const;

/** mulberry32: a small seeded PRNG, so pages are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function whitePage(width: number, height: number): Bitmap {
  return createBitmap(width, height);
}

export function blackPage(width: number, height: number): Bitmap {
  const b = createBitmap(width, height);
  for (let y = 0; y < height; y++) fillRow(b, y, 0, width);
  return b;
}

/** One black pixel on white (default: the last pixel of the middle row, a padding-bit edge case). */
export function singlePixelPage(width: number, height: number, x = width - 1, y = height >> 1): Bitmap {
  const b = createBitmap(width, height);
  setPixel(b, x, y, 1);
  return b;
}

/** 1-pixel checkerboard: every run is one pixel long, the worst case for run-length codes. */
export function checkerboardPage(width: number, height: number): Bitmap {
  const b = createBitmap(width, height);
  for (let y = 0; y < height; y++) for (let x = y & 1; x < width; x += 2) setPixel(b, x, y, 1);
  return b;
}

/** Alternate black and white columns: identical rows (MR vertical mode V0 everywhere). */
export function verticalStripesPage(width: number, height: number, period = 2): Bitmap {
  const b = createBitmap(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (x % period < period / 2) setPixel(b, x, y, 1);
  return b;
}

/** Alternate black and white rows: every row is all white or all black. */
export function horizontalStripesPage(width: number, height: number): Bitmap {
  const b = createBitmap(width, height);
  for (let y = 0; y < height; y += 2) fillRow(b, y, 0, width);
  return b;
}

/**
 * Runs of every length from 1 up to the width, shifting from row to row, so terminating
 * and make-up codes of every size (and pass/horizontal modes in 2-D) all occur.
 */
export function runLengthsPage(width: number, height: number): Bitmap {
  const b = createBitmap(width, height);
  for (let y = 0; y < height; y++) {
    let x = 0;
    let len = 1 + ((y * 37) % Math.max(1, width));
    let black = (y & 1) === 1;
    while (x < width) {
      const end = Math.min(width, x + len);
      if (black) fillRow(b, y, x, end);
      x = end;
      black = !black;
      len = 1 + ((len * 7 + y) % Math.max(1, Math.min(width, 2600)));
    }
  }
  return b;
}

/** Random pixels with the given black density: incompressible noise. */
export function noisePage(width: number, height: number, density = 0.5, seed = 1): Bitmap {
  const rnd = prng(seed);
  const b = createBitmap(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (rnd() < density) setPixel(b, x, y, 1);
  return b;
}

/** Bayer 8x8 ordered dither threshold matrix (values 0..63). */
const bayer8 = (() => {
  const m = new Uint8Array(64);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      // Bit-interleaving construction of the recursive Bayer matrix.
      let v = 0;
      let xr = x;
      let xy = x ^ y;
      for (let bit = 0; bit < 3; bit++) {
        v = (v << 2) | ((xy & 1) << 1) | (xr & 1);
        xr >>= 1;
        xy >>= 1;
      }
      m[y * 8 + x] = v;
    }
  }
  return m;
})();

/**
 * A dithered "photo": smooth gradients and circles through an ordered dither, plus a band
 * of error-diffused grey. Dense short runs, as scanned pictures give.
 */
export function halftonePage(width: number, height: number, seed = 7): Bitmap {
  const rnd = prng(seed);
  const b = createBitmap(width, height);
  const cx = width * (0.3 + 0.4 * rnd());
  const cy = height * (0.3 + 0.4 * rnd());
  const r = Math.max(1, Math.min(width, height) / 3);
  const grey = (x: number, y: number): number => {
    const d = Math.hypot(x - cx, y - cy) / r;
    const ring = 0.5 + 0.5 * Math.cos(d * 6);
    return Math.min(1, Math.max(0, 0.15 + 0.7 * (x / Math.max(1, width)) * 0.5 + 0.35 * ring));
  };
  const band = Math.floor(height * 0.75);
  let errs = new Float32Array(width + 2);
  for (let y = 0; y < height; y++) {
    const nextErrs = new Float32Array(width + 2);
    for (let x = 0; x < width; x++) {
      const g = grey(x, y);
      if (y < band) {
        if (g * 64 > bayer8[(y & 7) * 8 + (x & 7)]!) setPixel(b, x, y, 1);
      } else {
        // Floyd-Steinberg weights 7/16, 3/16, 5/16, 1/16.
        const v = g + errs[x + 1]!;
        const out = v > 0.5 ? 1 : 0;
        if (out === 1) setPixel(b, x, y, 1);
        const e = v - out;
        errs[x + 2]! += (e * 7) / 16;
        nextErrs[x]! += (e * 3) / 16;
        nextErrs[x + 1]! += (e * 5) / 16;
        nextErrs[x + 2]! += e / 16;
      }
    }
    errs = nextErrs;
  }
  return b;
}

// ---------------------------------------------------------------------------------------
// Text-like pages with a built-in block font: 5x7 cells made of display segments.

/** Segments on a 5x7 cell: [x0, y0, x1, y1] inclusive rectangles. */
const segments: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 4, 0], // top
  [0, 3, 4, 3], // middle
  [0, 6, 4, 6], // bottom
  [0, 0, 0, 3], // upper left
  [0, 3, 0, 6], // lower left
  [4, 0, 4, 3], // upper right
  [4, 3, 4, 6], // lower right
  [2, 0, 2, 6], // centre stem
  [1, 1, 1, 2], // upper inner left (diagonal-ish)
  [3, 4, 3, 5], // lower inner right
];

function glyphMask(code: number): number {
  // Each printable character gets a fixed set of 3 to 6 segments; the exact shapes do not
  // matter, the statistics of short strokes on white do.
  const rnd = prng(code * 2654435761);
  let mask = 0;
  const n = 3 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) mask |= 1 << Math.floor(rnd() * segments.length);
  return mask;
}

/** Draws `text` at (x, y) with the block font, each font pixel `scale` page pixels. */
export function drawText(b: Bitmap, text: string, x: number, y: number, scale: number): void {
  let cx = x;
  for (const ch of text) {
    if (ch !== ' ') {
      const mask = glyphMask(ch.charCodeAt(0));
      segments.forEach(([x0, y0, x1, y1], i) => {
        if ((mask & (1 << i)) === 0) return;
        fillRect(b, cx + x0 * scale, y + y0 * scale, cx + (x1 + 1) * scale, y + (y1 + 1) * scale);
      });
    }
    cx += 6 * scale;
  }
}

const words = ['fax', 'invoice', 'total', 'page', 'number', 'the', 'of', 'and', 'transmission', 'received', 'Tokyo', 'order', '2024', 'JPY', 'qty', 'ref:', 'T.38', 'please', 'sign', 'return', 'copy'];

/**
 * A business-letter-like page: a heading, paragraphs of words in the block font, a ruled
 * table and a signature scrawl. `scale` 2 gives about 10-point type at 204 x 196 dpi.
 */
export function textPage(width: number, height: number, seed = 1, scale = 2): Bitmap {
  const rnd = prng(seed);
  const b = createBitmap(width, height);
  const margin = Math.min(Math.floor(width / 12), 140);
  const lineHeight = 11 * scale;
  let y = margin >> 1;
  drawText(b, 'FAXGATE TEST PAGE', margin, y, scale * 2);
  y += lineHeight * 3;
  while (y + lineHeight < height * 0.65) {
    let x = margin;
    while (true) {
      const w = words[Math.floor(rnd() * words.length)]!;
      const wWidth = w.length * 6 * scale;
      if (x + wWidth > width - margin) break;
      drawText(b, w, x, y, scale);
      x += wWidth + 6 * scale;
    }
    y += rnd() < 0.15 ? lineHeight * 2 : lineHeight;
  }
  // A ruled table: long horizontal runs and regular vertical lines.
  const tableTop = y + lineHeight;
  const tableBottom = Math.min(height - margin, tableTop + lineHeight * 8);
  for (let ty = tableTop; ty <= tableBottom; ty += lineHeight * 2) fillRect(b, margin, ty, width - margin, ty + 1);
  for (let tx = margin; tx <= width - margin; tx += Math.max(2, Math.floor((width - 2 * margin) / 4))) fillRect(b, tx, tableTop, tx + 1, tableBottom);
  // A signature: a wobbly pen stroke.
  let sx = width * 0.6;
  let sy = Math.min(height - 4, tableBottom + lineHeight * 2);
  for (let i = 0; i < width * 0.25; i++) {
    sy += Math.sin(i / 6) * 1.5 + (rnd() - 0.5);
    sx += 1;
    fillRect(b, Math.floor(sx), Math.floor(sy), Math.floor(sx) + 2, Math.floor(sy) + 2);
  }
  return b;
}

/** Every kind of page at one size, named for test messages. */
export function pageSet(width: number, height: number): NamedPage[] {
  return [
    { name: `text-${width}`, bitmap: textPage(width, height) },
    { name: `halftone-${width}`, bitmap: halftonePage(width, height) },
    { name: `white-${width}`, bitmap: whitePage(width, height) },
    { name: `black-${width}`, bitmap: blackPage(width, height) },
    { name: `pixel-${width}`, bitmap: singlePixelPage(width, height) },
    { name: `checker-${width}`, bitmap: checkerboardPage(width, height) },
    { name: `vstripes-${width}`, bitmap: verticalStripesPage(width, height) },
    { name: `hstripes-${width}`, bitmap: horizontalStripesPage(width, height) },
    { name: `runs-${width}`, bitmap: runLengthsPage(width, height) },
  ];
}

// ---------------------------------------------------------------------------------------
// Real text from Ghostscript.

const workDir = join(dirname(fileURLToPath(import.meta.url)), '..', '.work', 'pages');

/**
 * A page of real type rendered by Ghostscript (Times and Courier, several sizes) at the
 * given size and resolution, read back from PBM. Cached in test/.work/pages/.
 * Throws when `gs` is not installed.
 */
export function ghostscriptTextPage(width = 1728, height = 2200, xDpi = 204, yDpi = 196): Bitmap {
  const file = join(workDir, `gs-text-${width}x${height}-${xDpi}x${yDpi}.pbm`);
  if (!existsSync(file)) {
    mkdirSync(workDir, { recursive: true });
    const ps = postscriptLetter(width / xDpi * 72, height / yDpi * 72);
    const tmp = `${file}.${process.pid}.tmp`;
    const r = spawnSync('gs', ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=pbmraw', `-r${xDpi}x${yDpi}`, `-g${width}x${height}`, `-sOutputFile=${tmp}`, '-'], { input: ps, timeout: 60_000 });
    if (r.status !== 0) throw new Error(`ghostscript failed [status:${r.status}, stderr:${r.stderr?.toString().slice(0, 200)}]`);
    renameSync(tmp, file);
  }
  return parsePbm(readFileSync(file));
}

function postscriptLetter(wPt: number, hPt: number): string {
  const lines: string[] = [];
  const body = 'Dear customer, please find attached the signed order confirmation for delivery on the 14th. The total amount of 1,234,567 JPY includes tax and shipping. Contact us by fax at +81-3-1234-5678 if anything is unclear.';
  lines.push('%!PS', `<< /PageSize [${wPt.toFixed(2)} ${hPt.toFixed(2)}] >> setpagedevice`);
  lines.push('/Times-Bold findfont 22 scalefont setfont 40 ' + (hPt - 60).toFixed(0) + ' moveto (FAXGATE - Facsimile Transmission) show');
  let y = hPt - 100;
  const sizes = [12, 10, 9, 14, 8, 11];
  let i = 0;
  while (y > 60) {
    const size = sizes[i % sizes.length]!;
    const font = i % 3 === 2 ? 'Courier' : 'Times-Roman';
    const perLine = Math.max(4, Math.floor((wPt - 80) / (size * 0.5)));
    const text = body.repeat(2).slice((i * 17) % body.length, (i * 17) % body.length + perLine).replace(/[()\\]/g, '');
    lines.push(`/${font} findfont ${size} scalefont setfont 40 ${y.toFixed(0)} moveto (${text}) show`);
    y -= size * 1.5;
    i++;
  }
  lines.push('showpage');
  return lines.join('\n') + '\n';
}

/** Reads binary PBM (P4): 1 = black, rows padded to bytes, exactly our Bitmap layout. */
export function parsePbm(buf: Uint8Array): Bitmap {
  let pos = 0;
  const token = (): string => {
    for (;;) {
      while (pos < buf.length && /\s/.test(String.fromCharCode(buf[pos]!))) pos++;
      if (buf[pos] === 0x23) {
        while (pos < buf.length && buf[pos] !== 0x0a) pos++;
        continue;
      }
      break;
    }
    const start = pos;
    while (pos < buf.length && !/\s/.test(String.fromCharCode(buf[pos]!))) pos++;
    return String.fromCharCode(...buf.subarray(start, pos));
  };
  if (token() !== 'P4') throw new Error('not a binary PBM');
  const width = Number(token());
  const height = Number(token());
  pos++;
  const b = createBitmap(width, height);
  b.data.set(buf.subarray(pos, pos + b.rowBytes * height));
  const tail = width & 7;
  if (tail !== 0) for (let i = b.rowBytes - 1; i < b.data.length; i += b.rowBytes) b.data[i]! &= (0xff00 >> tail) & 0xff;
  return b;
}

/** Writes a bitmap as binary PBM (for feeding tools that read PBM, and for looking at pages). */
export function toPbm(b: Bitmap): Uint8Array {
  const header = new TextEncoder().encode(`P4\n${b.width} ${b.height}\n`);
  const out = new Uint8Array(header.length + b.rowBytes * b.height);
  out.set(header);
  out.set(b.data.subarray(0, b.rowBytes * b.height), header.length);
  return out;
}

export function writeBitmapPbm(path: string, b: Bitmap): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, toPbm(b));
}

function fillRow(b: Bitmap, y: number, x0: number, x1: number): void {
  for (let x = x0; x < x1; x++) setPixel(b, x, y, 1);
}

function fillRect(b: Bitmap, x0: number, y0: number, x1: number, y1: number): void {
  const xa = Math.max(0, x0);
  const xb = Math.min(b.width, x1);
  for (let y = Math.max(0, y0); y < Math.min(b.height, y1); y++) fillRow(b, y, xa, xb);
}
