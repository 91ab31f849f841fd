/**
 * The one error type of the UDPTL codec and its sender/receiver helpers. Codes are stable;
 * messages read `what failed [key:value, key:value]`.
 */
import { CodecError } from '../codec-error.ts';

export type UdptlErrorCode =
  /** The datagram ended before a field it announces. */
  | 'UDPTL_TRUNCATED'
  /** Bytes left over after a complete UDPTL packet. */
  | 'UDPTL_TRAILING_BYTES'
  /** Structurally invalid: a fragmented length, a negative fec-npackets, an empty primary IFP. */
  | 'UDPTL_MALFORMED'
  /** A size limit was exceeded (datagram, IFP, secondary packets, FEC entries). */
  | 'UDPTL_LIMIT_EXCEEDED'
  /** A sender or receiver option out of range. */
  | 'UDPTL_BAD_ARGUMENT';

export class UdptlDecodeError extends CodecError<UdptlErrorCode> {
  override readonly name = 'UdptlDecodeError';
}
