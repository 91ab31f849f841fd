import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CompoundFile, CfbError } from '../../../../plugins/documents/office/cfb.ts';
import { legacyOfficeEncrypted } from '../../../../plugins/documents/office/encryption.ts';
import { MediaType, sniff } from '../../../../plugins/documents/sniff.ts';
import { prng } from '../../../support/pages.ts';

/**
 * Compound files written by hand (MS-CFB version 3, 512-byte sectors): sector 0 the FAT,
 * 1 the directory, 2 the mini FAT, then the mini stream (streams under 4096 bytes, in 64-byte
 * mini sectors), then regular streams. Small enough to read in a hex dump, and both ways a
 * stream can be stored are exercised.
 */
const END = 0xfffffffe;
const FREE = 0xffffffff;
const FATSECT = 0xfffffffd;

function buildCfb(streams: readonly { name: string; data: Uint8Array }[]): Uint8Array {
  if (streams.length > 3) throw new RangeError('one directory sector holds the root and three streams');
  const fat: number[] = [FATSECT, END];
  const miniFat: number[] = [];
  const mini: Uint8Array[] = [];
  const regular: Uint8Array[] = [];
  const starts: number[] = [];
  let miniSectors = 0;
  for (const s of streams) {
    if (s.data.length < 4096) {
      const n = Math.max(1, Math.ceil(s.data.length / 64));
      starts.push(miniSectors);
      for (let i = 0; i < n; i++) miniFat.push(i === n - 1 ? END : miniSectors + i + 1);
      const padded = new Uint8Array(n * 64);
      padded.set(s.data);
      mini.push(padded);
      miniSectors += n;
    } else starts.push(-1);
  }
  fat.push(END); // sector 2: the mini FAT
  const miniBytes = concat(mini);
  const miniStart = 3;
  const miniStreamSectors = Math.ceil(miniBytes.length / 512);
  for (let i = 0; i < miniStreamSectors; i++) fat.push(i === miniStreamSectors - 1 ? END : miniStart + i + 1);
  let next = miniStart + miniStreamSectors;
  streams.forEach((s, k) => {
    if (starts[k] !== -1) return;
    const n = Math.ceil(s.data.length / 512);
    starts[k] = next;
    for (let i = 0; i < n; i++) fat.push(i === n - 1 ? END : next + i + 1);
    const padded = new Uint8Array(n * 512);
    padded.set(s.data);
    regular.push(padded);
    next += n;
  });
  if (fat.length > 128) throw new RangeError('one FAT sector maps 128 sectors');

  const header = new Uint8Array(512);
  const h = new DataView(header.buffer);
  header.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  h.setUint16(0x18, 0x3e, true); // minor version
  h.setUint16(0x1a, 3, true); // major version 3
  h.setUint16(0x1c, 0xfffe, true); // byte order mark
  h.setUint16(0x1e, 9, true); // 512-byte sectors
  h.setUint16(0x20, 6, true); // 64-byte mini sectors
  h.setUint32(0x2c, 1, true); // one FAT sector
  h.setUint32(0x30, 1, true); // directory at sector 1
  h.setUint32(0x38, 4096, true); // mini stream cutoff
  h.setUint32(0x3c, 2, true); // mini FAT at sector 2
  h.setUint32(0x40, 1, true);
  h.setUint32(0x44, END, true); // no DIFAT sectors
  for (let i = 0; i < 109; i++) h.setUint32(0x4c + 4 * i, i === 0 ? 0 : FREE, true);

  const sector = (words: readonly number[]): Uint8Array => {
    const b = new Uint8Array(512);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < 128; i++) dv.setUint32(4 * i, words[i] ?? FREE, true);
    return b;
  };
  const dir = new Uint8Array(512);
  const entry = (i: number, name: string, type: number, start: number, size: number, child: number, right: number): void => {
    const dv = new DataView(dir.buffer, i * 128, 128);
    const n = Buffer.from(`${name}\0`, 'utf16le');
    dir.set(n, i * 128);
    dv.setUint16(0x40, n.length, true);
    dv.setUint8(0x42, type);
    dv.setUint32(0x44, FREE, true); // left sibling
    dv.setUint32(0x48, right, true);
    dv.setUint32(0x4c, child, true);
    dv.setUint32(0x74, start, true);
    dv.setUint32(0x78, size, true);
  };
  entry(0, 'Root Entry', 5, miniBytes.length > 0 ? miniStart : END, miniBytes.length, streams.length > 0 ? 1 : FREE, FREE);
  streams.forEach((s, k) => entry(k + 1, s.name, 2, starts[k]!, s.data.length, FREE, k + 2 <= streams.length ? k + 2 : FREE));
  for (let i = streams.length + 1; i < 4; i++) {
    const dv = new DataView(dir.buffer, i * 128, 128);
    dv.setUint32(0x44, FREE, true);
    dv.setUint32(0x48, FREE, true);
    dv.setUint32(0x4c, FREE, true);
  }
  const miniPadded = new Uint8Array(miniStreamSectors * 512);
  miniPadded.set(miniBytes);
  return concat([header, sector(fat), dir, sector(miniFat), miniPadded, ...regular]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A WordDocument stream: the FIB base (wIdent 0xA5EC, nFib 0x00C1, flags at 0x0A), padded to `size`. */
function wordStream(flags: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, 0xa5ec, true);
  dv.setUint16(2, 0x00c1, true);
  dv.setUint16(0x0a, flags, true);
  return b;
}

