/**
 * Which charset a plain-text body is in, and its text.
 *
 * Decoding uses the WHATWG decoders behind `TextDecoder` (Node 20 ships full ICU), not
 * encoding-japanese: they are the decoders mail clients and browsers use, their
 * `shift_jis` is Windows-31J (NEC/IBM extensions such as ①, ㈱ that Japanese PCs write),
 * they replace bad bytes with U+FFFD instead of guessing, and they are native code. The
 * tests encode with encoding-japanese and iconv, so the two sides are independent.
 *
 * Detection, in order: a BOM; ISO-2022-JP escape sequences in 7-bit data; plain ASCII;
 * valid UTF-8 (multi-byte UTF-8 is very unlikely to happen by accident in SJIS or EUC text);
 * then Shift_JIS against EUC-JP: what decodes without error, scored by how Japanese the
 * result looks (kana, kanji, full-width punctuation count; half-width katakana, which is what
 * EUC-JP bytes look like when read as Shift_JIS, and private-use characters count against).
 * When both score about the same, the account's default wins.
 */
import { TextRenderError } from './errors.ts';

export type DetectedCharset = 'utf-8' | 'utf-16le' | 'utf-16be' | 'shift_jis' | 'euc-jp' | 'iso-2022-jp' | 'ascii';

export interface DecodedText {
  readonly text: string;
  /** The charset used (WHATWG name, or 'ascii'). */
  readonly charset: string;
  /** True when the charset was detected rather than taken from the declared one. */
  readonly detected: boolean;
}

/** The WHATWG name for a charset label; undefined when unknown. */
export function canonicalCharset(label: string): string | undefined {
  const l = label.trim().toLowerCase();
  if (l === 'ascii' || l === 'us-ascii') return 'ascii';
  // Common labels that the WHATWG list lacks.
  const alias = l === 'cp932' || l === 'ms932' || l === 'sjis-win' ? 'shift_jis' : l === 'eucjp-ms' || l === 'cp51932' ? 'euc-jp' : l;
  try {
    return new TextDecoder(alias).encoding;
  } catch {
    return undefined;
  }
}

/**
 * The text of `bytes`: in `declared` when it is a known charset the bytes are valid in, else
 * detected (with `fallback`, the account default, deciding ambiguous cases).
 */
export function decodeText(bytes: Uint8Array, declared: string | undefined, fallback: string): DecodedText {
  const fallbackName = canonicalCharset(fallback);
  if (fallbackName === undefined) throw new TextRenderError('TEXT_CHARSET_UNKNOWN', { charset: fallback });
  if (declared !== undefined) {
    const name = canonicalCharset(declared);
    // A declared charset the bytes are not valid in is a mislabel (common with Japanese
    // mailers that label Shift_JIS as ISO-2022-JP): detection does better than U+FFFD.
    const text = name === undefined ? undefined : tryDecode(bytes, name);
    if (name !== undefined && text !== undefined) return { text, charset: name, detected: false };
  }
  const charset = detectCharset(bytes, fallbackName);
  return { text: decodeLoose(bytes, charset), charset, detected: true };
}

/** The charset `bytes` are most likely in; `fallback` when Shift_JIS/EUC-JP is a toss-up. */
export function detectCharset(bytes: Uint8Array, fallback: string): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  let high = false;
  let escape = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x80) {
      high = true;
      break;
    }
    if (b === 0x1b && isJisEscape(bytes, i + 1)) escape = true;
  }
  if (!high) return escape ? 'iso-2022-jp' : 'ascii';
  if (tryDecode(bytes, 'utf-8') !== undefined) return 'utf-8';
  const sjis = tryDecode(bytes, 'shift_jis');
  const euc = tryDecode(bytes, 'euc-jp');
  const canonicalFallback = canonicalCharset(fallback) ?? fallback;
  if (sjis === undefined && euc === undefined) {
    return canonicalFallback === 'shift_jis' || canonicalFallback === 'euc-jp' ? canonicalFallback : 'shift_jis';
  }
  if (euc === undefined) return 'shift_jis';
  if (sjis === undefined) return 'euc-jp';
  const s = japaneseScore(sjis);
  const e = japaneseScore(euc);
  if (Math.abs(s - e) < 0.05 && (canonicalFallback === 'shift_jis' || canonicalFallback === 'euc-jp')) {
    return canonicalFallback;
  }
  return s >= e ? 'shift_jis' : 'euc-jp';
}

/** ESC $ @, ESC $ B, ESC ( B, ESC ( J, ESC ( I, ESC $ ( D: the ISO-2022-JP designations. */
function isJisEscape(bytes: Uint8Array, at: number): boolean {
  const a = bytes[at];
  const b = bytes[at + 1];
  if (a === 0x24) return b === 0x40 || b === 0x42 || (b === 0x28 && bytes[at + 2] === 0x44);
  if (a === 0x28) return b === 0x42 || b === 0x4a || b === 0x49;
  return false;
}

function tryDecode(bytes: Uint8Array, charset: string): string | undefined {
  try {
    return new TextDecoder(charset === 'ascii' ? 'utf-8' : charset, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function decodeLoose(bytes: Uint8Array, charset: string): string {
  // ASCII through the UTF-8 decoder: the WHATWG 'ascii' label means windows-1252.
  return new TextDecoder(charset === 'ascii' ? 'utf-8' : charset).decode(bytes);
}

/** The share of non-ASCII characters that are ordinary Japanese; 0..1. */
function japaneseScore(text: string): number {
  let good = 0;
  let total = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) continue;
    total++;
    if (
      (cp >= 0x3000 && cp <= 0x30ff) || // punctuation, hiragana, katakana
      (cp >= 0x4e00 && cp <= 0x9fff) || // kanji
      (cp >= 0xff01 && cp <= 0xff5e) // full-width ASCII
    ) {
      good++;
    } else if ((cp >= 0xff61 && cp <= 0xff9f) || (cp >= 0xe000 && cp <= 0xf8ff)) {
      good -= 0.5;
    }
  }
  return total === 0 ? 0 : good / total;
}
