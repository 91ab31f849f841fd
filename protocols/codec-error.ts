/**
 * The base of every protocol codec's one error type: a stable code from the codec's own
 * union, and a message that reads `what failed [key:value, key:value]`. Each codec extends
 * it with its own class name, so callers can still tell a T.38 error from a SIP one.
 */
export type CodecErrorDetails = Readonly<Record<string, string | number>>;

export abstract class CodecError<Code extends string> extends Error {
  readonly code: Code;
  readonly details: CodecErrorDetails;

  constructor(code: Code, message: string, details: CodecErrorDetails = {}) {
    const parts = Object.entries(details).map(([k, v]) => `${k}:${v}`);
    super(parts.length > 0 ? `${message} [${parts.join(', ')}]` : message);
    this.code = code;
    this.details = details;
  }
}
