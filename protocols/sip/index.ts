/**
 * SIP wire format (RFC 3261): messages, URIs, structured headers, stream framing and digest
 * authentication. Pure: no sockets or timers; throws only SipParseError.
 */
export { SipParseError, type SipErrorCode } from './errors.ts';
export { formatParams, formatUri, parseHostPort, parseUri, splitParams, type SipUri } from './uri.ts';
export {
  BRANCH_COOKIE, canonicalName, formatNameAddr, formatVia, parseCSeq, parseNameAddr, parseVia, splitList,
  type CSeq, type NameAddr, type Via,
} from './headers.ts';
export {
  DEFAULT_SIP_LIMITS, SipStreamFramer, bodyText, cseqOf, getHeader, getHeaders, parseSipMessage, serializeSipMessage,
  serializeSipText, textBody, type SipHeader, type SipLimits, type SipMessage, type SipRequest, type SipResponse,
} from './message.ts';
export {
  digestAuthorization, digestResponse, parseAuthParams, parseDigestChallenge, pickDigestChallenge,
  type DigestAlgorithm, type DigestAnswerInput, type DigestChallenge, type DigestCredentials,
} from './digest.ts';
