/**
 * The one error type of the SIP codec (messages, URIs, headers, digest challenges). Codes are
 * stable; messages read `what failed [key:value, key:value]`. A transport that receives an
 * unparseable request answers 400 when it can (RFC 3261 16.3, 18.3), else drops it.
 */
import { CodecError } from '../codec-error.ts';

export type SipErrorCode =
  /** The start line is not `METHOD URI SIP/2.0` nor `SIP/2.0 CODE REASON`. */
  | 'SIP_BAD_START_LINE'
  /** A header line without a colon, an invalid header name or an unparseable header value. */
  | 'SIP_BAD_HEADER'
  /** A mandatory header (Via, From, To, Call-ID, CSeq) is missing, or CSeq disagrees with the method. */
  | 'SIP_MISSING_HEADER'
  /** A URI that is not `scheme:...` or whose host/port is invalid. */
  | 'SIP_BAD_URI'
  /** The body is shorter than Content-Length announces (a truncated datagram). */
  | 'SIP_TRUNCATED'
  /** A size limit was exceeded (message size, header count, line length). */
  | 'SIP_LIMIT_EXCEEDED'
  /** A digest challenge that cannot be answered (unknown algorithm or qop, missing nonce). */
  | 'SIP_BAD_CHALLENGE';

export class SipParseError extends CodecError<SipErrorCode> {
  override readonly name = 'SipParseError';
}
