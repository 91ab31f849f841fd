/**
 * Character classes for the text grid: cell width (half or full), line-breaking rules
 * (JIS X 4051 kinsoku shori, strict set), and what is dropped before layout.
 */

/**
 * Full-width (2 half cells) per the East Asian Width property, with the Japanese reading of
 * the ambiguous class: the JIS X 0208 symbols, Greek and Cyrillic that Shift_JIS/EUC-JP/
 * ISO-2022-JP texts carry are full-width in MS Gothic, so they are here too.
 */
const fullRanges: readonly (readonly [number, number])[] = [
  [0x00a7, 0x00a8], // § ¨
  [0x00b0, 0x00b1], // ° ±
  [0x00b4, 0x00b4],
  [0x00b6, 0x00b6],
  [0x00d7, 0x00d7], // ×
  [0x00f7, 0x00f7], // ÷
  [0x0391, 0x03c9], // Greek
  [0x0401, 0x0451], // Cyrillic
  [0x1100, 0x115f], // Hangul Jamo leading
  [0x2010, 0x2010],
  [0x2014, 0x2016],
  [0x2018, 0x2019],
  [0x201c, 0x201d],
  [0x2020, 0x2021],
  [0x2025, 0x2026],
  [0x2030, 0x2030],
  [0x2032, 0x2033],
  [0x203b, 0x203b], // ※
  [0x2103, 0x2103], // ℃
  [0x2116, 0x2116], // №
  [0x2121, 0x2121], // ℡
  [0x212b, 0x212b], // Å
  [0x2160, 0x217f], // Roman numerals
  [0x2190, 0x2bff], // arrows, math, technical, circled numbers, box drawing, shapes, dingbats
  [0x2e80, 0x303e], // CJK radicals, ideographic punctuation
  [0x3041, 0x33ff], // kana, CJK symbols, compatibility
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xe000, 0xf8ff], // private use (Shift_JIS user-defined area) as a full cell
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff01, 0xff60], // full-width forms
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

export function isFullWidth(cp: number): boolean {
  if (cp < 0xa7) return false;
  let lo = 0;
  let hi = fullRanges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = fullRanges[mid]!;
    if (cp < r[0]) hi = mid - 1;
    else if (cp > r[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Zero-width and control characters that take no cell (after NFC). */
export function isDropped(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x7f && cp <= 0x9f) ||
    (cp >= 0x0300 && cp <= 0x036f) || // combining marks NFC could not compose
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef) ||
    cp === 0xfeff ||
    cp === 0xfffe ||
    cp === 0xffff ||
    (cp >= 0xd800 && cp <= 0xdfff)
  );
}

export function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\u3000' || ch === '\u00a0';
}

/** Must not start a line (closing brackets, punctuation, small kana, iteration marks). */
const noStart = new Set(
  [
    ...'、。，．・：；？！ー」』）］｝〕〉》】〙〗〟’”｠»',
    ...'ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ',
    ...'ゝゞヽヾ々〻‐゠–〜～',
    ...'｡｣､･ｰｧｨｩｪｫｯｬｭｮﾞﾟ', // half-width katakana forms
    ...'),.:;!?]}',
    ...'%％‰℃°′″',
  ],
);

/** Must not end a line (opening brackets). */
const noEnd = new Set([...'「『（［｛〔〈《【〘〖〝‘“｟«', ...'｢', ...'([{', ...'￥＄£＃']);

export function isNoStart(ch: string): boolean {
  return noStart.has(ch);
}

export function isNoEnd(ch: string): boolean {
  return noEnd.has(ch);
}

/**
 * Part of a Latin "word" that must not be split: a half-width, non-space character outside
 * the kana blocks. Between two of these there is no break opportunity.
 */
export function isWordChar(ch: string, fullWidth: boolean): boolean {
  if (fullWidth || isSpace(ch)) return false;
  const cp = ch.codePointAt(0)!;
  return !(cp >= 0xff61 && cp <= 0xff9f);
}
