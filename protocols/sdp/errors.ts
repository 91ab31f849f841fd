/**
 * The one error type of the SDP codec and its offer/answer helpers. Codes are stable;
 * messages read `what failed [key:value, key:value]`. A UA answers 488 to an offer it
 * cannot read or accept.
 */
import { CodecError } from '../codec-error.ts';

export type SdpErrorCode =
  /** A line that is not `x=value`, or a mandatory line (v, o, s, t, m's port/proto) malformed. */
  | 'SDP_BAD_LINE'
  /** v, o, s or t missing, or lines out of the order RFC 4566 5 requires. */
  | 'SDP_MISSING_LINE'
  /** Size limits (bytes, lines, media sections). */
  | 'SDP_LIMIT_EXCEEDED'
  /** An offer with nothing we can accept (no common codec, T.38 not offered). */
  | 'SDP_NOT_ACCEPTABLE';

export class SdpError extends CodecError<SdpErrorCode> {
  override readonly name = 'SdpError';
}
