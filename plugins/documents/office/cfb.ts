/**
 * Just enough of the Compound File Binary format (MS-CFB) to read the top-level streams of a
 * legacy Office file (.doc, .xls, .ppt): the header, the FAT (through the DIFAT), the
 * directory, and streams in regular or mini sectors. It reads untrusted files before any
 * converter sees them, so every sector number is checked against the file and every chain is
 * bounded by the number of sectors the file can hold (a loop in a hostile FAT ends there).
 */

export class CfbError extends Error {
  constructor(what: string) {
    super(`not a readable compound file [${what}]`);
    this.name = 'CfbError';
  }
}

const signature = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
/** Sector numbers above this are markers (free, end of chain, FAT, DIFAT), never sectors. */
const maxRegSect = 0xfffffffa;
const endOfChain = 0xfffffffe;
const noStream = 0xffffffff;
/** Directory object types (MS-CFB 2.6.1). */
const typeStream = 2;
const typeRoot = 5;
const entrySize = 128;

export interface CfbEntry {
  readonly name: string;
  readonly type: number;
  readonly start: number;
  readonly size: number;
}

export class CompoundFile {
  private readonly view: DataView;
  private readonly sectorSize: number;
  private readonly miniSectorSize: number;
  private readonly miniCutoff: number;
  private readonly fat: Uint32Array;
  private readonly entries: CfbEntry[];
  private readonly children: number[];
  private miniFat: Uint32Array | undefined;
  private miniStream: Uint8Array | undefined;

  constructor(private readonly bytes: Uint8Array) {
    if (bytes.length < 512 || !signature.every((b, i) => bytes[i] === b)) throw new CfbError('signature');
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const major = this.u16(0x1a);
    const shift = this.u16(0x1e);
    // Version 3 files have 512-byte sectors, version 4 files 4096-byte ones; nothing else exists.
    if (!((major === 3 && shift === 9) || (major === 4 && shift === 12))) throw new CfbError(`version:${major} sectorShift:${shift}`);
    this.sectorSize = 1 << shift;
    // MS-CFB fixes mini sectors at 64 bytes.
    if (this.u16(0x20) !== 6) throw new CfbError(`miniSectorShift:${this.u16(0x20)}`);
    this.miniSectorSize = 64;
    this.miniCutoff = this.u32(0x38);
    this.fat = this.readFat();
    const dir = this.readChain(this.u32(0x30), Number.MAX_SAFE_INTEGER);
    this.entries = [];
    for (let off = 0; off + entrySize <= dir.length; off += entrySize) this.entries.push(parseEntry(dir, off, major));
    const root = this.entries[0];
    if (root === undefined || root.type !== typeRoot) throw new CfbError('no root entry');
    this.children = this.rootChildren(dir);
  }

  /** The streams directly under the root storage, by name (names compare case-insensitively in CFB). */
  stream(name: string): CfbEntry | undefined {
    const want = name.toLowerCase();
    for (const i of this.children) {
      const e = this.entries[i]!;
      if (e.type === typeStream && e.name.toLowerCase() === want) return e;
    }
    return undefined;
  }

  /** Up to `max` bytes from the start of a stream. */
  read(entry: CfbEntry, max: number): Uint8Array {
    const want = Math.min(entry.size, max);
    if (entry.size < this.miniCutoff) {
      this.miniFat ??= bytesToU32(this.readChain(this.u32(0x3c), Number.MAX_SAFE_INTEGER));
      this.miniStream ??= this.readChain(this.entries[0]!.start, this.entries[0]!.size);
      return this.readMiniChain(entry.start, want);
    }
    return this.readChain(entry.start, want);
  }

