/**
 * T.30 frames as T.38 carries them: HDLC frames with their FCF table, FCS, the DIS/DTC/DCS
 * capability bits, identities, ECM frames, and the pure phase B decisions (DCS choice,
 * rate fallback). Pure: no sockets, timers or files.
 */
export { T30DecodeError, type T30ErrorCode } from './errors.ts';
export { appendFcs, checkFcs, crc16Itu } from './crc.ts';
export { FCF2, FCF_NAMES, FCF_WITHOUT_X, FCF_WITH_X, fcfOctet, hasXBit, parseFcf, parseFcf2, type Fcf2Name, type FcfName } from './fcf.ts';
export {
  CONTROL_FINAL,
  CONTROL_NOT_FINAL,
  DEFAULT_T30_FRAME_LIMITS,
  HDLC_ADDRESS,
  decodeFrame,
  encodeFrame,
  reverseBitsInOctets,
  type T30Frame,
  type T30FrameInit,
  type T30FrameLimits,
  type T30FrameOptions,
} from './frame.ts';
export { IDENT_LENGTH, decodeIdent, encodeIdent } from './ident.ts';
export {
  DEFAULT_DIS_LIMITS,
  baseDisCapabilities,
  dcsRateBits,
  decodeDcs,
  decodeDcsRate,
  decodeDis,
  encodeDcs,
  encodeDis,
  ratesOf,
  unnamedBits,
  type DcsParameters,
  type DisCapabilities,
  type DisLimits,
  type DisModemSet,
  type ImageModem,
  type MinScanLineTime,
  type ModemRate,
  type RecordingLength,
  type RecordingWidth,
} from './dis.ts';
export { FALLBACK_SEQUENCE, chooseDcs, commonRates, fallbackRate, type DcsPreferences } from './negotiate.ts';
export {
  ECM_MAX_FRAMES_PER_BLOCK,
  decodeCtc,
  decodeEor,
  decodeFcd,
  decodePpr,
  decodePps,
  encodeCtc,
  encodeEor,
  encodeFcd,
  encodePpr,
  encodePps,
  encodeRcp,
  type FcdFrame,
  type PpsInfo,
} from './ecm.ts';
