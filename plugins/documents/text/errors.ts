import { FaxgateError } from '../../../core/errors.ts';
import type { ErrorDetails } from '../../../core/errors.ts';

export type TextErrorCode = 'TEXT_FONT_UNKNOWN' | 'TEXT_CHARSET_UNKNOWN';

const messages: Readonly<Record<TextErrorCode, { en: string; ja: string }>> = {
  TEXT_FONT_UNKNOWN: { en: 'unknown font type', ja: '指定されたフォントは使用できません' },
  TEXT_CHARSET_UNKNOWN: { en: 'unknown character set', ja: '指定された文字コードは使用できません' },
};

/** A font type or charset name that is not ours to render: a request or configuration error. */
export class TextRenderError extends FaxgateError {
  declare readonly code: TextErrorCode;

  constructor(code: TextErrorCode, details: ErrorDetails) {
    const m = messages[code];
    super(code, m.en, { details, ja: m.ja });
  }
}
