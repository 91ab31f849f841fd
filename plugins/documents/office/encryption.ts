import { CfbError, CompoundFile } from './cfb.ts';

/**
 * Whether a legacy Office file (a compound file) needs a password to open. LibreOffice
 * headless meets such a file by writing nothing and exiting 0, the same as for a damaged one,
 * so the difference is read here, from the place each format records it:
 *
 * - Word (MS-DOC 2.5.1): the FIB at the start of the WordDocument stream, flag fEncrypted
 *   (bit 8 of the 16-bit word at offset 0x0A); XOR obfuscation sets it too.
 * - Excel (MS-XLS 2.4.117): a FilePass record (type 0x002F) in the workbook globals, i.e.
 *   between the first BOF and its EOF (0x000A) in the Workbook (BIFF8) or Book (BIFF5)
 *   stream. Record headers stay in the clear when the data is encrypted.
 * - PowerPoint (MS-PPT 2.3.2): the CurrentUserAtom in the Current User stream carries
 *   headerToken 0xF3D1C4DF for an encrypted document, 0xE391C05F for a plain one.
 *
 * (Encrypted OOXML files are compound files too, with an EncryptedPackage stream; sniff.ts
 * finds those by name.)
 */

export type OfficeKind = 'doc' | 'xls' | 'ppt';

/** True when encrypted, false when readable without a password, undefined when the container or stream cannot be read. */
export function legacyOfficeEncrypted(bytes: Uint8Array, kind: OfficeKind): boolean | undefined {
  let cf: CompoundFile;
  try {
    cf = new CompoundFile(bytes);
    switch (kind) {
      case 'doc':
        return wordEncrypted(cf);
      case 'xls':
        return excelEncrypted(cf);
      case 'ppt':
        return powerPointEncrypted(cf);
    }
  } catch (err) {
    if (err instanceof CfbError) return undefined;
    throw err;
  }
}

const fibIdent = 0xa5ec;
const fEncrypted = 0x0100;

function wordEncrypted(cf: CompoundFile): boolean | undefined {
  const s = cf.stream('WordDocument');
  if (s === undefined) return undefined;
  const fib = cf.read(s, 12);
  if (fib.length < 12) return undefined;
  const dv = new DataView(fib.buffer, fib.byteOffset, fib.byteLength);
  if (dv.getUint16(0, true) !== fibIdent) return undefined;
  return (dv.getUint16(0x0a, true) & fEncrypted) !== 0;
}

const recBof = 0x0809;
const recEof = 0x000a;
const recFilePass = 0x002f;
/** The globals come first and FilePass right after their BOF; a megabyte is far past them. */
const excelScanBytes = 1 << 20;

function excelEncrypted(cf: CompoundFile): boolean | undefined {
  const s = cf.stream('Workbook') ?? cf.stream('Book');
  if (s === undefined) return undefined;
  const wb = cf.read(s, excelScanBytes);
  const dv = new DataView(wb.buffer, wb.byteOffset, wb.byteLength);
  if (wb.length < 4 || dv.getUint16(0, true) !== recBof) return undefined;
  for (let off = 0; off + 4 <= wb.length; off += 4 + dv.getUint16(off + 2, true)) {
    const type = dv.getUint16(off, true);
    if (type === recFilePass) return true;
    if (type === recEof) return false;
  }
  return false;
}

const currentUserAtomType = 0x0ff6;
const tokenEncrypted = 0xf3d1c4df;
const tokenPlain = 0xe391c05f;

function powerPointEncrypted(cf: CompoundFile): boolean | undefined {
  const s = cf.stream('Current User');
  if (s === undefined) return undefined;
  const atom = cf.read(s, 16);
  if (atom.length < 16) return undefined;
  const dv = new DataView(atom.buffer, atom.byteOffset, atom.byteLength);
  if (dv.getUint16(2, true) !== currentUserAtomType) return undefined;
  const token = dv.getUint32(12, true);
  return token === tokenEncrypted ? true : token === tokenPlain ? false : undefined;
}
