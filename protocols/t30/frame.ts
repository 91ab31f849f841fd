/**
 * T.30 HDLC frames (T.30 5.3): address 0xFF, control 0x03 (more frames follow) or 0x13
 * (final frame of the sequence: the sender now waits for a response), the facsimile
 * control field (FCF) and the facsimile information field (FIF), then on a real line the
 * 16-bit FCS.
 *
 *   ff 13 80 00 ee f8 ...     DIS (final), FIF = the capability bits
 *   ff 03 43 30 30 31 ...     TSI (not final, X=1: sent by the caller), FIF = identity
 *
 * Octet values are in HDLC order, as SpanDSP's T.30 logs print them: the first bit on the
 * line is the least significant. T.38 carries HDLC octets with the first bit in the most
 * significant position (SpanDSP sends DIS's control octet 0x13 as hdlc-data 0xc8), so the
 * T.38 terminal passes octets through `reverseBitsInOctets` on the way in and out.
 *
 * Bit stuffing (a 0 after five 1s) and the 0x7E flags are the modem's business: T.38
 * carries the frame content octets, so this codec never sees them.
 */
import { appendFcs, checkFcs } from './crc.ts';
import { T30DecodeError } from './errors.ts';
import { fcfOctet, parseFcf, type FcfName } from './fcf.ts';

export const HDLC_ADDRESS = 0xff;
export const CONTROL_NOT_FINAL = 0x03;
export const CONTROL_FINAL = 0x13;

export interface T30Frame {
  /** Control 0x13: the last frame of the sequence. */
  final: boolean;
  /** The FCF octet as received, X bit included. */
  fcfOctet: number;
  /** Undefined when the FCF is not one this codec knows: such frames are still returned. */
  fcf: FcfName | undefined;
  /** The X bit, for frames that have one. */
  x: boolean | undefined;
  fif: Uint8Array;
}

export type T30FrameInit =
  | { fcf: FcfName; x?: boolean; final?: boolean; fif?: Uint8Array }
  | { fcfOctet: number; final?: boolean; fif?: Uint8Array };

export interface T30FrameLimits {
  /** Longest frame accepted, address to end of FIF. ECM FCD frames are 4 + 256 octets. */
  maxFrameSize: number;
}

export const DEFAULT_T30_FRAME_LIMITS: Readonly<T30FrameLimits> = Object.freeze({ maxFrameSize: 512 });

export interface T30FrameOptions {
  /** The frame ends with its 2 FCS octets (audio path); over T.38 it does not. */
  fcs?: boolean;
  limits?: Partial<T30FrameLimits>;
}

export function decodeFrame(bytes: Uint8Array, options: T30FrameOptions = {}): T30Frame {
  const limits = { ...DEFAULT_T30_FRAME_LIMITS, ...options.limits };
  let body = bytes;
  if (options.fcs === true) {
    if (bytes.length < 5) throw new T30DecodeError('T30_TRUNCATED', 'HDLC frame too short for its FCS', { length: bytes.length });
    if (!checkFcs(bytes)) throw new T30DecodeError('T30_BAD_FCS', 'HDLC frame check sequence mismatch', { length: bytes.length });
    body = bytes.subarray(0, bytes.length - 2);
  }
  if (body.length < 3) throw new T30DecodeError('T30_TRUNCATED', 'HDLC frame shorter than address, control and FCF', { length: body.length });
  if (body.length > limits.maxFrameSize) {
    throw new T30DecodeError('T30_LIMIT_EXCEEDED', 'HDLC frame too long', { length: body.length, limit: limits.maxFrameSize });
  }
  const [address, control, octet] = [body[0] ?? 0, body[1] ?? 0, body[2] ?? 0];
  if (address !== HDLC_ADDRESS) throw new T30DecodeError('T30_BAD_HEADER', 'HDLC address is not 0xFF', { address });
  if (control !== CONTROL_NOT_FINAL && control !== CONTROL_FINAL) {
    throw new T30DecodeError('T30_BAD_HEADER', 'HDLC control is neither 0x03 nor 0x13', { control });
  }
  const known = parseFcf(octet);
  return { final: control === CONTROL_FINAL, fcfOctet: octet, fcf: known?.name, x: known?.x, fif: body.slice(3) };
}

export function encodeFrame(frame: T30FrameInit, options: { fcs?: boolean } = {}): Uint8Array {
  const octet = 'fcf' in frame ? fcfOctet(frame.fcf, frame.x ?? false) : frame.fcfOctet;
  if (!Number.isInteger(octet) || octet < 0 || octet > 0xff) throw new T30DecodeError('T30_BAD_ARGUMENT', 'FCF octet out of range', { fcf: octet });
  const fif = frame.fif ?? new Uint8Array(0);
  const out = new Uint8Array(3 + fif.length);
  out[0] = HDLC_ADDRESS;
  out[1] = frame.final === false ? CONTROL_NOT_FINAL : CONTROL_FINAL;
  out[2] = octet;
  out.set(fif, 3);
  return options.fcs === true ? appendFcs(out) : out;
}

const REVERSED = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let r = 0;
    for (let b = 0; b < 8; b++) if (i & (1 << b)) r |= 0x80 >> b;
    t[i] = r;
  }
  return t;
})();

/** Mirrors the bits of every octet: HDLC order <-> T.38 hdlc-data order (see the module comment). */
export function reverseBitsInOctets(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => REVERSED[b] ?? 0);
}
