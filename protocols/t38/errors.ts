/**
 * The one error type the T.38 IFP codec throws, on decode and on encode alike (an encode
 * error means the packet cannot be expressed on the wire, e.g. a V.34 indicator in T.38
 * version 0). Codes are stable; messages read `what failed [key:value, key:value]`.
 */
import { CodecError } from '../codec-error.ts';

export type T38ErrorCode =
  /** The packet ended before a field it announces. */
  | 'T38_TRUNCATED'
  /** Bytes left over after a complete IFP packet. */
  | 'T38_TRAILING_BYTES'
  /** An indicator, data type or field type outside the ASN.1 of the negotiated version. */
  | 'T38_UNKNOWN_VALUE'
  /** A value the negotiated T.38 version cannot carry (V.8/V.34/V.33 names in version 0). */
  | 'T38_NOT_IN_VERSION'
  /** A size limit of the decoder was exceeded (packet, fields, field length). */
  | 'T38_LIMIT_EXCEEDED'
  /** Structurally invalid: a t30-data packet without fields, an empty field-data, a PER fragment. */
  | 'T38_MALFORMED';

export class T38DecodeError extends CodecError<T38ErrorCode> {
  override readonly name = 'T38DecodeError';
}
