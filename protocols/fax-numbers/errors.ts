/**
 * The one error of number parsing. A user typed the number (e-mail address, web form, API),
 * so each code carries an English and a Japanese message; the fax result for all of them is
 * `bad-number` (3912) when a job fails on it.
 */
export type FaxNumberErrorCode =
  /** Nothing left once separators are removed. */
  | 'NUMBER_EMPTY'
  /** A character that is neither a digit, a leading `+`, nor a separator. */
  | 'NUMBER_INVALID_CHARACTER'
  /** Fewer or more digits than the numbering plan allows. */
  | 'NUMBER_BAD_LENGTH'
  /** The digits do not fit the destination country's numbering plan (e.g. a Japanese number starting 06 with 11 digits). */
  | 'NUMBER_NOT_IN_PLAN'
  /** A local number without area code, and the account has no area code set. */
  | 'NUMBER_NEEDS_AREA_CODE'
  /** A short service code (110, 119, 117, 104, ...): not a fax destination. */
  | 'NUMBER_SERVICE_CODE'
  /** The context names a country faxgate has no numbering rules for, or a bad area code. */
  | 'NUMBER_BAD_CONTEXT';

const MESSAGES: Readonly<Record<FaxNumberErrorCode, { en: string; ja: string }>> = {
  NUMBER_EMPTY: { en: 'fax number is empty', ja: 'FAX番号が入力されていません' },
  NUMBER_INVALID_CHARACTER: { en: 'fax number contains an invalid character', ja: 'FAX番号に使用できない文字が含まれています' },
  NUMBER_BAD_LENGTH: { en: 'fax number has the wrong number of digits', ja: 'FAX番号の桁数が正しくありません' },
  NUMBER_NOT_IN_PLAN: { en: 'fax number does not exist in the numbering plan', ja: 'FAX番号の形式が正しくありません' },
  NUMBER_NEEDS_AREA_CODE: { en: 'fax number needs an area code', ja: 'FAX番号に市外局番が必要です' },
  NUMBER_SERVICE_CODE: { en: 'service numbers cannot receive faxes', ja: '特殊番号にはFAXを送信できません' },
  NUMBER_BAD_CONTEXT: { en: 'account numbering settings are invalid', ja: 'アカウントの番号設定（国・市外局番）が正しくありません' },
};

export class FaxNumberError extends Error {
  override readonly name = 'FaxNumberError';
  readonly code: FaxNumberErrorCode;
  readonly messageJa: string;
  readonly details: Readonly<Record<string, string | number>>;
  /** The fax result a job reports when its destination fails to parse. */
  readonly result = 'bad-number' as const;

  constructor(code: FaxNumberErrorCode, details: Readonly<Record<string, string | number>> = {}) {
    const parts = Object.entries(details).map(([k, v]) => `${k}:${v}`);
    const suffix = parts.length > 0 ? ` [${parts.join(', ')}]` : '';
    super(MESSAGES[code].en + suffix);
    this.code = code;
    this.messageJa = MESSAGES[code].ja + suffix;
    this.details = details;
  }
}
