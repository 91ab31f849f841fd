/**
 * The one error type of the RTP codec. Codes are stable; messages read
 * `what failed [key:value, key:value]`.
 */
import { CodecError } from '../codec-error.ts';

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

export class RtpDecodeError extends CodecError<RtpErrorCode> {
  override readonly name = 'RtpDecodeError';
}
