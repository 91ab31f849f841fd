/**
 * Just enough TIFF (little-endian, one strip per page, bilevel, WhiteIsZero) to hand pages to
 * libtiff's tools and read their output back, for the codec cross-checks and the benchmark.
 * The real TIFF engine lives in protocols/tiff; this stays independent of it on purpose.
 */
export interface MiniPage {
  readonly width: number;
  readonly height: number;
  /** 1 none, 2 CCITT RLE, 3 G3, 4 G4 */
  readonly compression: 1 | 2 | 3 | 4;
  /** TIFF T4Options (tag 292) for compression 3 */
  readonly t4Options?: number;
  readonly data: Uint8Array;
}

export function writeMiniTiff(pages: readonly MiniPage[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  let size = 8;
  const header = new Uint8Array(8);
  const hv = new DataView(header.buffer);
  header[0] = 0x49;
  header[1] = 0x49;
  hv.setUint16(2, 42, true);
  chunks.push(header);
  const fixups: Array<{ view: DataView; at: number }> = [{ view: hv, at: 4 }];
  for (const p of pages) {
    const dataOff = size;
    chunks.push(p.data);
    size += p.data.length;
    if (size & 1) {
      chunks.push(new Uint8Array(1));
      size++;
    }
    const tags: Array<[number, number, number]> = [
      [256, 4, p.width],
      [257, 4, p.height],
      [258, 3, 1],
      [259, 3, p.compression],
      [262, 3, 0],
      [266, 3, 1],
      [273, 4, dataOff],
      [277, 3, 1],
      [278, 4, p.height],
      [279, 4, p.data.length],
    ];
    if (p.compression === 3) tags.push([292, 4, p.t4Options ?? 0]);
    if (p.compression === 4) tags.push([293, 4, 0]);
    tags.sort((a, b) => a[0] - b[0]);
    const ifd = new Uint8Array(2 + tags.length * 12 + 4);
    const v = new DataView(ifd.buffer);
    v.setUint16(0, tags.length, true);
    tags.forEach(([tag, type, value], i) => {
      const o = 2 + i * 12;
      v.setUint16(o, tag, true);
      v.setUint16(o + 2, type, true);
      v.setUint32(o + 4, 1, true);
      if (type === 3) v.setUint16(o + 8, value, true);
      else v.setUint32(o + 8, value, true);
    });
    const last = fixups[fixups.length - 1];
    last?.view.setUint32(last.at, size, true);
    fixups.push({ view: v, at: 2 + tags.length * 12 });
    chunks.push(ifd);
    size += ifd.length;
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

export interface MiniReadPage {
  readonly width: number;
  readonly height: number;
  readonly compression: number;
  readonly photometric: number;
  /** strips concatenated */
  readonly data: Uint8Array;
}

/** Read every page's strips (little- or big-endian). */
export function readMiniTiff(file: Uint8Array): MiniReadPage[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const le = file[0] === 0x49;
  const u16 = (o: number): number => v.getUint16(o, le);
  const u32 = (o: number): number => v.getUint32(o, le);
  const pages: MiniReadPage[] = [];
  let ifd = u32(4);
  while (ifd !== 0 && pages.length < 10000) {
    const count = u16(ifd);
    const tags = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const o = ifd + 2 + i * 12;
      const tag = u16(o);
      const type = u16(o + 2);
      const n = u32(o + 4);
      const sz = type === 3 ? 2 : 4;
      const at = n * sz > 4 ? u32(o + 8) : o + 8;
      const values: number[] = [];
      for (let k = 0; k < n; k++) values.push(sz === 2 ? u16(at + k * 2) : u32(at + k * 4));
      tags.set(tag, values);
    }
    const offsets = tags.get(273) ?? [];
    const counts = tags.get(279) ?? [];
    const total = counts.reduce((a, b) => a + b, 0);
    const data = new Uint8Array(total);
    let off = 0;
    offsets.forEach((so, i) => {
      const c = counts[i] ?? 0;
      data.set(file.subarray(so, so + c), off);
      off += c;
    });
    pages.push({
      width: tags.get(256)?.[0] ?? 0,
      height: tags.get(257)?.[0] ?? 0,
      compression: tags.get(259)?.[0] ?? 1,
      photometric: tags.get(262)?.[0] ?? 0,
      data,
    });
    ifd = u32(ifd + 2 + count * 12);
  }
  return pages;
}
