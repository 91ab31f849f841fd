/**
 * Fax numbers: parsing what people type (Japan's plan in full, E.164 elsewhere), E.164,
 * national and notification forms, the string a trunk is sent, and the billing class.
 * Pure.
 */
export { FaxNumberError, type FaxNumberErrorCode } from './errors.ts';
export { SUPPORTED_COUNTRIES, countryByCallingCode, countryInfo, splitCallingCode, type CountryInfo } from './countries.ts';
export { JAPANESE_CARRIER_CODES, japaneseAreaCode, japaneseKind, type NumberKind } from './japan.ts';
export {
  dialString,
  formatE164,
  formatNational,
  formatNotification,
  parseFaxNumber,
  tryParseFaxNumber,
  type FaxNumber,
  type NumberClass,
  type NumberContext,
  type ParseResult,
} from './parse.ts';
