/**
 * Identities of CSI, TSI, CIG (and the 20-octet SUB, SID, PWD, SEP, PSA): T.30 5.3.6.2.4
 * sends 20 characters, the last character of the number first, padded with spaces.
 * Table 3 allows digits, '+' and space; real machines send '-', letters and more, so
 * decoding accepts any printable ASCII and encoding does unless `strict` is set.
 *
 *   '03-1234-5678' -> "8765-4321-30" + 8 spaces  (38 37 36 35 2d 34 ... 20 20)
 */
import { T30DecodeError } from './errors.ts';

export const IDENT_LENGTH = 20;

export function encodeIdent(ident: string, options: { strict?: boolean } = {}): Uint8Array {
  if (ident.length > IDENT_LENGTH) {
    throw new T30DecodeError('T30_BAD_ARGUMENT', 'identity longer than 20 characters', { length: ident.length });
  }
  const allowed = options.strict === true ? /^[0-9+ ]*$/ : /^[\x20-\x7e]*$/;
  if (!allowed.test(ident)) throw new T30DecodeError('T30_BAD_ARGUMENT', 'identity has characters T.30 cannot send', { ident });
  const out = new Uint8Array(IDENT_LENGTH).fill(0x20);
  for (let i = 0; i < ident.length; i++) out[i] = ident.charCodeAt(ident.length - 1 - i);
  return out;
}

/**
 * The identity in reading order, spaces trimmed. Octets outside printable ASCII become '?'.
 * Frames longer than 20 octets are refused; shorter ones are read as they are.
 */
export function decodeIdent(fif: Uint8Array): string {
  if (fif.length > IDENT_LENGTH) {
    throw new T30DecodeError('T30_LIMIT_EXCEEDED', 'identity longer than 20 octets', { length: fif.length });
  }
  let s = '';
  for (let i = fif.length - 1; i >= 0; i--) {
    const c = fif[i] ?? 0x20;
    s += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '?';
  }
  return s.trim();
}
