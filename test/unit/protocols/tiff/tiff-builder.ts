/** Helpers to build and patch small TIFF files by hand in tests. */
import assert from 'node:assert/strict';
import { TiffError } from '../../../../protocols/tiff/index.ts';
import type { TiffErrorCode } from '../../../../protocols/tiff/index.ts';

type Entry = [tag: number, type: number, count: number, value: number];

function builder(littleEndian: boolean) {
  const u16 = (v: number): number[] => (littleEndian ? [v & 0xff, v >> 8] : [v >> 8, v & 0xff]);
  const u32 = (v: number): number[] => {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    return littleEndian ? b.reverse() : b;
  };
  return {
    header: (ifdAt: number): number[] => [...(littleEndian ? [0x49, 0x49] : [0x4d, 0x4d]), ...u16(42), ...u32(ifdAt)],
    /** An IFD; SHORT values with count 1 sit in the first two bytes of the value field. */
    ifd: (entries: Entry[], next: number): number[] => [
      ...u16(entries.length),
      ...entries.flatMap(([tag, type, count, value]) => [...u16(tag), ...u16(type), ...u32(count), ...(type === 3 && count === 1 ? [...u16(value), 0, 0] : u32(value))]),
      ...u32(next),
    ],
    u32s: (vs: number[]): number[] => vs.flatMap(u32),
  };
}

export const le = builder(true);
export const be = builder(false);

/**
 * A copy of a little-endian single-IFD-first file (as writeTiff makes) with a tag's inline
 * value replaced, or the tag added (as a LONG) when absent. `ifdIndex` picks the IFD.
 */
export function patchTag(bytes: Uint8Array, tag: number, value: number, ifdIndex = 0): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let ifd = dv.getUint32(4, true);
  for (let i = 0; i < ifdIndex; i++) ifd = dv.getUint32(ifd + 2 + dv.getUint16(ifd, true) * 12, true);
  const n = dv.getUint16(ifd, true);
  for (let i = 0; i < n; i++) {
    const at = ifd + 2 + i * 12;
    if (dv.getUint16(at, true) !== tag) continue;
    const out = bytes.slice();
    const ov = new DataView(out.buffer);
    if (ov.getUint16(at + 2, true) === 3) ov.setUint16(at + 8, value, true);
    else ov.setUint32(at + 8, value, true);
    ov.setUint32(at + 4, 1, true);
    return out;
  }
  // Append a copy of the IFD with the tag added at the end of the file, and point to it.
  const entries: number[][] = [];
  for (let i = 0; i < n; i++) entries.push(Array.from(bytes.subarray(ifd + 2 + i * 12, ifd + 14 + i * 12)));
  const added = new Uint8Array(12);
  const av = new DataView(added.buffer);
  av.setUint16(0, tag, true);
  av.setUint16(2, 4, true);
  av.setUint32(4, 1, true);
  av.setUint32(8, value, true);
  entries.push(Array.from(added));
  entries.sort((a, b) => a[0]! + a[1]! * 256 - (b[0]! + b[1]! * 256));
  const next = Array.from(bytes.subarray(ifd + 2 + n * 12, ifd + 6 + n * 12));
  const newAt = bytes.length + (bytes.length & 1);
  const out = new Uint8Array(newAt + 2 + entries.length * 12 + 4);
  out.set(bytes);
  const ov = new DataView(out.buffer);
  ov.setUint16(newAt, entries.length, true);
  out.set(entries.flat(), newAt + 2);
  out.set(next, newAt + 2 + entries.length * 12);
  if (ifdIndex === 0) ov.setUint32(4, newAt, true);
  else {
    let prev = ov.getUint32(4, true);
    for (let i = 0; i < ifdIndex - 1; i++) prev = ov.getUint32(prev + 2 + ov.getUint16(prev, true) * 12, true);
    ov.setUint32(prev + 2 + ov.getUint16(prev, true) * 12, newAt, true);
  }
  return out;
}

export function assertTiffError(fn: () => unknown, code: TiffErrorCode): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TiffError, `expected TiffError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}
