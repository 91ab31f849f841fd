/**
 * The numbering facts faxgate needs per country: calling code (ITU-T E.164 assignments),
 * trunk prefix and international prefix as dialled from that country. Japan has full
 * national rules (`japan.ts`); other countries get E.164 length checks only, and NANP its
 * 10-digit shape.
 */
export interface CountryInfo {
  /** ISO 3166-1 alpha-2. */
  readonly iso: string;
  readonly callingCode: string;
  /** Dialled before a national number inside the country ('' when there is none). */
  readonly trunkPrefix: string;
  /** Dialled before a country code from inside the country. */
  readonly internationalPrefix: string;
}

const COUNTRIES: readonly CountryInfo[] = [
  { iso: 'JP', callingCode: '81', trunkPrefix: '0', internationalPrefix: '010' },
  { iso: 'US', callingCode: '1', trunkPrefix: '1', internationalPrefix: '011' },
  { iso: 'CA', callingCode: '1', trunkPrefix: '1', internationalPrefix: '011' },
  { iso: 'GB', callingCode: '44', trunkPrefix: '0', internationalPrefix: '00' },
  { iso: 'DE', callingCode: '49', trunkPrefix: '0', internationalPrefix: '00' },
  { iso: 'FR', callingCode: '33', trunkPrefix: '0', internationalPrefix: '00' },
  { iso: 'KR', callingCode: '82', trunkPrefix: '0', internationalPrefix: '00' },
  { iso: 'CN', callingCode: '86', trunkPrefix: '0', internationalPrefix: '00' },
  { iso: 'TW', callingCode: '886', trunkPrefix: '0', internationalPrefix: '002' },
  { iso: 'AU', callingCode: '61', trunkPrefix: '0', internationalPrefix: '0011' },
  { iso: 'SG', callingCode: '65', trunkPrefix: '', internationalPrefix: '000' },
  { iso: 'HK', callingCode: '852', trunkPrefix: '', internationalPrefix: '001' },
  { iso: 'PH', callingCode: '63', trunkPrefix: '0', internationalPrefix: '00' },
  { iso: 'TH', callingCode: '66', trunkPrefix: '0', internationalPrefix: '001' },
  { iso: 'VN', callingCode: '84', trunkPrefix: '0', internationalPrefix: '00' },
];

export function countryInfo(iso: string): CountryInfo | undefined {
  const upper = iso.toUpperCase();
  return COUNTRIES.find((c) => c.iso === upper);
}

/** The first country with this calling code (NANP's 1 gives US). */
export function countryByCallingCode(callingCode: string): CountryInfo | undefined {
  return COUNTRIES.find((c) => c.callingCode === callingCode);
}

export const SUPPORTED_COUNTRIES: readonly string[] = COUNTRIES.map((c) => c.iso);

/**
 * Two-digit calling codes (E.164). Codes are prefix-free: 1 and 7 stand alone, these
 * take two digits, and every other code takes three, so the split needs no full list.
 */
const TWO_DIGIT_CODES = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49',
  '51', '52', '53', '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66',
  '81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98',
]);

/** Splits international digits (after `+`) into calling code and national significant number. */
export function splitCallingCode(digits: string): { callingCode: string; nsn: string } | undefined {
  const first = digits[0];
  if (first === undefined || first === '0') return undefined;
  const len = first === '1' || first === '7' ? 1 : TWO_DIGIT_CODES.has(digits.slice(0, 2)) ? 2 : 3;
  if (digits.length <= len) return undefined;
  return { callingCode: digits.slice(0, len), nsn: digits.slice(len) };
}

/** E.164: at most 15 digits with the calling code. */
export const E164_MAX_DIGITS = 15;
