/**
 * The one error type of the T.30 frame codecs (HDLC frames, DIS/DTC/DCS, identities, ECM
 * frames). Codes are stable; messages read `what failed [key:value, key:value]`.
 */
import { CodecError } from '../codec-error.ts';

export type T30ErrorCode =
  /** The frame or field ended early. */
  | 'T30_TRUNCATED'
  /** Address octet other than 0xFF, or control octet other than 0x03/0x13. */
  | 'T30_BAD_HEADER'
  /** The frame check sequence does not match. */
  | 'T30_BAD_FCS'
  /** A field that cannot be what the frame says it is (wrong FCF for the decoder, bad PPS). */
  | 'T30_MALFORMED'
  /** A size limit was exceeded. */
  | 'T30_LIMIT_EXCEEDED'
  /** A value the encoder cannot put on the wire (identity too long, frame number > 255). */
  | 'T30_BAD_ARGUMENT';

export class T30DecodeError extends CodecError<T30ErrorCode> {
  override readonly name = 'T30DecodeError';
}
