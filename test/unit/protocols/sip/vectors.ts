/**
 * Annotated SIP messages. Each is written the way a real peer sends it; the comment above
 * says what it exercises. CRLF line ends are added by `crlf`.
 */
export function crlf(lines: readonly string[]): string {
  return lines.join('\r\n');
}

const SDP_T38 = crlf([
  'v=0',
  'o=- 1712 1712 IN IP4 192.0.2.10',
  's=-',
  'c=IN IP4 192.0.2.10',
  't=0 0',
  'm=audio 16384 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'm=image 16386 udptl t38',
  'a=T38FaxVersion:0',
  'a=T38MaxBitRate:14400',
  'a=T38FaxRateManagement:transferredTCF',
  'a=T38FaxMaxBuffer:2000',
  'a=T38FaxMaxDatagram:612',
  'a=T38FaxUdpEC:t38UDPRedundancy',
  '',
]);

/** A carrier-style initial INVITE offering G.711 and T.38 at once, with PAI and Privacy: id. */
export const INVITE_AUDIO_AND_T38 = crlf([
  'INVITE sip:+81312345678@198.51.100.7:5060;user=phone SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport',
  'Max-Forwards: 70',
  'From: "Anonymous" <sip:anonymous@anonymous.invalid>;tag=1928301774',
  'To: <sip:+81312345678@198.51.100.7;user=phone>',
  'Call-ID: a84b4c76e66710@192.0.2.10',
  'CSeq: 314159 INVITE',
  'Contact: <sip:gw@192.0.2.10:5060;transport=udp>',
  'P-Asserted-Identity: <sip:+81355550000@carrier.example;user=phone>, <tel:+81355550000>',
  'Privacy: id',
  'Supported: timer, 100rel',
  'Session-Expires: 1800;refresher=uac',
  'Min-SE: 90',
  'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE',
  'Content-Type: application/sdp',
  `Content-Length: ${Buffer.byteLength(SDP_T38)}`,
  '',
  SDP_T38,
]);
export const INVITE_SDP = SDP_T38;

/** A registrar's 401 with two challenges (RFC 8760: SHA-256 first, MD5 for older clients). */
export const REGISTER_401 = crlf([
  'SIP/2.0 401 Unauthorized',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds7;received=203.0.113.4;rport=40312',
  'From: <sip:fax@trunk.example>;tag=a73kszlfl',
  'To: <sip:fax@trunk.example>;tag=1410948204',
  'Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10',
  'CSeq: 1 REGISTER',
  'WWW-Authenticate: Digest realm="trunk.example", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", qop="auth", algorithm=SHA-256, opaque=""',
  'WWW-Authenticate: Digest realm="trunk.example", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", qop="auth", algorithm=MD5, opaque=""',
  'Content-Length: 0',
  '',
  '',
]);

/**
 * In the spirit of RFC 4475 3.1.1.1: compact header names, folded lines, odd spacing
 * around colons, mixed-case names, several Via in one line, escaped display name.
 */
export const TORTURE_COMPACT_FOLDED = crlf([
  'OPTIONS sip:fax@faxgate.example SIP/2.0',
  'v:  SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK-first , SIP/2.0/TCP [2001:db8::9]:5061;branch=z9hG4bK-second',
  'f: "J \\"Rose\\" Doe" <sip:j@example.com>',
  '  ;tag=9fxced76sl',
  't   :sip:fax@faxgate.example',
  'i: folded-callid@example',
  'cSeQ:',
  '\t 8',
  '   OPTIONS',
  'mAX-fORWARDS: 70',
  'm: <sip:j@198.51.100.1;lr>;expires=60, sip:j2@198.51.100.2;q=0.5',
  'NewFangledHeader:   newfangled value',
  ' continued newfangled value',
  'l: 0',
  '',
  '',
]);

/** RFC 4475 3.1.2.7 style: Content-Length larger than the bytes that arrived. */
export const TRUNCATED_BODY = crlf([
  'INVITE sip:fax@faxgate.example SIP/2.0',
  'Via: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK-cl',
  'From: <sip:a@example.com>;tag=1',
  'To: <sip:fax@faxgate.example>',
  'Call-ID: clerr@example',
  'CSeq: 1 INVITE',
  'Content-Type: application/sdp',
  'Content-Length: 9999',
  '',
  'v=0',
]);

/** RFC 4475 3.1.2.16 style: the CSeq method disagrees with the request method. */
export const CSEQ_MISMATCH = crlf([
  'INVITE sip:fax@faxgate.example SIP/2.0',
  'Via: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK-mm',
  'From: <sip:a@example.com>;tag=1',
  'To: <sip:fax@faxgate.example>',
  'Call-ID: mismatch@example',
  'CSeq: 1 ACK',
  'Content-Length: 0',
  '',
  '',
]);

/** RFC 4475 3.1.2.8 style: a negative Content-Length. */
export const NEGATIVE_LENGTH = TRUNCATED_BODY.replace('Content-Length: 9999', 'Content-Length: -999');

/** RFC 4475 3.1.2.19 style: a Request-URI with an unknown scheme is still a request (answered 416 by the UA). */
export const UNKNOWN_SCHEME = CSEQ_MISMATCH.replace('CSeq: 1 ACK', 'CSeq: 1 INVITE').replace('INVITE sip:fax@faxgate.example', 'INVITE nobodyKnowsThisScheme:totallyopaquecontent');
