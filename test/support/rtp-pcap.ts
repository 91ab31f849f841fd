/**
 * A G.711 fax tone as a capture file, for SIPp's `<exec play_pcap_audio="..."/>`: classic
 * libpcap format (not pcapng: SIPp opens it with pcap_open_offline and reads Ethernet,
 * Linux cooked or raw IP link types), Ethernet / IPv4 / UDP / RTP, one packet per 20 ms.
 *
 * SIPp replays the packets as they are, RTP header included (its thread only rewrites the
 * UDP ports to the call's media ports and recomputes the UDP checksum), paced by the
 * capture timestamps. So everything a receiver checks must be right in the file: sequence
 * numbers +1 per packet, RTP timestamps +160 per packet, one SSRC, the marker on the first
 * packet, and capture times 20 ms apart.
 *
 * As a command, it writes a file for running a scenario by hand:
 *   node --import tsx test/support/rtp-pcap.ts cng /tmp/cng.pcap [pcmu|pcma] [seconds]
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PCMA_PAYLOAD_TYPE, PCMU_PAYLOAD_TYPE, type G711Law } from '../../protocols/g711/index.ts';
import { encodeRtp } from '../../protocols/rtp/index.ts';
import { ANSAM, CED, CNG, FRAME_SAMPLES, ToneGenerator, type ToneSpec } from '../../telephony/media/index.ts';

export interface TonePcapOptions {
  /** CNG (1100 Hz, 0.5 s on / 3 s off), CED (2100 Hz) or ANSam, or any pattern. */
  readonly tone: ToneSpec;
  readonly law: G711Law;
  /** Length of the capture (CNG's pattern repeats; CED is silence after its 3.3 s). */
  readonly durationMs: number;
  readonly ssrc?: number;
  readonly initialSequence?: number;
  readonly initialTimestamp?: number;
  /** Capture time of the first packet, in ms since the epoch (SIPp only uses differences). */
  readonly startMs?: number;
  readonly src?: { readonly ip: string; readonly port: number };
  readonly dst?: { readonly ip: string; readonly port: number };
}

/** The values a test can check on the far side: what SIPp will send. */
export const TONE_PCAP_DEFAULTS = { ssrc: 0x0fa7c0de, initialSequence: 1000, initialTimestamp: 160_000 } as const;

export const TONES: Readonly<Record<'cng' | 'ced' | 'ansam', ToneSpec>> = { cng: CNG, ced: CED, ansam: ANSAM };

const PTIME_MS = 20;
const ETHERNET = 14;
const IPV4 = 20;
const UDP = 8;

/** The capture file's bytes. */
export function tonePcap(o: TonePcapOptions): Uint8Array {
  const generator = new ToneGenerator(o.tone);
  const payloadType = o.law === 'ulaw' ? PCMU_PAYLOAD_TYPE : PCMA_PAYLOAD_TYPE;
  const ssrc = o.ssrc ?? TONE_PCAP_DEFAULTS.ssrc;
  const seq0 = o.initialSequence ?? TONE_PCAP_DEFAULTS.initialSequence;
  const ts0 = o.initialTimestamp ?? TONE_PCAP_DEFAULTS.initialTimestamp;
  const startUs = (o.startMs ?? Date.UTC(2026, 0, 1)) * 1000;
  const src = o.src ?? { ip: '192.0.2.1', port: 6000 };
  const dst = o.dst ?? { ip: '192.0.2.2', port: 6000 };
  const count = Math.ceil(o.durationMs / PTIME_MS);
  const records: Uint8Array[] = [fileHeader()];
  for (let n = 0; n < count; n++) {
    const rtp = encodeRtp({
      payloadType,
      marker: n === 0,
      sequenceNumber: (seq0 + n) & 0xffff,
      timestamp: (ts0 + n * FRAME_SAMPLES) >>> 0,
      ssrc,
      csrcs: [],
      payload: generator.nextG711(o.law),
      paddingLength: 0,
    });
    records.push(packetRecord(startUs + n * PTIME_MS * 1000, frame(src, dst, n, rtp)));
  }
  return concat(records);
}

export function writeTonePcap(path: string, o: TonePcapOptions): void {
  writeFileSync(path, tonePcap(o));
}

/** pcap global header, little-endian (the magic tells readers the byte order). */
function fileHeader(): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xa1b2c3d4, true); // microsecond timestamps
  v.setUint16(4, 2, true); // version 2.4
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true); // thiszone: UTC
  v.setUint32(12, 0, true); // sigfigs
  v.setUint32(16, 65535, true); // snaplen: nothing truncated (SIPp refuses truncated packets)
  v.setUint32(20, 1, true); // LINKTYPE_ETHERNET
  return b;
}

function packetRecord(timeUs: number, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(16 + data.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, Math.floor(timeUs / 1e6), true);
  v.setUint32(4, timeUs % 1e6, true);
  v.setUint32(8, data.length, true); // captured
  v.setUint32(12, data.length, true); // on the wire
  b.set(data, 16);
  return b;
}

function frame(src: { ip: string; port: number }, dst: { ip: string; port: number }, id: number, rtp: Uint8Array): Uint8Array {
  const b = new Uint8Array(ETHERNET + IPV4 + UDP + rtp.length);
  const v = new DataView(b.buffer);
  // Ethernet: locally administered MACs, EtherType IPv4.
  b.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01], 0);
  v.setUint16(12, 0x0800);
  const ip = ETHERNET;
  v.setUint8(ip, 0x45); // version 4, 5 words
  v.setUint16(ip + 2, IPV4 + UDP + rtp.length);
  v.setUint16(ip + 4, id & 0xffff);
  v.setUint16(ip + 6, 0x4000); // don't fragment
  v.setUint8(ip + 8, 64); // TTL
  v.setUint8(ip + 9, 17); // UDP
  b.set(ipBytes(src.ip), ip + 12);
  b.set(ipBytes(dst.ip), ip + 16);
  v.setUint16(ip + 10, checksum(b.subarray(ip, ip + IPV4)));
  const udp = ip + IPV4;
  v.setUint16(udp, src.port);
  v.setUint16(udp + 2, dst.port);
  v.setUint16(udp + 4, UDP + rtp.length);
  b.set(rtp, udp + UDP);
  // RFC 768: the checksum covers a pseudo-header (addresses, protocol, length) and the datagram.
  const pseudo = new Uint8Array(12 + UDP + rtp.length);
  pseudo.set(b.subarray(ip + 12, ip + 20), 0);
  pseudo[9] = 17;
  new DataView(pseudo.buffer).setUint16(10, UDP + rtp.length);
  pseudo.set(b.subarray(udp), 12);
  v.setUint16(udp + 6, checksum(pseudo) || 0xffff);
  return b;
}

function ipBytes(ip: string): number[] {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new RangeError(`not an IPv4 address [ip:${ip}]`);
  return parts;
}

/** The Internet checksum (RFC 1071): one's complement of the one's complement sum of 16-bit words. */
export function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] as number) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [name, path, law = 'pcmu', seconds] = process.argv.slice(2);
  const tone = TONES[name as keyof typeof TONES];
  if (tone === undefined || path === undefined || (law !== 'pcmu' && law !== 'pcma')) {
    process.stderr.write('usage: rtp-pcap.ts cng|ced|ansam FILE.pcap [pcmu|pcma] [seconds]\n');
    process.exit(2);
  }
  const durationMs = seconds === undefined ? (tone === CNG ? 7000 : 4000) : Number(seconds) * 1000;
  writeTonePcap(path, { tone, law: law === 'pcmu' ? 'ulaw' : 'alaw', durationMs });
}
