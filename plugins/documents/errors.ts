import { FaxgateError } from '../../core/errors.ts';
import type { ErrorDetails } from '../../core/errors.ts';

/**
 * Why a document could not become fax pages. Each code is stable (bounce mails, API results
 * and the CLI's exit status are keyed on it) and carries the sentence a user reads, in
 * English and Japanese.
 */
export type DocumentErrorCode =
  | 'DOC_PASSWORD_PROTECTED'
  | 'DOC_CORRUPT'
  | 'DOC_UNSUPPORTED_TYPE'
  | 'DOC_TOO_LARGE'
  | 'DOC_TOO_MANY_PAGES'
  | 'DOC_CONVERTER_TIMEOUT'
  | 'DOC_CONVERTER_FAILED'
  | 'DOC_URL_FORBIDDEN'
  | 'DOC_URL_FETCH_FAILED'
  | 'DOC_ZIP_BOMB'
  | 'DOC_EMPTY';

interface CodeInfo {
  readonly en: string;
  readonly ja: string;
  /** `faxgate render` exit status: 1 is kept for unexpected failures, 2 for usage errors. */
  readonly exit: number;
  /** The HTTP status an API answers with when a request's document fails this way. */
  readonly http: number;
}

/** One table for messages, exit codes and HTTP statuses, so the edges cannot disagree. */
export const documentErrors: Readonly<Record<DocumentErrorCode, CodeInfo>> = {
  DOC_PASSWORD_PROTECTED: { en: 'the file is password-protected', ja: 'パスワードで保護されたファイルは送信できません', exit: 10, http: 422 },
  DOC_CORRUPT: { en: 'the file is damaged or cannot be read', ja: 'ファイルが壊れているか、読み取れません', exit: 11, http: 422 },
  DOC_UNSUPPORTED_TYPE: { en: 'this type of file cannot be sent by fax', ja: 'このファイル形式はFAX送信に対応していません', exit: 12, http: 415 },
  DOC_TOO_LARGE: { en: 'the file is too large', ja: 'ファイルのサイズが上限を超えています', exit: 13, http: 413 },
  DOC_TOO_MANY_PAGES: { en: 'the document has too many pages', ja: 'ページ数が上限を超えています', exit: 14, http: 422 },
  DOC_CONVERTER_TIMEOUT: { en: 'converting the file took too long', ja: 'ファイルの変換が時間内に終わりませんでした', exit: 15, http: 422 },
  DOC_CONVERTER_FAILED: { en: 'the file could not be converted', ja: 'ファイルを変換できませんでした', exit: 16, http: 422 },
  DOC_URL_FORBIDDEN: { en: 'this address may not be fetched', ja: 'このURLは取得できません', exit: 17, http: 422 },
  DOC_URL_FETCH_FAILED: { en: 'the page at this address could not be fetched', ja: 'URLのページを取得できませんでした', exit: 18, http: 422 },
  DOC_ZIP_BOMB: { en: 'the archive expands beyond the allowed limits', ja: '圧縮ファイルの展開後のサイズまたは階層が上限を超えています', exit: 19, http: 422 },
  DOC_EMPTY: { en: 'the document has no pages', ja: 'ページがありません', exit: 20, http: 422 },
};

export class DocumentError extends FaxgateError {
  declare readonly code: DocumentErrorCode;

  constructor(code: DocumentErrorCode, details: ErrorDetails = {}, cause?: unknown) {
    const info = documentErrors[code];
    super(code, info.en, { details, ja: info.ja, cause });
  }

  /** The exit status of `faxgate render` for this failure. */
  get exitCode(): number {
    return documentErrors[this.code].exit;
  }

  get httpStatus(): number {
    return documentErrors[this.code].http;
  }
}

export function isDocumentError(err: unknown): err is DocumentError {
  return err instanceof DocumentError;
}
