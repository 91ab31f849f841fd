/**
 * Errors with stable codes. A message reads `what failed [key:value, key:value]`; errors a
 * user sees also carry Japanese text. Protocol reply codes (SIP status, SMTP reply, HTTP
 * status) travel in `details` so the edge that answers can use them.
 */
export interface ErrorDetails {
  readonly [key: string]: string | number | boolean | undefined;
}

export class FaxgateError extends Error {
  override readonly name = 'FaxgateError';
  readonly code: string;
  readonly details: ErrorDetails;
  /** The same message in Japanese, for users. */
  readonly messageJa: string | undefined;

  constructor(code: string, message: string, options: { details?: ErrorDetails; ja?: string; cause?: unknown } = {}) {
    super(formatMessage(message, options.details), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    this.messageJa = options.ja;
  }

  toJSON(): { code: string; message: string; messageJa?: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, ...(this.messageJa ? { messageJa: this.messageJa } : {}), details: this.details };
  }
}

function formatMessage(message: string, details: ErrorDetails | undefined): string {
  if (details === undefined) return message;
  const parts = Object.entries(details)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}:${String(v)}`);
  return parts.length > 0 ? `${message} [${parts.join(', ')}]` : message;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
