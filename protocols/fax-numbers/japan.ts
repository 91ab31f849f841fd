/**
 * Japan's numbering plan as far as a fax service needs it (MIC's plan, national form with
 * the trunk prefix 0):
 *
 *   0AB-CDE-FGHIJ  fixed lines: 10 digits, area code 2-5 digits (03 Tokyo, 06 Osaka, 045, 0467, ...)
 *   070/080/090    mobile: 11 digits        020   M2M/pagers: 11 digits (billed as mobile)
 *   050            IP phones: 11 digits (billed as domestic)
 *   0120           toll-free: 10 digits     0800  toll-free: 11 digits
 *   0570           navi-dial (caller pays a special rate): 10 digits
 *   0180, 0990     telephone voting, dial Q2: 10 digits (special rate)
 *   1XY            service codes (110 police, 119 fire, 117 time, 104 directory): refused
 *   00XY, 010      carrier selection and the international prefix: see parse.ts
 *
 * The national significant number (NSN) is the national form without the 0: 9 digits for
 * fixed, 0120, 0570, 0180, 0990; 10 digits for mobile, M2M, IP phones, 0800.
 */
import { FaxNumberError } from './errors.ts';

/** What a number is in its own country's plan. */
export type NumberKind = 'fixed' | 'mobile' | 'ip-phone' | 'toll-free' | 'special' | 'unknown';

/** Classifies a Japanese NSN, or throws NUMBER_BAD_LENGTH / NUMBER_NOT_IN_PLAN. */
export function japaneseKind(nsn: string): NumberKind {
  const first = nsn[0];
  if (first === undefined || first === '0') throw new FaxNumberError('NUMBER_NOT_IN_PLAN', { number: `0${nsn}` });
  if (nsn.length === 10) {
    if (nsn.startsWith('800')) return 'toll-free';
    const two = nsn.slice(0, 2);
    if (two === '70' || two === '80' || two === '90' || two === '20') return 'mobile';
    if (two === '50') return 'ip-phone';
    // 0120/0570/0180/0990 have 10 digits, fixed lines too: one digit too many.
    throw new FaxNumberError('NUMBER_BAD_LENGTH', { number: `0${nsn}`, expected: 10 });
  }
  if (nsn.length === 9) {
    const three = nsn.slice(0, 3);
    if (three === '120') return 'toll-free';
    if (three === '570' || three === '180' || three === '990') return 'special';
    // 0800, 070/080/090, 050 and 020 numbers all have 11 digits: 10 here is a digit short.
    if (three === '800' || /^(20|50|70|80|90)/.test(nsn)) throw new FaxNumberError('NUMBER_BAD_LENGTH', { number: `0${nsn}`, expected: 11 });
    return 'fixed';
  }
  throw new FaxNumberError('NUMBER_BAD_LENGTH', { number: `0${nsn}`, digits: nsn.length + 1 });
}

/**
 * Normalizes an account's area code to its national form with the 0 (`3` and `03` give
 * `03`). Area codes are 2 to 5 digits with the 0 and belong to fixed lines.
 */
export function japaneseAreaCode(areaCode: string): string {
  const digits = areaCode.replace(/[\s\-()]/g, '');
  const withZero = digits.startsWith('0') ? digits : `0${digits}`;
  if (!/^0[1-9]\d{0,3}$/.test(withZero) || /^0(20|50|70|80|90|120|800|570|180|990)/.test(withZero)) {
    throw new FaxNumberError('NUMBER_BAD_CONTEXT', { areaCode });
  }
  return withZero;
}

/**
 * Carrier selection codes dialled before 010 (KDDI 001, NTT Communications 0033, SoftBank
 * 0041 and 0061). faxgate picks the carrier by trunk, so they are dropped.
 */
export const JAPANESE_CARRIER_CODES: readonly string[] = ['001', '0033', '0041', '0061'];