  private readFat(): Uint32Array {
    const fatSectors = this.u32(0x2c);
    if (fatSectors > this.sectorCount()) throw new CfbError(`FAT sectors:${fatSectors}`);
    const locations: number[] = [];
    for (let i = 0; i < 109 && locations.length < fatSectors; i++) locations.push(this.u32(0x4c + 4 * i));
    // The DIFAT continues in its own sectors, each ending with the next one's number.
    let difat = this.u32(0x44);
    const perSector = this.sectorSize / 4 - 1;
    for (let n = 0; locations.length < fatSectors && difat <= maxRegSect; n++) {
      if (n > this.sectorCount()) throw new CfbError('DIFAT loop');
      const base = this.sectorOffset(difat);
      for (let i = 0; i < perSector && locations.length < fatSectors; i++) locations.push(this.u32(base + 4 * i));
      difat = this.u32(base + 4 * perSector);
    }
    if (locations.length < fatSectors) throw new CfbError('short DIFAT');
    const fat = new Uint32Array(fatSectors * (this.sectorSize / 4));
    locations.forEach((sector, i) => {
      const base = this.sectorOffset(sector);
      for (let j = 0; j < this.sectorSize / 4; j++) fat[i * (this.sectorSize / 4) + j] = this.u32(base + 4 * j);
    });
    return fat;
  }

  /** Follows a FAT chain, copying up to `max` bytes. */
  private readChain(start: number, max: number): Uint8Array {
    const parts: Uint8Array[] = [];
    let got = 0;
    let sector = start;
    for (let n = 0; sector !== endOfChain && got < max; n++) {
      if (n > this.sectorCount() || sector > maxRegSect || sector >= this.fat.length) throw new CfbError(`chain at sector ${sector}`);
      const off = this.sectorOffset(sector);
      const part = this.bytes.subarray(off, Math.min(off + this.sectorSize, off + (max - got)));
      parts.push(part);
      got += part.length;
      sector = this.fat[sector]!;
    }
    return concat(parts, got);
  }

  private readMiniChain(start: number, max: number): Uint8Array {
    const fat = this.miniFat!;
    const stream = this.miniStream!;
    const parts: Uint8Array[] = [];
    let got = 0;
    let sector = start;
    for (let n = 0; sector !== endOfChain && got < max; n++) {
      const off = sector * this.miniSectorSize;
      if (n > fat.length || sector >= fat.length || off + this.miniSectorSize > stream.length) throw new CfbError(`mini chain at sector ${sector}`);
      const part = stream.subarray(off, off + Math.min(this.miniSectorSize, max - got));
      parts.push(part);
      got += part.length;
      sector = fat[sector]!;
    }
    return concat(parts, got);
  }

  /** The root's children: a red-black tree through the left and right sibling links. */
  private rootChildren(dir: Uint8Array): number[] {
    const dv = new DataView(dir.buffer, dir.byteOffset, dir.byteLength);
    const out: number[] = [];
    const seen = new Set<number>();
    const stack = [dv.getUint32(0x4c, true)];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (i === noStream || i >= this.entries.length || seen.has(i)) continue;
      seen.add(i);
      out.push(i);
      stack.push(dv.getUint32(i * entrySize + 0x44, true), dv.getUint32(i * entrySize + 0x48, true));
    }
    return out;
  }

  private sectorCount(): number {
    return Math.floor(this.bytes.length / this.sectorSize);
  }

  private sectorOffset(sector: number): number {
    const off = (sector + 1) * this.sectorSize;
    if (sector > maxRegSect || off + this.sectorSize > this.bytes.length) throw new CfbError(`sector ${sector} past the end`);
    return off;
  }

  private u16(off: number): number {
    return this.view.getUint16(off, true);
  }

  private u32(off: number): number {
    return this.view.getUint32(off, true);
  }
}

function parseEntry(dir: Uint8Array, off: number, major: number): CfbEntry {
  const dv = new DataView(dir.buffer, dir.byteOffset + off, entrySize);
  const nameBytes = Math.min(64, dv.getUint16(0x40, true));
  const name = Buffer.from(dir.buffer, dir.byteOffset + off, Math.max(0, nameBytes - 2)).toString('utf16le');
  // Version 3 writers may leave garbage in the size's high half (MS-CFB 2.6.3).
  const size = dv.getUint32(0x78, true) + (major === 4 ? dv.getUint32(0x7c, true) * 2 ** 32 : 0);
  return { name, type: dv.getUint8(0x42), start: dv.getUint32(0x74, true), size };
}

function bytesToU32(b: Uint8Array): Uint32Array {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Uint32Array(b.length >>> 2);
  for (let i = 0; i < out.length; i++) out[i] = dv.getUint32(4 * i, true);
  return out;
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
