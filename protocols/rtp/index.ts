/**
 * RTP (RFC 3550): the data packet codec and sequence arithmetic. Pure: no sockets or timers;
 * the endpoint that sends and receives is `telephony/media/rtp-endpoint.ts`.
 */
export { RtpDecodeError, type RtpErrorCode } from './errors.ts';
export { DEFAULT_RTP_LIMITS, RTP_HEADER_SIZE, RTP_VERSION, decodeRtp, encodeRtp, looksLikeRtp, type RtpExtension, type RtpLimits, type RtpPacket } from './packet.ts';
export { seqDelta, timestampDelta } from './sequence.ts';
