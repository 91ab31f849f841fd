/**
 * UDPTL packets (ITU-T T.38 clause 9.1 and Annex... the UDPTL ASN.1), PER ALIGNED:
 *
 *   UDPTLPacket ::= SEQUENCE {
 *     seq-number          INTEGER (0..65535),                       -- 2 octets
 *     primary-ifp-packet  TYPE-IDENTIFIER.&Type(IFPPacket),         -- open type: length + octets
 *     error-recovery      CHOICE {                                  -- 1 bit, then octet alignment
 *       secondary-ifp-packets SEQUENCE OF TYPE-IDENTIFIER.&Type(IFPPacket),  -- most recent first
 *       fec-info SEQUENCE {
 *         fec-npackets INTEGER,                                     -- length + two's complement
 *         fec-data     SEQUENCE OF OCTET STRING } } }
 *
 *   0x00 0x06  0x01 0x06  0x00 0x01 0x01 0x00
 *   seq=6      primary: 1 octet (v21-preamble)  redundancy, 1 secondary: 1 octet (no-signal)
 *
 * Lengths are X.691 unconstrained length determinants: one octet below 128, two octets
 * (10xxxxxx xxxxxxxx) below 16384; fragments (T.38 datagrams never need them) are refused.
 * The IFPs are carried as opaque octets: this layer does not depend on the IFP codec.
 */
import { UdptlDecodeError } from './errors.ts';

export interface UdptlFec {
  /** fec-npackets: how many earlier packets each FEC entry covers (the span). */
  npackets: number;
  /** One XOR parity entry per interleaved group; see sender.ts for which packets each covers. */
  data: Uint8Array[];
}

export interface UdptlPacket {
  seq: number;
  primary: Uint8Array;
  /** secondary-ifp-packets: copies of the previous IFPs, seq-1 first. */
  redundancy?: Uint8Array[];
  fec?: UdptlFec;
}

export interface UdptlLimits {
  maxDatagramSize: number;
  maxIfpSize: number;
  maxSecondaryPackets: number;
  maxFecEntries: number;
  maxFecSpan: number;
}

export const DEFAULT_UDPTL_LIMITS: Readonly<UdptlLimits> = Object.freeze({
  maxDatagramSize: 16384,
  maxIfpSize: 4096,
  // SpanDSP and Asterisk keep 16 packets of history; nobody sends deeper redundancy.
  maxSecondaryPackets: 16,
  maxFecEntries: 16,
  maxFecSpan: 64,
});

class OctetReader {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  byte(what: string): number {
    const b = this.bytes[this.pos];
    if (b === undefined) {
      throw new UdptlDecodeError('UDPTL_TRUNCATED', `UDPTL packet ended inside ${what}`, { at: this.pos, length: this.bytes.length });
    }
    this.pos++;
    return b;
  }

  length(what: string): number {
    const first = this.byte(what);
    if ((first & 0x80) === 0) return first;
    if ((first & 0x40) === 0) return ((first & 0x3f) << 8) | this.byte(what);
    throw new UdptlDecodeError('UDPTL_MALFORMED', `fragmented length in ${what}`, { at: this.pos - 1 });
  }

  octets(n: number, what: string): Uint8Array {
    if (this.pos + n > this.bytes.length) {
      throw new UdptlDecodeError('UDPTL_TRUNCATED', `UDPTL packet ended inside ${what}`, {
        at: this.pos,
        need: n,
        length: this.bytes.length,
      });
    }
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }
}

