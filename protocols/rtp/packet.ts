/**
 * RTP data packets (RFC 3550 section 5.1): the fixed 12-octet header, the CSRC list, the
 * header extension (5.3.1) and padding. Decoding checks every read against the bytes left
 * and throws only RtpDecodeError; payload and extension data are views into the input, not
 * copies (a media loop decodes 50 packets a second per call).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   |                           timestamp                           |
 *   |           synchronization source (SSRC) identifier            |
 *   |            contributing source (CSRC) identifiers             | x CC
 *   |      defined by profile       |            length             | if X
 *   |                        header extension                       | x length
 *   |                 payload  ...  | padding ... | padding count   | if P
 */
import { RtpDecodeError } from './errors.ts';

export const RTP_VERSION = 2;
export const RTP_HEADER_SIZE = 12;

export interface RtpExtension {
  /** The 16-bit "defined by profile" field (0xBEDE for RFC 8285 one-byte headers). */
  readonly profile: number;
  /** A multiple of 4 octets. */
  readonly data: Uint8Array;
}

export interface RtpPacket {
  readonly payloadType: number;
  readonly marker: boolean;
  /** 16-bit, wraps. */
  readonly sequenceNumber: number;
  /** 32-bit, in units of the payload's clock (8,000 Hz for G.711). */
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrcs: readonly number[];
  readonly extension?: RtpExtension | undefined;
  readonly payload: Uint8Array;
  /** Padding octets after the payload, counting the final count octet; 0 when P is clear. */
  readonly paddingLength: number;
}

export interface RtpLimits {
  /** Largest datagram accepted or produced. */
  readonly maxPacketSize: number;
  /** Largest header extension, in octets (without its 4-octet header). */
  readonly maxExtensionSize: number;
}

/** A UDP datagram on an Ethernet path is at most 1,472 octets; G.711 at 20 ms needs 172. */
export const DEFAULT_RTP_LIMITS: RtpLimits = { maxPacketSize: 1500, maxExtensionSize: 1024 };

export function decodeRtp(bytes: Uint8Array, limits: RtpLimits = DEFAULT_RTP_LIMITS): RtpPacket {
  if (bytes.length > limits.maxPacketSize) {
    throw new RtpDecodeError('RTP_LIMIT_EXCEEDED', 'RTP packet too large', { size: bytes.length, max: limits.maxPacketSize });
  }
  if (bytes.length < RTP_HEADER_SIZE) {
    throw new RtpDecodeError('RTP_TRUNCATED', 'RTP packet shorter than the fixed header', { size: bytes.length });
  }
  const b0 = bytes[0] as number;
  const b1 = bytes[1] as number;
  const version = b0 >> 6;
  if (version !== RTP_VERSION) throw new RtpDecodeError('RTP_BAD_VERSION', 'not an RTP version 2 packet', { version });
  const hasPadding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = RTP_HEADER_SIZE;
  if (offset + 4 * csrcCount > bytes.length) {
    throw new RtpDecodeError('RTP_TRUNCATED', 'CSRC list runs past the end', { csrcCount, size: bytes.length });
  }
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++, offset += 4) csrcs.push(view.getUint32(offset));
  let extension: RtpExtension | undefined;
  if (hasExtension) {
    if (offset + 4 > bytes.length) throw new RtpDecodeError('RTP_TRUNCATED', 'extension header runs past the end', { offset, size: bytes.length });
    const profile = view.getUint16(offset);
    const length = view.getUint16(offset + 2) * 4;
    offset += 4;
    if (length > limits.maxExtensionSize) {
      throw new RtpDecodeError('RTP_LIMIT_EXCEEDED', 'RTP header extension too large', { size: length, max: limits.maxExtensionSize });
    }
    if (offset + length > bytes.length) {
      throw new RtpDecodeError('RTP_TRUNCATED', 'extension data runs past the end', { length, offset, size: bytes.length });
    }
    extension = { profile, data: bytes.subarray(offset, offset + length) };
    offset += length;
  }
  let end = bytes.length;
  let paddingLength = 0;
  if (hasPadding) {
    // RFC 3550 5.1: "The last octet of the padding contains a count of how many padding
    // octets should be ignored, including itself."
    paddingLength = bytes[bytes.length - 1] as number;
    if (paddingLength === 0 || paddingLength > bytes.length - offset) {
      throw new RtpDecodeError('RTP_BAD_PADDING', 'padding count is zero or exceeds the packet', { padding: paddingLength, available: bytes.length - offset });
    }
    end -= paddingLength;
  }
  return {
    payloadType: b1 & 0x7f,
    marker: (b1 & 0x80) !== 0,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    csrcs,
    ...(extension !== undefined ? { extension } : {}),
    payload: bytes.subarray(offset, end),
    paddingLength,
  };
}

