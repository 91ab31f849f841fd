/**
 * The one error type of the RTP codec. Codes are stable; messages read
 * `what failed [key:value, key:value]`.
 */
export type RtpErrorCode =
  /** The packet ended before a field its header announces (CSRCs, extension, padding). */
  | 'RTP_TRUNCATED'
  /** Version field other than 2 (RFC 3550 5.1): not RTP, or an RTCP/STUN packet on the port. */
  | 'RTP_BAD_VERSION'
  /** Padding count of zero, or larger than what follows the header. */
  | 'RTP_BAD_PADDING'
  /** A size limit was exceeded (packet, payload, extension). */
  | 'RTP_LIMIT_EXCEEDED'
  /** A field out of range when encoding (payload type > 127, more than 15 CSRCs, ...). */
  | 'RTP_BAD_ARGUMENT';

export class RtpDecodeError extends Error {
  override readonly name = 'RtpDecodeError';
  readonly code: RtpErrorCode;
  readonly details: Readonly<Record<string, string | number>>;

  constructor(code: RtpErrorCode, message: string, details: Readonly<Record<string, string | number>> = {}) {
    const parts = Object.entries(details).map(([k, v]) => `${k}:${v}`);
    super(parts.length > 0 ? `${message} [${parts.join(', ')}]` : message);
    this.code = code;
    this.details = details;
  }
}
