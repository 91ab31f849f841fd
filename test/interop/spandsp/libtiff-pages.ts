/**
 * Page pixels of a fax TIFF as libtiff decodes them: the reference reader for interop
 * tests, independent of faxgate's own TIFF and T.4 code. `tiffcp -c none` decompresses
 * (MH, MR, MMR alike) into one uncompressed strip per page; the small reader below then
 * takes the strips out, normalised to MSB-first bits with 1 = black.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TiffPage {
  readonly width: number;
  readonly height: number;
  /** Bytes per row: ceil(width / 8). */
  readonly stride: number;
  /** Packed rows, MSB first, 1 = black. */
  readonly pixels: Uint8Array;
  readonly xResolution: number;
  readonly yResolution: number;
}

const TAG = {
  width: 256,
  height: 257,
  bitsPerSample: 258,
  compression: 259,
  photometric: 262,
  fillOrder: 266,
  stripOffsets: 273,
  rowsPerStrip: 278,
  stripByteCounts: 279,
  xResolution: 282,
  yResolution: 283,
} as const;

/** Decodes every page of `path` with libtiff's tiffcp. */
export function readTiffPagesWithLibtiff(path: string): TiffPage[] {
  const dir = mkdtempSync(join(tmpdir(), 'faxgate-tiffcp-'));
  try {
    const plain = join(dir, 'plain.tif');
    const r = spawnSync('tiffcp', ['-c', 'none', '-r', '1000000', path, plain], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tiffcp failed [file:${path}, exit:${r.status}]: ${r.stderr}`);
    return parseUncompressedTiff(readFileSync(plain));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseUncompressedTiff(buf: Buffer): TiffPage[] {
  const little = buf.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number): number => (little ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number): number => (little ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const typeSize: Record<number, number> = { 1: 1, 3: 2, 4: 4, 5: 8 };

  const pages: TiffPage[] = [];
  let ifd = u32(4);
  while (ifd !== 0 && pages.length < 1000) {
    const tags = new Map<number, number[]>();
    const n = u16(ifd);
    for (let i = 0; i < n; i++) {
      const e = ifd + 2 + i * 12;
      const tag = u16(e);
      const type = u16(e + 2);
      const count = u32(e + 4);
      const size = typeSize[type];
      if (size === undefined) continue;
      const at = size * count <= 4 ? e + 8 : u32(e + 8);
      const values: number[] = [];
      for (let k = 0; k < count; k++) {
        const o = at + k * size;
        if (type === 1) values.push(buf.readUInt8(o));
        else if (type === 3) values.push(u16(o));
        else if (type === 4) values.push(u32(o));
        else values.push(u32(o) / Math.max(1, u32(o + 4)));
      }
      tags.set(tag, values);
    }
    ifd = u32(ifd + 2 + n * 12);

    const one = (tag: number, fallback?: number): number => {
      const v = tags.get(tag)?.[0] ?? fallback;
      if (v === undefined) throw new Error(`TIFF page lacks tag ${tag}`);
      return v;
    };
    if (one(TAG.compression, 1) !== 1 || one(TAG.bitsPerSample, 1) !== 1) {
      throw new Error('expected an uncompressed bilevel TIFF from tiffcp');
    }
    const width = one(TAG.width);
    const height = one(TAG.height);
    const stride = Math.ceil(width / 8);
    const pixels = new Uint8Array(stride * height);
    const offsets = tags.get(TAG.stripOffsets) ?? [];
    const counts = tags.get(TAG.stripByteCounts) ?? [];
    let at = 0;
    offsets.forEach((off, i) => {
      const len = Math.min(counts[i] ?? 0, pixels.length - at);
      pixels.set(buf.subarray(off, off + len), at);
      at += len;
    });
    const reverse = one(TAG.fillOrder, 1) === 2;
    const invert = one(TAG.photometric, 0) === 1; // min-is-black
    for (let i = 0; i < pixels.length; i++) {
      let b = pixels[i] ?? 0;
      if (reverse) b = reverseBits(b);
      if (invert) b ^= 0xff;
      pixels[i] = b;
    }
    // Bits past the width in each row's last byte are padding: clear them so they never count.
    const tailBits = width % 8;
    if (tailBits !== 0) {
      const mask = (0xff << (8 - tailBits)) & 0xff;
      for (let y = 0; y < height; y++) {
        const o = y * stride + stride - 1;
        pixels[o] = (pixels[o] ?? 0) & mask;
      }
    }
    pages.push({
      width,
      height,
      stride,
      pixels,
      xResolution: one(TAG.xResolution, 0),
      yResolution: one(TAG.yResolution, 0),
    });
  }
  return pages;
}

function reverseBits(b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i);
  return r;
}

export interface PageDiff {
  readonly sameSize: boolean;
  readonly differingRows: number;
  readonly blackPixels: number;
}

/** Rows that differ between two pages, and the black pixel count of `a` (so "all white" can be caught). */
export function comparePages(a: TiffPage, b: TiffPage): PageDiff {
  let black = 0;
  for (const byte of a.pixels) black += popcount(byte);
  if (a.width !== b.width || a.height !== b.height) {
    return { sameSize: false, differingRows: Math.max(a.height, b.height), blackPixels: black };
  }
  let differing = 0;
  for (let y = 0; y < a.height; y++) {
    const o = y * a.stride;
    for (let x = 0; x < a.stride; x++) {
      if (a.pixels[o + x] !== b.pixels[o + x]) {
        differing++;
        break;
      }
    }
  }
  return { sameSize: true, differingRows: differing, blackPixels: black };
}

function popcount(b: number): number {
  let n = 0;
  for (let v = b; v !== 0; v &= v - 1) n++;
  return n;
}
