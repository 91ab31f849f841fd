/**
 * Builds outgoing UDPTL datagrams from IFPs, with the error recovery the session
 * negotiated (SDP `T38FaxUdpEC`): copies of the previous IFPs (t38UDPRedundancy) or parity
 * FEC (t38UDPFEC). Pure: it keeps the recent IFPs and numbers the packets; the caller sends.
 */
import { UdptlDecodeError } from './errors.ts';
import { fecCoveredSeqs, xorParity } from './fec.ts';
import { encodeUdptl, type UdptlPacket } from './packet.ts';

export type UdptlErrorCorrection =
  | { mode: 'none' }
  /** Each packet carries up to `depth` previous IFPs, most recent first. */
  | { mode: 'redundancy'; depth: number }
  /** Each packet carries `entries` parity entries, each over `span` earlier packets. */
  | { mode: 'fec'; span: number; entries: number };

export interface UdptlSenderOptions {
  errorCorrection: UdptlErrorCorrection;
  /** First sequence number; any value works (Cisco starts at 32768). */
  startSeq?: number;
  /**
   * Largest datagram to build (SDP T38FaxMaxDatagram, when the far end means UDPTL size).
   * Redundancy is trimmed, oldest first, to fit; the primary is always sent.
   */
  maxDatagramSize?: number;
}

const HISTORY = 256;

export class UdptlSender {
  private seq: number;
  private sent = 0;
  private readonly history = new Map<number, Uint8Array>();
  private readonly ec: UdptlErrorCorrection;
  private readonly maxDatagramSize: number;

  constructor(options: UdptlSenderOptions) {
    const ec = options.errorCorrection;
    if (ec.mode === 'redundancy' && (!Number.isInteger(ec.depth) || ec.depth < 0 || ec.depth > 16)) {
      throw new UdptlDecodeError('UDPTL_BAD_ARGUMENT', 'redundancy depth out of range', { depth: ec.depth });
    }
    if (ec.mode === 'fec' && (!Number.isInteger(ec.span) || !Number.isInteger(ec.entries) || ec.span < 1 || ec.entries < 1 || ec.span * ec.entries > 64)) {
      throw new UdptlDecodeError('UDPTL_BAD_ARGUMENT', 'FEC span/entries out of range', { span: ec.span, entries: ec.entries });
    }
    const start = options.startSeq ?? 0;
    if (!Number.isInteger(start) || start < 0 || start > 0xffff) {
      throw new UdptlDecodeError('UDPTL_BAD_ARGUMENT', 'start sequence number out of range', { startSeq: start });
    }
    this.seq = start;
    this.ec = ec;
    this.maxDatagramSize = options.maxDatagramSize ?? Number.POSITIVE_INFINITY;
  }

  /** The sequence number the next packet will carry. */
  get nextSeq(): number {
    return this.seq;
  }

  /** The packet (structure) for the next IFP; `encode` turns it into a datagram. */
  nextPacket(ifp: Uint8Array): UdptlPacket {
    const seq = this.seq;
    let packet: UdptlPacket;
    switch (this.ec.mode) {
      case 'none':
        packet = { seq, primary: ifp, redundancy: [] };
        break;
      case 'redundancy': {
        const redundancy: Uint8Array[] = [];
        const available = Math.min(this.ec.depth, this.sent);
        for (let i = 1; i <= available; i++) {
          const earlier = this.history.get((seq - i) & 0xffff);
          if (earlier === undefined) break;
          redundancy.push(earlier);
        }
        packet = { seq, primary: ifp, redundancy };
        while ((packet.redundancy?.length ?? 0) > 0 && encodeUdptl(packet).length > this.maxDatagramSize) {
          packet = { seq, primary: ifp, redundancy: redundancy.slice(0, (packet.redundancy?.length ?? 1) - 1) };
        }
        break;
      }
      case 'fec': {
        // Wind up like the other stacks: until span*entries packets exist, cover fewer.
        let { span, entries } = this.ec;
        if (this.sent < span * entries) {
          entries = Math.floor(this.sent / span);
          if (entries === 0) span = 0;
        }
        const data: Uint8Array[] = [];
        for (let m = 0; m < entries; m++) {
          const group = fecCoveredSeqs(seq, span, entries, m).map((s) => this.history.get(s) ?? new Uint8Array(0));
          data.push(xorParity(group));
        }
        packet = { seq, primary: ifp, fec: { npackets: span, data } };
        break;
      }
    }
    this.history.set(seq, ifp);
    this.history.delete((seq - HISTORY) & 0xffff);
    this.seq = (seq + 1) & 0xffff;
    this.sent++;
    return packet;
  }

  /** Encodes the next IFP as a UDPTL datagram. */
  next(ifp: Uint8Array): Uint8Array {
    return encodeUdptl(this.nextPacket(ifp));
  }
}
