/**
 * The parity FEC scheme used with UDPTL `fec-info` by SpanDSP, Asterisk and FreeSWITCH
 * (T.38 leaves the choice of packets to the sender; these stacks agree on this one):
 * a packet with sequence number `seq` carrying `entries` FEC entries and `fec-npackets =
 * span` has, for each m in 0..entries-1, the XOR of the IFPs
 *
 *     seq + m - entries*k   for k = 1..span
 *
 * i.e. `entries` interleaved groups of `span` earlier packets. Shorter IFPs count as if
 * padded with zeros, so an entry is as long as the longest IFP of its group, and a packet
 * rebuilt from it comes back zero-padded to that length.
 */

/** Sequence numbers (16-bit, wrapping) covered by FEC entry `m` of packet `seq`. */
export function fecCoveredSeqs(seq: number, span: number, entries: number, m: number): number[] {
  const out: number[] = [];
  for (let k = span; k >= 1; k--) out.push((seq + m - entries * k) & 0xffff);
  return out;
}

export function xorInto(target: Uint8Array, source: Uint8Array): void {
  const n = Math.min(target.length, source.length);
  for (let i = 0; i < n; i++) target[i] = (target[i] ?? 0) ^ (source[i] ?? 0);
}

/** XOR of packets of different lengths, as long as the longest. */
export function xorParity(packets: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(packets.reduce((n, p) => Math.max(n, p.length), 0));
  for (const p of packets) xorInto(out, p);
  return out;
}
