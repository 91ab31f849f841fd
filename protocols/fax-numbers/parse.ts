/**
 * Fax numbers as people type them, to E.164 and back (FEATURES S1, S14, S19, S20).
 *
 * What is accepted, in the sender's country context (Japan unless the account says
 * otherwise; see japan.ts for Japan's plan):
 *   - separators anywhere: spaces, hyphens and dashes (ASCII, full-width, the katakana
 *     long-vowel mark `ー` that Japanese input methods produce), dots, parentheses;
 *     full-width digits and `＋` (NFKC);
 *   - `+CC NSN`, with an optional trunk 0 after the code (`+81 (0)3 ...`) dropped;
 *   - the international prefix of the sender's country (`010` in Japan, `011` in NANP,
 *     `00` in most others) followed by CC and NSN;
 *   - in Japan also `00` + CC + NSN (the notification form faxgate itself writes, S14, and
 *     the European habit), and a carrier selection code before 010 (`001-010-...`,
 *     `0033-010-...`, `0041-010-...`, `0061-010-...`): the carrier code is dropped because
 *     the trunk picks the carrier. The old form without 010 (`0041-1-212...`) is NOT
 *     accepted: `0041...` reads as `00` + 41 (Switzerland), and the length check rejects
 *     most such mix-ups rather than misrouting them;
 *   - the national form with the trunk prefix (`03-1234-5678`, `090-...`, `0120-...`);
 *   - the sender's calling code without `+` (`81312345678`) when what follows is a valid
 *     national number;
 *   - a local number without area code (`1234-5678`) when the account has an area code:
 *     Japanese fixed numbers have 10 digits with the 0, so a local number is completed
 *     when it has exactly 10 - (area code length with its 0) digits
 *     (area `03`: 8 digits; `045`: 7; `0467`: 6). Without an area code it is refused with
 *     NUMBER_NEEDS_AREA_CODE.
 *   - refused: short service codes (110, 119, 117, 104, 1XY), `#`/`*` codes, letters.
 */
import { E164_MAX_DIGITS, countryByCallingCode, countryInfo, splitCallingCode, type CountryInfo } from './countries.ts';
import { FaxNumberError } from './errors.ts';
import { JAPANESE_CARRIER_CODES, japaneseAreaCode, japaneseKind, type NumberKind } from './japan.ts';

/** How a destination is billed from the sender's country (S19, B3). */
export type NumberClass = 'domestic' | 'mobile' | 'international' | 'toll-free' | 'special';

export interface NumberContext {
  /** ISO 3166-1 alpha-2 of the sender (account setting); default JP. */
  readonly country?: string | undefined;
  /** The sender's area code (`03`, `3`, `045`), to complete local numbers (S20). */
  readonly areaCode?: string | undefined;
}

export interface FaxNumber {
  /** `+81312345678` */
  readonly e164: string;
  /** `81` */
  readonly callingCode: string;
  /** National significant number: `312345678`. */
  readonly nsn: string;
  /** What the number is in its own country's plan (`unknown` outside Japan). */
  readonly kind: NumberKind;
  /** Billing class as seen from the context's country. */
  readonly class: NumberClass;
}

const DASHES = /[\u2010-\u2015\u2212\u2043\u30fc\ufe63\uff70]/g;
const SEPARATORS = /[\s\-.()]/g;

/** Digits and a leading `+` flag, or NUMBER_INVALID_CHARACTER / NUMBER_EMPTY. */
function clean(input: string): { plus: boolean; digits: string } {
  const text = input.normalize('NFKC').replace(DASHES, '-').replace(SEPARATORS, '');
  const plus = text.startsWith('+');
  const digits = plus ? text.slice(1) : text;
  const bad = /[^0-9]/.exec(digits);
  if (bad !== null) throw new FaxNumberError('NUMBER_INVALID_CHARACTER', { input, character: bad[0] });
  if (digits.length === 0) throw new FaxNumberError('NUMBER_EMPTY', { input });
  return { plus, digits };
}

function contextCountry(context: NumberContext): CountryInfo {
  const c = countryInfo(context.country ?? 'JP');
  if (c === undefined) throw new FaxNumberError('NUMBER_BAD_CONTEXT', { country: context.country ?? '' });
  return c;
}

function kindFor(callingCode: string, nsn: string): NumberKind {
  if (callingCode === '81') return japaneseKind(nsn);
  if (callingCode === '1') {
    // NANP: NPA-NXX-XXXX, area code and exchange both start 2-9.
    if (!/^[2-9]\d{2}[2-9]\d{6}$/.test(nsn)) {
      throw new FaxNumberError(nsn.length === 10 ? 'NUMBER_NOT_IN_PLAN' : 'NUMBER_BAD_LENGTH', { number: `+1${nsn}` });
    }
    return /^8(00|33|44|55|66|77|88)/.test(nsn) ? 'toll-free' : 'unknown';
  }
  // E.164 section 6: NSN length varies by country; below 4 digits nothing is a subscriber.
  if (nsn.length < 4 || callingCode.length + nsn.length > E164_MAX_DIGITS) {
    throw new FaxNumberError('NUMBER_BAD_LENGTH', { number: `+${callingCode}${nsn}` });
  }
  return 'unknown';
}

function classFor(kind: NumberKind, callingCode: string, sender: CountryInfo): NumberClass {
  if (callingCode !== sender.callingCode) return 'international';
  switch (kind) {
    case 'mobile':
      return 'mobile';
    case 'toll-free':
      return 'toll-free';
    case 'special':
      return 'special';
    case 'fixed':
    case 'ip-phone':
    case 'unknown':
      return 'domestic';
  }
}

