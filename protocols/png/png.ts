import { deflateSync } from 'node:zlib';
import type { Bitmap } from '../t4/index.ts';

/**
 * PNG for web previews of fax pages (PNG spec, ISO/IEC 15948). Pure: compression happens in
 * memory with zlib. Pages are written as 1-bit greyscale (0 = black in PNG, so bits are
 * inverted), or as 8-bit grey when downscaled with averaging.
 */

export interface PngOptions {
  /** Dots per inch, written as a pHYs chunk so viewers can show 204 x 98 pages unsquashed. */
  readonly xDpi?: number;
  readonly yDpi?: number;
}

/** A 1-bit greyscale PNG of the bitmap. */
export function encodePng(bitmap: Bitmap, options: PngOptions = {}): Uint8Array {
  const { width, height, rowBytes } = bitmap;
  const raw = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (rowBytes + 1);
    // Filter type 0 (None): bilevel rows gain little from the other filters.
    raw[o] = 0;
    for (let i = 0; i < rowBytes; i++) raw[o + 1 + i] = ~bitmap.data[y * rowBytes + i]! & 0xff;
  }
  return assemble(width, height, 1, raw, options);
}

export interface GreyImage {
  readonly width: number;
  readonly height: number;
  /** One byte per pixel, 0 = black, 255 = white. */
  readonly data: Uint8Array;
}

export interface PreviewOptions {
  /** Resolution of the source page; the preview is resampled to square pixels. */
  readonly xDpi: number;
  readonly yDpi: number;
  /** Width of the preview in pixels. */
  readonly width: number;
}

/**
 * Downscales a page to 8-bit grey by area averaging (every source pixel counts, so thin
 * lines become grey rather than vanishing), correcting the aspect ratio of fax resolutions.
 */
export function downscale(bitmap: Bitmap, options: PreviewOptions): GreyImage {
  // Never wider than the page: a preview does not invent columns.
  const outW = Math.min(bitmap.width, Math.max(1, Math.round(options.width)));
  const pageWidthIn = bitmap.width / options.xDpi;
  const pageHeightIn = bitmap.height / options.yDpi;
  const outH = Math.max(1, Math.round((outW * pageHeightIn) / pageWidthIn));
  const sx = bitmap.width / outW;
  const sy = bitmap.height / outH;
  // Shrinking columns (sx >= 1), a source column overlaps at most two output columns:
  // its left cell and, when it straddles a cell edge, the next one.
  const cell = new Int32Array(bitmap.width);
  const wLeft = new Float64Array(bitmap.width);
  for (let x = 0; x < bitmap.width; x++) {
    const a = x / sx;
    const c = Math.floor(a);
    cell[x] = c;
    wLeft[x] = Math.min(1, (c + 1 - a) * sx);
  }
  // Rows may be stretched (fax standard resolution) or shrunk: general overlap weights.
  const rowWeights = spanWeights(bitmap.height, outH, sy);
  const acc = new Float64Array(outW * outH);
  const rowAcc = new Float64Array(outW + 1);
  for (let y = 0; y < bitmap.height; y++) {
    rowAcc.fill(0);
    const base = y * bitmap.rowBytes;
    let any = false;
    for (let i = 0; i < bitmap.rowBytes; i++) {
      const byte = bitmap.data[base + i]!;
      if (byte === 0) continue;
      any = true;
      for (let bit = 0; bit < 8; bit++) {
        if (((byte << bit) & 0x80) === 0) continue;
        const x = i * 8 + bit;
        if (x >= bitmap.width) break;
        const c = cell[x]!;
        const w = wLeft[x]!;
        rowAcc[c]! += w;
        if (w < 1) rowAcc[c + 1]! += 1 - w;
      }
    }
    if (!any) continue;
    for (const [oy, wy] of rowWeights[y]!) {
      const o = oy * outW;
      for (let ox = 0; ox < outW; ox++) acc[o + ox]! += rowAcc[ox]! * wy;
    }
  }
  const data = new Uint8Array(outW * outH);
  const area = sx * sy;
  for (let i = 0; i < data.length; i++) data[i] = Math.round(255 * (1 - Math.min(1, acc[i]! / area)));
  return { width: outW, height: outH, data };
}

/** For each source index, the output cells it overlaps and by how much. */
function spanWeights(n: number, outN: number, scale: number): [number, number][][] {
  const out: [number, number][][] = [];
  for (let i = 0; i < n; i++) {
    const a = i / scale;
    const b = (i + 1) / scale;
    const cells: [number, number][] = [];
    for (let c = Math.floor(a); c < Math.min(outN, Math.ceil(b)); c++) {
      const w = (Math.min(b, c + 1) - Math.max(a, c)) * scale;
      if (w > 0) cells.push([c, w]);
    }
    out.push(cells);
  }
  return out;
}

/** An 8-bit greyscale PNG. */
export function encodeGreyPng(image: GreyImage, options: PngOptions = {}): Uint8Array {
  const { width, height, data } = image;
  const raw = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) {
    // Filter type 2 (Up) suits smooth grey previews.
    const o = y * (width + 1);
    raw[o] = 2;
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x]!;
      const up = y === 0 ? 0 : data[(y - 1) * width + x]!;
      raw[o + 1 + x] = (v - up) & 0xff;
    }
  }
  return assemble(width, height, 8, raw, options);
}

/** A preview: downscaled to `width` pixels, square pixels, 8-bit grey. */
export function encodePreviewPng(bitmap: Bitmap, options: PreviewOptions): Uint8Array {
  const grey = downscale(bitmap, options);
  const dpi = (grey.width / bitmap.width) * options.xDpi;
  return encodeGreyPng(grey, { xDpi: dpi, yDpi: dpi });
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function assemble(width: number, height: number, bitDepth: 1 | 8, raw: Uint8Array, options: PngOptions): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = bitDepth;
  ihdr[9] = 0; // colour type 0: greyscale
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const chunks = [chunk('IHDR', ihdr)];
  if (options.xDpi !== undefined && options.yDpi !== undefined) {
    const phys = new Uint8Array(9);
    const pv = new DataView(phys.buffer);
    pv.setUint32(0, Math.round(options.xDpi / 0.0254));
    pv.setUint32(4, Math.round(options.yDpi / 0.0254));
    phys[8] = 1; // unit: metre
    chunks.push(chunk('pHYs', phys));
  }
  chunks.push(chunk('IDAT', deflateSync(raw, { level: 6 })));
  chunks.push(chunk('IEND', new Uint8Array(0)));
  const out = new Uint8Array(SIGNATURE.length + chunks.reduce((n, c) => n + c.length, 0));
  out.set(SIGNATURE);
  let o = SIGNATURE.length;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  dv.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

const crcTable = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 as PNG chunks use it (ISO 3309, reflected, polynomial 0xEDB88320). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