function checkUint(name: string, value: number, bits: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new RtpDecodeError('RTP_BAD_ARGUMENT', `RTP ${name} out of range`, { [name]: value, bits });
  }
}

/** The packet as octets. Padding octets are zeros followed by the count. */
export function encodeRtp(packet: RtpPacket, limits: RtpLimits = DEFAULT_RTP_LIMITS): Uint8Array {
  checkUint('payloadType', packet.payloadType, 7);
  checkUint('sequenceNumber', packet.sequenceNumber, 16);
  checkUint('timestamp', packet.timestamp, 32);
  checkUint('ssrc', packet.ssrc, 32);
  if (packet.csrcs.length > 15) throw new RtpDecodeError('RTP_BAD_ARGUMENT', 'at most 15 CSRCs fit the CC field', { csrcCount: packet.csrcs.length });
  for (const c of packet.csrcs) checkUint('csrc', c, 32);
  checkUint('paddingLength', packet.paddingLength, 8);
  const ext = packet.extension;
  if (ext !== undefined) {
    checkUint('extensionProfile', ext.profile, 16);
    if (ext.data.length % 4 !== 0) throw new RtpDecodeError('RTP_BAD_ARGUMENT', 'extension data must be a multiple of 4 octets', { length: ext.data.length });
    if (ext.data.length > limits.maxExtensionSize) {
      throw new RtpDecodeError('RTP_LIMIT_EXCEEDED', 'RTP header extension too large', { size: ext.data.length, max: limits.maxExtensionSize });
    }
  }
  const size = RTP_HEADER_SIZE + 4 * packet.csrcs.length + (ext !== undefined ? 4 + ext.data.length : 0) + packet.payload.length + packet.paddingLength;
  if (size > limits.maxPacketSize) throw new RtpDecodeError('RTP_LIMIT_EXCEEDED', 'RTP packet too large', { size, max: limits.maxPacketSize });
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = (RTP_VERSION << 6) | (packet.paddingLength > 0 ? 0x20 : 0) | (ext !== undefined ? 0x10 : 0) | packet.csrcs.length;
  out[1] = (packet.marker ? 0x80 : 0) | packet.payloadType;
  view.setUint16(2, packet.sequenceNumber);
  view.setUint32(4, packet.timestamp);
  view.setUint32(8, packet.ssrc);
  let offset = RTP_HEADER_SIZE;
  for (const c of packet.csrcs) {
    view.setUint32(offset, c);
    offset += 4;
  }
  if (ext !== undefined) {
    view.setUint16(offset, ext.profile);
    view.setUint16(offset + 2, ext.data.length / 4);
    out.set(ext.data, offset + 4);
    offset += 4 + ext.data.length;
  }
  out.set(packet.payload, offset);
  if (packet.paddingLength > 0) out[size - 1] = packet.paddingLength;
  return out;
}

/**
 * Whether a datagram looks like RTP rather than RTCP (RFC 5761 4: payload type octets
 * 192-223 are RTCP when both share a port) or STUN (first two bits 00).
 */
export function looksLikeRtp(bytes: Uint8Array): boolean {
  if (bytes.length < RTP_HEADER_SIZE || (bytes[0] as number) >> 6 !== RTP_VERSION) return false;
  const pt = bytes[1] as number;
  return !(pt >= 192 && pt <= 223);
}
