/** Whole-page wrappers over LineEncoder / LineDecoder. */
import type { Bitmap } from './bitmap.ts';
import { LineDecoder } from './line-decoder.ts';
import { LineEncoder } from './line-encoder.ts';
import type { DecodeOptions, DecodeResult, EncodeOptions } from './types.ts';
import { T4EncodeError } from './types.ts';

export function encodePage(bitmap: Bitmap, opts: EncodeOptions): Uint8Array {
  const { width, height, rowBytes, data } = bitmap;
  if (rowBytes !== (width + 7) >>> 3 || data.length < rowBytes * height) {
    throw new T4EncodeError(`bitmap does not match its size [width:${width}, height:${height}, bytes:${data.length}]`);
  }
  const enc = new LineEncoder(width, opts);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let y = 0; y < height; y++) {
    enc.encodeRowAt(data, y * rowBytes);
    // Drain now and then so the writer's buffer stays small and hot.
    if ((y & 255) === 255) {
      const part = enc.drain();
      parts.push(part);
      total += part.length;
    }
  }
  const last = enc.finish();
  if (parts.length === 0) return last;
  parts.push(last);
  total += last.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Decode a page. The bitmap has `height` rows when given (rows never decoded stay white),
 * else as many rows as were decoded.
 */
export function decodePage(data: Uint8Array, opts: DecodeOptions): DecodeResult {
  const width = opts.width;
  const rowBytes = (width + 7) >>> 3;
  let capacity = opts.height ?? 0;
  let pixels = new Uint8Array(0);
  let limit = 0;
  const grow = (rows: number): void => {
    // Without a height, grow geometrically up to the decoder's line limit.
    capacity = Math.min(Math.max(rows, capacity * 2, 64), limit);
    const next = new Uint8Array(capacity * rowBytes);
    next.set(pixels);
    pixels = next;
  };
  const dec = new LineDecoder(opts, (row, _ok, index) => {
    if (index >= capacity) grow(index + 1);
    pixels.set(row, index * rowBytes);
  });
  limit = dec.lineLimit;
  if (opts.height !== undefined) pixels = new Uint8Array(opts.height * rowBytes);
  dec.push(data);
  const endedWith = dec.end();
  const height = opts.height ?? dec.lines;
  const bitmap: Bitmap = {
    width,
    height,
    rowBytes,
    data: pixels.length === height * rowBytes ? pixels : pixels.slice(0, height * rowBytes),
  };
  return {
    bitmap,
    lines: dec.lines,
    badLines: dec.badLines,
    repairedLines: dec.repairedLines,
    consecutiveBadLinesMax: dec.consecutiveBadLinesMax,
    endedWith,
  };
}