function build(callingCode: string, nsn: string, sender: CountryInfo): FaxNumber {
  const kind = kindFor(callingCode, nsn);
  return { e164: `+${callingCode}${nsn}`, callingCode, nsn, kind, class: classFor(kind, callingCode, sender) };
}

/** CC + NSN digits (after `+`, an international prefix, or `00`). */
function fromInternational(digits: string, input: string, sender: CountryInfo): FaxNumber {
  if (digits.length > E164_MAX_DIGITS + 1) throw new FaxNumberError('NUMBER_BAD_LENGTH', { input });
  const split = splitCallingCode(digits);
  if (split === undefined) throw new FaxNumberError('NUMBER_NOT_IN_PLAN', { input });
  let nsn = split.nsn;
  // `+81 (0)3 ...`: a trunk 0 kept after the code is a common way of writing, never part
  // of the NSN in countries whose trunk prefix is 0 (Italy's 0 is part of the NSN: not listed).
  if (nsn.startsWith('0') && countryByCallingCode(split.callingCode)?.trunkPrefix === '0') nsn = nsn.slice(1);
  return build(split.callingCode, nsn, sender);
}

function parseJapanese(digits: string, input: string, sender: CountryInfo, context: NumberContext): FaxNumber {
  for (const carrier of JAPANESE_CARRIER_CODES) {
    if (digits.startsWith(`${carrier}010`)) return fromInternational(digits.slice(carrier.length + 3), input, sender);
  }
  if (digits.startsWith('010')) return fromInternational(digits.slice(3), input, sender);
  if (digits.startsWith('00')) return fromInternational(digits.slice(2), input, sender);
  if (digits.startsWith('0')) return build('81', digits.slice(1), sender);
  if (digits.startsWith('1') && digits.length <= 4) throw new FaxNumberError('NUMBER_SERVICE_CODE', { input });
  if (digits.length <= 8) {
    if (context.areaCode === undefined || context.areaCode === '') throw new FaxNumberError('NUMBER_NEEDS_AREA_CODE', { input });
    const area = japaneseAreaCode(context.areaCode);
    if (digits.length !== 10 - area.length) {
      throw new FaxNumberError('NUMBER_BAD_LENGTH', { input, areaCode: area, expected: 10 - area.length });
    }
    return build('81', area.slice(1) + digits, sender);
  }
  if (digits.startsWith('81')) return fromInternational(digits, input, sender);
  throw new FaxNumberError('NUMBER_NOT_IN_PLAN', { input });
}

function parseOther(digits: string, input: string, sender: CountryInfo): FaxNumber {
  if (digits.startsWith(sender.internationalPrefix)) return fromInternational(digits.slice(sender.internationalPrefix.length), input, sender);
  if (sender.callingCode === '1') {
    if (digits.length === 11 && digits.startsWith('1')) return build('1', digits.slice(1), sender);
    if (digits.length === 10) return build('1', digits, sender);
    throw new FaxNumberError('NUMBER_BAD_LENGTH', { input });
  }
  if (sender.trunkPrefix !== '' && digits.startsWith(sender.trunkPrefix)) return build(sender.callingCode, digits.slice(sender.trunkPrefix.length), sender);
  if (sender.trunkPrefix === '') return build(sender.callingCode, digits, sender);
  if (digits.startsWith(sender.callingCode)) return fromInternational(digits, input, sender);
  throw new FaxNumberError('NUMBER_NOT_IN_PLAN', { input });
}

/** Parses a typed fax number; throws FaxNumberError. */
export function parseFaxNumber(input: string, context: NumberContext = {}): FaxNumber {
  const sender = contextCountry(context);
  const { plus, digits } = clean(input);
  if (plus) return fromInternational(digits, input, sender);
  return sender.iso === 'JP' ? parseJapanese(digits, input, sender, context) : parseOther(digits, input, sender);
}

export type ParseResult = { readonly ok: true; readonly number: FaxNumber } | { readonly ok: false; readonly error: FaxNumberError };

export function tryParseFaxNumber(input: string, context: NumberContext = {}): ParseResult {
  try {
    return { ok: true, number: parseFaxNumber(input, context) };
  } catch (e) {
    if (e instanceof FaxNumberError) return { ok: false, error: e };
    throw e;
  }
}

/** `+81312345678` */
export function formatE164(n: Pick<FaxNumber, 'callingCode' | 'nsn'>): string {
  return `+${n.callingCode}${n.nsn}`;
}

/** The notification form `00` + CC + NSN: `0081312345678` (FEATURES S14). */
export function formatNotification(n: Pick<FaxNumber, 'callingCode' | 'nsn'>): string {
  return `00${n.callingCode}${n.nsn}`;
}

/**
 * The number in its own country's national form: `0312345678` for Japan, the 10 digits
 * for NANP, trunk prefix + NSN elsewhere (just the NSN where there is none).
 */
export function formatNational(n: Pick<FaxNumber, 'callingCode' | 'nsn'>): string {
  if (n.callingCode === '1') return n.nsn;
  return (countryByCallingCode(n.callingCode)?.trunkPrefix ?? '') + n.nsn;
}

/**
 * What a trunk in `fromCountry` is sent: `e164` gives `+CCNSN`; `national` gives the number
 * as dialled inside that country (`0312345678` for a Japanese number on a Japanese trunk,
 * `0101 2125551234` without the space for a US number on it).
 */
export function dialString(n: Pick<FaxNumber, 'callingCode' | 'nsn'>, format: 'e164' | 'national', fromCountry = 'JP'): string {
  if (format === 'e164') return formatE164(n);
  const from = countryInfo(fromCountry);
  if (from === undefined) throw new FaxNumberError('NUMBER_BAD_CONTEXT', { country: fromCountry });
  if (n.callingCode === from.callingCode) return from.trunkPrefix + n.nsn;
  return from.internationalPrefix + n.callingCode + n.nsn;
}