export function decodeUdptl(bytes: Uint8Array, limits: Partial<UdptlLimits> = {}): UdptlPacket {
  const lim = { ...DEFAULT_UDPTL_LIMITS, ...limits };
  if (bytes.length > lim.maxDatagramSize) {
    throw new UdptlDecodeError('UDPTL_LIMIT_EXCEEDED', 'UDPTL datagram too large', { length: bytes.length, limit: lim.maxDatagramSize });
  }
  const r = new OctetReader(bytes);
  const seq = (r.byte('seq-number') << 8) | r.byte('seq-number');
  const primary = readIfp(r, lim, 'primary-ifp-packet');
  // The low 7 bits are alignment padding: X.691 says zero, receivers (Asterisk, SpanDSP) ignore them.
  const choice = r.byte('error-recovery');
  let packet: UdptlPacket;
  if ((choice & 0x80) === 0) {
    const count = r.length('secondary-ifp-packets count');
    if (count > lim.maxSecondaryPackets) {
      throw new UdptlDecodeError('UDPTL_LIMIT_EXCEEDED', 'too many secondary IFP packets', { count, limit: lim.maxSecondaryPackets });
    }
    const redundancy: Uint8Array[] = [];
    for (let i = 0; i < count; i++) redundancy.push(readIfp(r, lim, `secondary-ifp-packets[${i}]`));
    packet = { seq, primary, redundancy };
  } else {
    const intLength = r.length('fec-npackets length');
    if (intLength < 1 || intLength > 4) {
      throw new UdptlDecodeError('UDPTL_MALFORMED', 'bad fec-npackets length', { length: intLength });
    }
    const raw = r.octets(intLength, 'fec-npackets');
    if (((raw[0] ?? 0) & 0x80) !== 0) throw new UdptlDecodeError('UDPTL_MALFORMED', 'negative fec-npackets');
    const npackets = raw.reduce((v, b) => v * 256 + b, 0);
    if (npackets > lim.maxFecSpan) {
      throw new UdptlDecodeError('UDPTL_LIMIT_EXCEEDED', 'fec-npackets too large', { npackets, limit: lim.maxFecSpan });
    }
    const count = r.length('fec-data count');
    if (count > lim.maxFecEntries) {
      throw new UdptlDecodeError('UDPTL_LIMIT_EXCEEDED', 'too many fec-data entries', { count, limit: lim.maxFecEntries });
    }
    const data: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const n = r.length(`fec-data[${i}] length`);
      if (n > lim.maxIfpSize) {
        throw new UdptlDecodeError('UDPTL_LIMIT_EXCEEDED', 'fec-data entry too large', { entry: i, length: n, limit: lim.maxIfpSize });
      }
      data.push(r.octets(n, `fec-data[${i}]`));
    }
    packet = { seq, primary, fec: { npackets, data } };
  }
  if (r.remaining > 0) {
    throw new UdptlDecodeError('UDPTL_TRAILING_BYTES', 'bytes after the UDPTL packet', { used: r.pos, length: bytes.length });
  }
  return packet;
}

function readIfp(r: OctetReader, lim: UdptlLimits, what: string): Uint8Array {
  const n = r.length(`${what} length`);
  if (n === 0) throw new UdptlDecodeError('UDPTL_MALFORMED', `empty ${what}`);
  if (n > lim.maxIfpSize) throw new UdptlDecodeError('UDPTL_LIMIT_EXCEEDED', `${what} too large`, { length: n, limit: lim.maxIfpSize });
  return r.octets(n, what);
}

export function encodeUdptl(packet: UdptlPacket): Uint8Array {
  if (!Number.isInteger(packet.seq) || packet.seq < 0 || packet.seq > 0xffff) {
    throw new UdptlDecodeError('UDPTL_BAD_ARGUMENT', 'seq-number out of range', { seq: packet.seq });
  }
  if (packet.primary.length === 0) throw new UdptlDecodeError('UDPTL_BAD_ARGUMENT', 'empty primary IFP');
  const out: number[] = [packet.seq >> 8, packet.seq & 0xff];
  pushOpen(out, packet.primary, 'primary-ifp-packet');
  if (packet.fec !== undefined) {
    const { npackets, data } = packet.fec;
    if (!Number.isInteger(npackets) || npackets < 0 || npackets > 0x7fffffff) {
      throw new UdptlDecodeError('UDPTL_BAD_ARGUMENT', 'fec-npackets out of range', { npackets });
    }
    out.push(0x80);
    const intOctets: number[] = [];
    let v = npackets;
    do {
      intOctets.unshift(v & 0xff);
      v = Math.floor(v / 256);
    } while (v > 0);
    // Two's complement: a leading 1 bit would read as negative.
    if (((intOctets[0] ?? 0) & 0x80) !== 0) intOctets.unshift(0);
    pushLength(out, intOctets.length, 'fec-npackets');
    out.push(...intOctets);
    pushLength(out, data.length, 'fec-data count');
    for (const entry of data) pushOpen(out, entry, 'fec-data', true);
  } else {
    const redundancy = packet.redundancy ?? [];
    out.push(0x00);
    pushLength(out, redundancy.length, 'secondary-ifp-packets count');
    for (const ifp of redundancy) pushOpen(out, ifp, 'secondary-ifp-packet');
  }
  return Uint8Array.from(out);
}

function pushLength(out: number[], n: number, what: string): void {
  if (n < 0x80) out.push(n);
  else if (n < 0x4000) out.push(0x80 | (n >> 8), n & 0xff);
  else throw new UdptlDecodeError('UDPTL_LIMIT_EXCEEDED', `${what} too long to encode without fragments`, { length: n });
}

function pushOpen(out: number[], bytes: Uint8Array, what: string, allowEmpty = false): void {
  if (bytes.length === 0 && !allowEmpty) throw new UdptlDecodeError('UDPTL_BAD_ARGUMENT', `empty ${what}`);
  pushLength(out, bytes.length, what);
  for (const b of bytes) out.push(b);
}
