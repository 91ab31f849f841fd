/** A bilevel page: rows packed MSB-first, 1 = black, each row starts on a byte boundary. */
export interface Bitmap {
  readonly width: number;
  readonly height: number;
  /** Bytes per row: ceil(width / 8). Bits past `width` in the last byte are 0. */
  readonly rowBytes: number;
  readonly data: Uint8Array;
}

export function rowBytesFor(width: number): number {
  return (width + 7) >>> 3;
}

/** An all-white bitmap. */
export function createBitmap(width: number, height: number): Bitmap {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`bad bitmap size [width:${width}, height:${height}]`);
  }
  const rowBytes = rowBytesFor(width);
  return { width, height, rowBytes, data: new Uint8Array(rowBytes * height) };
}

export function getPixel(b: Bitmap, x: number, y: number): 0 | 1 {
  const byte = b.data[y * b.rowBytes + (x >>> 3)] ?? 0;
  return ((byte >>> (7 - (x & 7))) & 1) as 0 | 1;
}

export function setPixel(b: Bitmap, x: number, y: number, v: 0 | 1): void {
  const i = y * b.rowBytes + (x >>> 3);
  const mask = 0x80 >>> (x & 7);
  const byte = b.data[i] ?? 0;
  b.data[i] = v === 1 ? byte | mask : byte & ~mask;
}

/** A view of row y (no copy). */
export function rowOf(b: Bitmap, y: number): Uint8Array {
  return b.data.subarray(y * b.rowBytes, (y + 1) * b.rowBytes);
}

/** Same size and same pixels (padding bits past `width` are ignored). */
export function bitmapsEqual(a: Bitmap, b: Bitmap): boolean {
  return firstDifference(a, b) === undefined;
}

export interface BitmapDifference {
  /** 'size' when width/height differ, else the first differing row and pixel. */
  readonly kind: 'size' | 'pixel';
  readonly row: number;
  readonly x: number;
  readonly message: string;
}

/** The first difference between two bitmaps, for test messages; undefined when equal. */
export function firstDifference(a: Bitmap, b: Bitmap): BitmapDifference | undefined {
  if (a.width !== b.width || a.height !== b.height) {
    return {
      kind: 'size',
      row: -1,
      x: -1,
      message: `size differs [a:${a.width}x${a.height}, b:${b.width}x${b.height}]`,
    };
  }
  const rb = a.rowBytes;
  const tailBits = a.width & 7;
  const lastMask = tailBits === 0 ? 0xff : (0xff00 >>> tailBits) & 0xff;
  for (let y = 0; y < a.height; y++) {
    const off = y * rb;
    for (let i = 0; i < rb; i++) {
      const mask = i === rb - 1 ? lastMask : 0xff;
      const diff = ((a.data[off + i] ?? 0) ^ (b.data[off + i] ?? 0)) & mask;
      if (diff !== 0) {
        const x = i * 8 + Math.clz32(diff) - 24;
        return {
          kind: 'pixel',
          row: y,
          x,
          message: `pixels differ [row:${y}, x:${x}, a:${getPixel(a, x, y)}, b:${getPixel(b, x, y)}]`,
        };
      }
    }
  }
  return undefined;
}
