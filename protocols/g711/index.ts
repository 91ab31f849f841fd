/**
 * ITU-T G.711 companding: µ-law (PCMU, RTP payload type 0) and A-law (PCMA, payload type 8).
 * Linear samples are 16-bit signed integers; µ-law carries 14 bits of them and A-law 13,
 * so the low bits are dropped on encode. Both directions are table lookups built once at
 * load (256 entries to decode, 65,536 to encode): a 20 ms frame is 160 array reads.
 * Pure: no I/O.
 */

/** RTP payload types of RFC 3551 for the two laws. */
export const PCMU_PAYLOAD_TYPE = 0;
export const PCMA_PAYLOAD_TYPE = 8;
export const G711_SAMPLE_RATE = 8000;

export type G711Law = 'ulaw' | 'alaw';

/**
 * Peak amplitude (16-bit linear) of a 0 dBm0 sine. The digital milliwatt sequences of G.711
 * (its 0 dBm0 reference) decode to peaks of 22,651 (µ-law) and 22,824 (A-law): this sits
 * within 0.1 dB of both.
 */
export const DBM0_PEAK = 22_700;

/** The linear amplitude of a sine at `dbm0` (e.g. -10 dBm0 is about 7,140). */
export function dbm0ToPeak(dbm0: number): number {
  return DBM0_PEAK * 10 ** (dbm0 / 20);
}

/** The level in dBm0 of a signal of the given RMS (16-bit linear). */
export function rmsToDbm0(rms: number): number {
  return 20 * Math.log10(rms / (DBM0_PEAK / Math.SQRT2));
}

// µ-law: the magnitude plus a bias of 132 is coded as a 3-bit segment (position of its
// leading one) and a 4-bit mantissa, sign in the top bit, the whole byte inverted.
const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

function ulawEncodeOne(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0x00;
  if (s < 0) s = -s;
  if (s > ULAW_CLIP) s = ULAW_CLIP;
  s += ULAW_BIAS;
  let segment = 7;
  for (let mask = 0x4000; (s & mask) === 0 && segment > 0; mask >>= 1) segment--;
  const mantissa = (s >> (segment + 3)) & 0x0f;
  return ~(sign | (segment << 4) | mantissa) & 0xff;
}

function ulawDecodeOne(byte: number): number {
  const u = ~byte & 0xff;
  const segment = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + ULAW_BIAS) << segment) - ULAW_BIAS;
  return (u & 0x80) !== 0 ? -magnitude : magnitude;
}

// A-law: 13-bit magnitude (one's complement for negatives), segment 0 and 1 share a step
// size; even bits inverted (XOR 0x55), sign bit set for positive samples.
const ALAW_SEGMENT_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff] as const;

function alawEncodeOne(sample: number): number {
  let s = sample >> 3;
  let mask: number;
  if (s >= 0) mask = 0xd5;
  else {
    mask = 0x55;
    s = -s - 1;
  }
  let segment = 0;
  while (segment < 8 && s > (ALAW_SEGMENT_END[segment] as number)) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  const mantissa = segment < 2 ? (s >> 1) & 0x0f : (s >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}

function alawDecodeOne(byte: number): number {
  const a = byte ^ 0x55;
  const segment = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  if (segment === 0) t += 8;
  else t = (t + 0x108) << (segment - 1);
  return (a & 0x80) !== 0 ? t : -t;
}

const ULAW_TO_LINEAR = new Int16Array(256);
const ALAW_TO_LINEAR = new Int16Array(256);
/** Indexed by the 16-bit sample as unsigned (sample & 0xffff). */
const LINEAR_TO_ULAW = new Uint8Array(65536);
const LINEAR_TO_ALAW = new Uint8Array(65536);

for (let b = 0; b < 256; b++) {
  ULAW_TO_LINEAR[b] = ulawDecodeOne(b);
  ALAW_TO_LINEAR[b] = alawDecodeOne(b);
}
for (let i = 0; i < 65536; i++) {
  const s = i >= 32768 ? i - 65536 : i;
  LINEAR_TO_ULAW[i] = ulawEncodeOne(s);
  LINEAR_TO_ALAW[i] = alawEncodeOne(s);
}

/** Clamps to 16 bits and rounds, so float signals (generators, filters) encode directly. */
function index(sample: number): number {
  const s = sample >= 32767 ? 32767 : sample <= -32768 ? -32768 : Math.round(sample);
  return s & 0xffff;
}

export function encodeUlaw(samples: ArrayLike<number>, out = new Uint8Array(samples.length)): Uint8Array {
  for (let i = 0; i < samples.length; i++) out[i] = LINEAR_TO_ULAW[index(samples[i] as number)] as number;
  return out;
}

export function decodeUlaw(bytes: Uint8Array, out = new Int16Array(bytes.length)): Int16Array {
  for (let i = 0; i < bytes.length; i++) out[i] = ULAW_TO_LINEAR[bytes[i] as number] as number;
  return out;
}

export function encodeAlaw(samples: ArrayLike<number>, out = new Uint8Array(samples.length)): Uint8Array {
  for (let i = 0; i < samples.length; i++) out[i] = LINEAR_TO_ALAW[index(samples[i] as number)] as number;
  return out;
}

export function decodeAlaw(bytes: Uint8Array, out = new Int16Array(bytes.length)): Int16Array {
  for (let i = 0; i < bytes.length; i++) out[i] = ALAW_TO_LINEAR[bytes[i] as number] as number;
  return out;
}

export function encodeG711(law: G711Law, samples: ArrayLike<number>): Uint8Array {
  return law === 'ulaw' ? encodeUlaw(samples) : encodeAlaw(samples);
}

export function decodeG711(law: G711Law, bytes: Uint8Array): Int16Array {
  return law === 'ulaw' ? decodeUlaw(bytes) : decodeAlaw(bytes);
}

/** The law of an RTP payload type, or undefined for anything else. */
export function lawForPayloadType(pt: number): G711Law | undefined {
  return pt === PCMU_PAYLOAD_TYPE ? 'ulaw' : pt === PCMA_PAYLOAD_TYPE ? 'alaw' : undefined;
}

/** The byte each law sends for silence (digital zero): 0xFF in µ-law, 0xD5 in A-law. */
export const SILENCE_BYTE: Readonly<Record<G711Law, number>> = { ulaw: 0xff, alaw: 0xd5 };