/** BIFF8 records: [type, length, data...]. */
function biff(records: readonly [number, number[]][]): Uint8Array {
  const out: number[] = [];
  for (const [type, data] of records) out.push(type & 0xff, type >> 8, data.length & 0xff, data.length >> 8, ...data);
  return new Uint8Array(out);
}
const BOF: [number, number[]] = [0x0809, [0x00, 0x06, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]; // BIFF8, workbook globals
const EOF: [number, number[]] = [0x000a, []];
const FILEPASS_RC4: [number, number[]] = [0x002f, [0x01, 0x00, 0x01, 0x00, 0x01, 0x00, ...new Array<number>(48).fill(0x5a)]];
const CODEPAGE: [number, number[]] = [0x0042, [0xe4, 0x04]];

/** The Current User stream: a CurrentUserAtom header (type 0x0FF6), size 0x14, then headerToken. */
function currentUser(token: number): Uint8Array {
  const b = new Uint8Array(32);
  const dv = new DataView(b.buffer);
  dv.setUint16(2, 0x0ff6, true);
  dv.setUint32(4, 24, true);
  dv.setUint32(8, 0x14, true);
  dv.setUint32(12, token, true);
  return b;
}

describe('compound file reader', () => {
  it('finds top-level streams case-insensitively and reads regular and mini streams', () => {
    const big = new Uint8Array(5000).map((_, i) => i & 0xff);
    const small = new Uint8Array(100).map((_, i) => 255 - i);
    const cf = new CompoundFile(buildCfb([{ name: 'Big', data: big }, { name: 'Small', data: small }]));
    assert.deepEqual(cf.read(cf.stream('big')!, 1e9), big);
    assert.deepEqual(cf.read(cf.stream('SMALL')!, 1e9), small);
    assert.deepEqual(cf.read(cf.stream('Big')!, 600), big.subarray(0, 600), 'a prefix crosses a sector boundary');
    assert.equal(cf.stream('Missing'), undefined);
  });

  it('refuses what is not a readable compound file with its own error', () => {
    const good = buildCfb([{ name: 'WordDocument', data: wordStream(0, 4096) }]);
    assert.throws(() => new CompoundFile(good.subarray(0, 511)), CfbError);
    const badVersion = good.slice();
    badVersion[0x1a] = 5;
    assert.throws(() => new CompoundFile(badVersion), CfbError);
    // A FAT whose chain loops back on itself is cut off at the file's sector count.
    const loop = good.slice();
    new DataView(loop.buffer).setUint32(512 + 4 * 1, 1, true); // directory sector 1 -> 1 -> ...
    assert.throws(() => new CompoundFile(loop), CfbError);
    // A stream chain into sectors past the end of the file.
    const cut = good.subarray(0, good.length - 512);
    const cf = new CompoundFile(cut);
    assert.throws(() => cf.read(cf.stream('WordDocument')!, 4096), CfbError);
  });
});

describe('legacy Office encryption', () => {
  it('Word: the FIB flag fEncrypted (0x0100), in a regular or a mini stream', () => {
    for (const size of [4096, 1024]) {
      assert.equal(legacyOfficeEncrypted(buildCfb([{ name: 'WordDocument', data: wordStream(0x0100 | 0x0200, size) }]), 'doc'), true, `size:${size}`);
      // fWhichTblStm, fComplex and cQuickSaves set, fEncrypted not.
      assert.equal(legacyOfficeEncrypted(buildCfb([{ name: 'WordDocument', data: wordStream(0x0200 | 0x0004 | 0x00f0, size) }]), 'doc'), false, `size:${size}`);
    }
    const notFib = wordStream(0x0100, 4096);
    notFib[0] = 0;
    assert.equal(legacyOfficeEncrypted(buildCfb([{ name: 'WordDocument', data: notFib }]), 'doc'), undefined);
  });

  it('Excel: FilePass in the workbook globals, not past their EOF', () => {
    const wb = (records: readonly [number, number[]][]): Uint8Array => buildCfb([{ name: 'Workbook', data: biff(records) }]);
    assert.equal(legacyOfficeEncrypted(wb([BOF, FILEPASS_RC4, CODEPAGE, EOF]), 'xls'), true);
    assert.equal(legacyOfficeEncrypted(wb([BOF, CODEPAGE, EOF]), 'xls'), false);
    // Record type 0x002F inside a sheet substream's data is not the globals' FilePass.
    assert.equal(legacyOfficeEncrypted(wb([BOF, CODEPAGE, EOF, BOF, FILEPASS_RC4, EOF]), 'xls'), false);
    // BIFF5 names the stream Book.
    assert.equal(legacyOfficeEncrypted(buildCfb([{ name: 'Book', data: biff([BOF, FILEPASS_RC4, EOF]) }]), 'xls'), true);
    assert.equal(legacyOfficeEncrypted(wb([CODEPAGE, EOF]), 'xls'), undefined, 'no BOF first');
  });

  it('PowerPoint: the CurrentUserAtom header token', () => {
    const ppt = (token: number): Uint8Array => buildCfb([{ name: 'Current User', data: currentUser(token) }, { name: 'PowerPoint Document', data: new Uint8Array(64) }]);
    assert.equal(legacyOfficeEncrypted(ppt(0xf3d1c4df), 'ppt'), true);
    assert.equal(legacyOfficeEncrypted(ppt(0xe391c05f), 'ppt'), false);
    assert.equal(legacyOfficeEncrypted(ppt(0x12345678), 'ppt'), undefined);
  });

  it('a damaged container is "cannot tell", never a throw', () => {
    const doc = buildCfb([{ name: 'WordDocument', data: wordStream(0x0100, 4096) }]);
    assert.equal(legacyOfficeEncrypted(doc.subarray(0, 700), 'doc'), undefined);
    assert.equal(legacyOfficeEncrypted(buildCfb([]), 'doc'), undefined);
  });

  it('damaged at random, any file gives an answer or "cannot tell", never a throw (sniff runs on every upload)', () => {
    const rnd = prng(5);
    const seeds = [
      buildCfb([{ name: 'WordDocument', data: wordStream(0x0100, 4096) }]),
      buildCfb([{ name: 'Workbook', data: biff([BOF, CODEPAGE, FILEPASS_RC4, EOF]) }, { name: 'Small', data: new Uint8Array(300) }]),
      buildCfb([{ name: 'Current User', data: currentUser(0xf3d1c4df) }, { name: 'PowerPoint Document', data: new Uint8Array(5000) }]),
    ];
    const kinds = ['doc', 'xls', 'ppt'] as const;
    let answered = 0;
    for (let i = 0; i < 3000; i++) {
      const k = i % 3;
      const b = seeds[k]!.slice();
      // Header fields, the FAT, directory entries and stream starts are where damage hurts.
      for (let n = 1 + Math.floor(rnd() * 4); n > 0; n--) b[Math.floor(rnd() * Math.min(b.length, 2048))] = Math.floor(rnd() * 256);
      const r = legacyOfficeEncrypted(rnd() < 0.2 ? b.subarray(0, Math.floor(rnd() * b.length)) : b, kinds[k]!);
      assert.ok(r === true || r === false || r === undefined);
      if (r !== undefined) answered++;
    }
    assert.ok(answered > 1000, `most damage misses what is read: ${answered} answers`);
  });

  it('sniff reports encrypted legacy files as encrypted Office, with their own extension', async () => {
    const enc = await sniff(buildCfb([{ name: 'WordDocument', data: wordStream(0x0100, 4096) }]));
    assert.deepEqual(enc, { mediaType: MediaType.encryptedOffice, extension: 'doc' });
    const plain = await sniff(buildCfb([{ name: 'WordDocument', data: wordStream(0, 4096) }]));
    assert.deepEqual(plain, { mediaType: MediaType.doc, extension: 'doc' });
    const xls = await sniff(buildCfb([{ name: 'Workbook', data: biff([BOF, FILEPASS_RC4, EOF]) }]));
    assert.deepEqual(xls, { mediaType: MediaType.encryptedOffice, extension: 'xls' });
    const ppt = await sniff(buildCfb([{ name: 'Current User', data: currentUser(0xf3d1c4df) }, { name: 'PowerPoint Document', data: new Uint8Array(64) }]));
    assert.deepEqual(ppt, { mediaType: MediaType.encryptedOffice, extension: 'ppt' });
  });
});
