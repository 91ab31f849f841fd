/**
 * S7 font types -> installed fonts (Debian fonts-ipafont, fonts-liberation2, fonts-dejavu-core).
 *
 * The IPA fonts stand in for the MS Japanese faces (same design brief: JIS X 0208 coverage,
 * monospace and proportional variants); Liberation is metric-compatible with Arial, Times
 * New Roman and Courier New; Verdana and Georgia have no free metric clone, so their closest
 * classes stand in. OCR-A/OCR-B have no Debian package; DejaVu Sans Mono keeps what matters
 * for them: unambiguous monospace digits. Latin faces fall back to a Japanese face of the same
 * class (sans -> Gothic, serif -> Mincho) for kana and kanji.
 */
import { TextRenderError } from './errors.ts';

export interface FontChoice {
  /** The S7 name, as in `fontTypes`. */
  readonly fontType: string;
  /** fontconfig family list, first choice first. */
  readonly families: readonly string[];
}

const gothic = 'IPAGothic';
const mincho = 'IPAMincho';

const table: readonly FontChoice[] = [
  { fontType: 'MS Gothic', families: [gothic] },
  { fontType: 'MS PGothic', families: ['IPAPGothic', gothic] },
  { fontType: 'MS Mincho', families: [mincho] },
  { fontType: 'MS PMincho', families: ['IPAPMincho', mincho] },
  { fontType: 'Arial', families: ['Liberation Sans', gothic] },
  { fontType: 'Verdana', families: ['Liberation Sans', gothic] },
  { fontType: 'Times New Roman', families: ['Liberation Serif', mincho] },
  { fontType: 'Georgia', families: ['Liberation Serif', mincho] },
  { fontType: 'Courier New', families: ['Liberation Mono', gothic] },
  { fontType: 'OCR-A', families: ['DejaVu Sans Mono', gothic] },
  { fontType: 'OCR-B', families: ['DejaVu Sans Mono', gothic] },
];

/** Other spellings people type (after NFKC, lower case, without spaces, hyphens and underscores). */
const aliases: Readonly<Record<string, string>> = {
  msゴシック: 'MS Gothic',
  mspゴシック: 'MS PGothic',
  ms明朝: 'MS Mincho',
  msp明朝: 'MS PMincho',
  gothic: 'MS Gothic',
  mincho: 'MS Mincho',
  ipagothic: 'MS Gothic',
  ipapgothic: 'MS PGothic',
  ipamincho: 'MS Mincho',
  ipapmincho: 'MS PMincho',
  courier: 'Courier New',
  times: 'Times New Roman',
  ocra: 'OCR-A',
  ocrb: 'OCR-B',
};

export const fontTypes: readonly string[] = table.map((f) => f.fontType);

const byKey = new Map<string, FontChoice>();
for (const f of table) byKey.set(keyOf(f.fontType), f);
for (const [alias, fontType] of Object.entries(aliases)) byKey.set(alias, byKey.get(keyOf(fontType))!);

/** The installed fonts for a font type name; throws TEXT_FONT_UNKNOWN listing the known names. */
export function resolveFont(fontType: string): FontChoice {
  const found = byKey.get(keyOf(fontType));
  if (found === undefined) {
    throw new TextRenderError('TEXT_FONT_UNKNOWN', { fontType, known: fontTypes.join(' | ') });
  }
  return found;
}

function keyOf(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/[\s_-]+/g, '');
}
