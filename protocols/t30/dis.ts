/**
 * The FIF of DIS, DTC and DCS (T.30 Table 2). Bit n of the table is bit (n-1) % 8 of octet
 * (n-1) / 8, least significant first, as the octets travel in HDLC order. Octet 3 and every
 * later octet end with an "extend field" bit (bits 24, 32, 40, ...): 1 when another octet
 * follows. Any number of extension octets is read; bits this module does not name are kept
 * in `fif` and written back unchanged, so `encode(decode(x))` gives `x` back.
 *
 *   DIS from SpanDSP 0.0.6 (non-ECM):  00 ee f8 80 80 91 80 80 18
 *     ee: bit 10 ready to receive, 11-14 = 1,1,0,1 V.27ter+V.29+V.17, 15 fine, 16 MR
 *     f8: 17-18 = 0,0 1728 pels, 19-20 = 0,1 unlimited length, 21-23 = 1,1,1 0 ms, 24 extend
 *     91: bit 41 superfine (R8x15.4), 45 metric preferred, 48 extend
 */
import { T30DecodeError } from './errors.ts';

export type DisModemSet = 'v27ter-fallback' | 'v27ter' | 'v29' | 'v27ter+v29' | 'v27ter+v29+v17' | 'reserved';
export type ImageModem = 'v27ter' | 'v29' | 'v17';
export interface ModemRate {
  modem: ImageModem;
  bitRate: 2400 | 4800 | 7200 | 9600 | 12000 | 14400;
}
export type RecordingWidth = 1728 | 2048 | 2432 | 'invalid';
export type RecordingLength = 'a4' | 'b4' | 'unlimited' | 'invalid';
export interface MinScanLineTime {
  ms: 0 | 5 | 10 | 20 | 40;
  /** DIS/DTC only: at fine resolution the receiver needs only half of `ms`. */
  halfAtFine: boolean;
}

/** What DIS and DTC share: what the sender of the frame can do. */
export interface DisCapabilities {
  /** Bit 1: T.37 simple mode (Internet fax). */
  t37: boolean;
  /** Bit 3: T.38 (real-time Internet fax). */
  t38: boolean;
  /** Bit 6: V.8 capabilities (V.34 fax). faxgate never sets it over T.38. */
  v8: boolean;
  /** Bit 7: ECM frames of 64 octets preferred. */
  prefer64OctetFrames: boolean;
  /** Bit 9: a document is ready to be polled. */
  readyToTransmit: boolean;
  /** Bit 10: can receive. */
  readyToReceive: boolean;
  /** Bits 11-14: image modems. */
  modems: DisModemSet;
  /** Bits 11-14 as a number (bit 11 most significant), kept for the reserved values. */
  rateBits: number;
  /** Bit 15: R8 x 7.7 lines/mm (fine). */
  fine: boolean;
  /** Bit 16: two-dimensional coding (T.4 MR). */
  twoDimensional: boolean;
  /** Bits 17-18: widest recording width, in pels at R8 (A4 1728, B4 2048, A3 2432). */
  maxWidth: RecordingWidth;
  /** Bits 19-20: 'a4' = A4 only, 'b4' = A4 and B4, 'unlimited'. */
  maxLength: RecordingLength;
  /** Bits 21-23. */
  minScanLineTime: MinScanLineTime;
  /** Bit 26. */
  uncompressed: boolean;
  /** Bit 27: error correction mode (T.30 Annex A). */
  ecm: boolean;
  /** Bit 31: T.6 coding (MMR); only usable with ECM. */
  t6: boolean;
  /** Bit 33: field not valid (FNV) capability. */
  fnv: boolean;
  /** Bit 34. */
  multipleSelectivePolling: boolean;
  /** Bit 35: polled subaddress (PSA). */
  polledSubaddress: boolean;
  /** Bit 36: T.43 coding. */
  t43: boolean;
  /** Bit 41: R8 x 15.4 lines/mm (superfine). */
  superfine: boolean;
  /** Bit 42: 300 x 300 pels/25.4 mm. */
  r300x300: boolean;
  /** Bit 43: R16 x 15.4 lines/mm (400 x 400). */
  r16x15_4: boolean;
  /** Bit 44: inch-based resolution preferred. */
  inchBased: boolean;
  /** Bit 45: metric-based resolution preferred. */
  metricBased: boolean;
  /** Bit 46: minimum scan line time at the higher resolutions is half that of fine. */
  minScanTimeHalvedAtHigherResolution: boolean;
  /** Bit 47: selective polling (SEP). */
  selectivePolling: boolean;
  /** Bit 49: subaddressing (SUB). */
  subaddressing: boolean;
  /** Bit 50: password (PWD); in DTC: a password follows. */
  password: boolean;
  /** Bit 51: a data file is ready to be polled. */
  readyToTransmitDataFile: boolean;
  /** Bit 53: binary file transfer (T.434). */
  bft: boolean;
  /** Bit 68: JPEG coding. */
  jpeg: boolean;
  /** Bit 69: full colour. */
  fullColour: boolean;
  /** Bit 76: North American letter. */
  northAmericanLetter: boolean;
  /** Bit 77: North American legal. */
  northAmericanLegal: boolean;
  /** Bit 78: T.85 (JBIG). */
  t85: boolean;
  /** Bit 121: T.38 flow control (a T.38 gateway may send RNR/TNR). */
  t38FlowControl: boolean;
  /** Bit 123: Internet-aware fax device, T.38 capable (data rate bits do not bind it). */
  t38InternetAware: boolean;
  /** The FIF octets the capabilities came from; bits not named above live only here. */
  fif?: Uint8Array;
}

/** The choices a DCS imposes on the receiver. */
export interface DcsParameters {
  t37: boolean;
  t38: boolean;
  /** Bit 10: the receiver shall receive. */
  receive: boolean;
  /** Bits 11-14; `undefined` for the reserved values (see `rateBits`). */
  rate: ModemRate | undefined;
  rateBits: number;
  /** Resolution: bit 15 fine, 41 superfine, 42 300x300, 43 R16x15.4; none = standard. */
  resolution: 'standard' | 'fine' | 'superfine' | '300x300' | 'r16x15.4';
  /** Bit 44: the resolution is inch-based. */
  inchBased: boolean;
  /** Coding: bit 16 MR, bit 31 MMR (T.6), neither = MH. */
  compression: 'mh' | 'mr' | 'mmr';
  /** Bits 17-18. */
  width: RecordingWidth;
  /** Bits 19-20. */
  length: RecordingLength;
  /** Bits 21-23; DCS has no "half" variants. */
  minScanLineMs: 0 | 5 | 10 | 20 | 40;
  uncompressed: boolean;
  ecm: boolean;
  /** Bit 28: ECM frames of 64 octets instead of 256. */
  ecmFrameSize: 64 | 256;
  /** Bit 49: a SUB frame is sent. */
  subaddress: boolean;
  /** Bit 50: a SID frame is sent. */
  senderId: boolean;
  /** Bit 123: T.38 Internet-aware fax mode. */
  t38InternetAware: boolean;
  fif?: Uint8Array;
}

export interface DisLimits {
  /** Most FIF octets read (SpanDSP allows 22). */
  maxFifLength: number;
}
export const DEFAULT_DIS_LIMITS: Readonly<DisLimits> = Object.freeze({ maxFifLength: 32 });

// ---- bit access --------------------------------------------------------------------------

function bit(fif: Uint8Array, n: number): boolean {
  return (((fif[(n - 1) >> 3] ?? 0) >> ((n - 1) & 7)) & 1) === 1;
}

function setBit(fif: Uint8Array, n: number, on: boolean): void {
  const i = (n - 1) >> 3;
  const mask = 1 << ((n - 1) & 7);
  if (i >= fif.length) {
    if (on) throw new T30DecodeError('T30_BAD_ARGUMENT', 'bit outside the FIF', { bit: n, octets: fif.length });
    return;
  }
  fif[i] = on ? (fif[i] ?? 0) | mask : (fif[i] ?? 0) & ~mask;
}

/** Bits a..b read as a number, bit a most significant (as T.30 lists them). */
function bits(fif: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let n = from; n <= to; n++) v = (v << 1) | (bit(fif, n) ? 1 : 0);
  return v;
}

function setBits(fif: Uint8Array, from: number, to: number, v: number): void {
  for (let n = to; n >= from; n--) {
    setBit(fif, n, (v & 1) === 1);
    v >>= 1;
  }
}

/** Reads the octets that belong to the FIF: all of octets 1-3, then while "extend" is set. */
function readFif(bytes: Uint8Array, what: string, limits: DisLimits): Uint8Array {
  if (bytes.length < 2) throw new T30DecodeError('T30_TRUNCATED', `${what} shorter than 2 octets`, { length: bytes.length });
  let end = Math.min(bytes.length, 3);
  while (end < bytes.length && ((bytes[end - 1] ?? 0) & 0x80) !== 0) end++;
  if (end > limits.maxFifLength) {
    throw new T30DecodeError('T30_LIMIT_EXCEEDED', `${what} has too many extension octets`, { length: end, limit: limits.maxFifLength });
  }
  // Octets after one whose extend bit is 0 are not part of the field (T.30 5.3.6.2.1).
  return bytes.slice(0, end);
}

/** A FIF long enough for `highestBit`, with the extend bits of octets 3.. set consistently. */
function prepareFif(base: Uint8Array | undefined, highestBit: number): Uint8Array {
  const needed = Math.max(3, (highestBit + 7) >> 3);
  const length = Math.max(base?.length ?? 0, needed);
  const fif = new Uint8Array(length);
  if (base !== undefined) fif.set(base);
  return fif;
}

function finishFif(fif: Uint8Array, keepLength: number): Uint8Array {
  // Drop trailing octets with nothing in them, but never below the length we started from.
  let length = fif.length;
  while (length > Math.max(3, keepLength) && ((fif[length - 1] ?? 0) & 0x7f) === 0) length--;
  const out = fif.slice(0, length);
  for (let i = 2; i < out.length; i++) out[i] = i < out.length - 1 ? (out[i] ?? 0) | 0x80 : (out[i] ?? 0) & 0x7f;
  return out;
}


// ---- bits 11-14, 17-23 --------------------------------------------------------------------

const DIS_MODEM_SETS: Readonly<Record<number, DisModemSet>> = {
  0b0000: 'v27ter-fallback',
  0b0100: 'v27ter',
  0b1000: 'v29',
  0b1100: 'v27ter+v29',
  0b1101: 'v27ter+v29+v17',
};

const DCS_RATES: Readonly<Record<number, ModemRate>> = {
  0b0000: { modem: 'v27ter', bitRate: 2400 },
  0b0100: { modem: 'v27ter', bitRate: 4800 },
  0b1000: { modem: 'v29', bitRate: 9600 },
  0b1100: { modem: 'v29', bitRate: 7200 },
  0b0001: { modem: 'v17', bitRate: 14400 },
  0b0101: { modem: 'v17', bitRate: 12000 },
  0b1001: { modem: 'v17', bitRate: 9600 },
  0b1101: { modem: 'v17', bitRate: 7200 },
};

/** The rates a DIS modem set offers, fastest first. */
export function ratesOf(modems: DisModemSet): ModemRate[] {
  const v17: ModemRate[] = [14400, 12000, 9600, 7200].map((bitRate) => ({ modem: 'v17', bitRate }) as ModemRate);
  const v29: ModemRate[] = [{ modem: 'v29', bitRate: 9600 }, { modem: 'v29', bitRate: 7200 }];
  const v27: ModemRate[] = [{ modem: 'v27ter', bitRate: 4800 }, { modem: 'v27ter', bitRate: 2400 }];
  switch (modems) {
    case 'v27ter-fallback':
      return [{ modem: 'v27ter', bitRate: 2400 }];
    case 'v27ter':
      return v27;
    case 'v29':
      return v29;
    case 'v27ter+v29':
      return [...v29, ...v27];
    case 'v27ter+v29+v17':
      return [...v17, ...v29, ...v27];
    case 'reserved':
      return [{ modem: 'v27ter', bitRate: 2400 }];
  }
}

export function dcsRateBits(rate: ModemRate): number {
  for (const [k, v] of Object.entries(DCS_RATES)) if (v.modem === rate.modem && v.bitRate === rate.bitRate) return Number(k);
  throw new T30DecodeError('T30_BAD_ARGUMENT', 'no DCS code for this modem and rate', { modem: rate.modem, bitRate: rate.bitRate });
}

export function decodeDcsRate(rateBits: number): ModemRate | undefined {
  const r = DCS_RATES[rateBits];
  return r === undefined ? undefined : { ...r };
}

const WIDTHS: readonly RecordingWidth[] = [1728, 2432, 2048, 'invalid']; // bits 17,18 = 00, 01, 10, 11
const LENGTHS: readonly RecordingLength[] = ['a4', 'unlimited', 'b4', 'invalid']; // bits 19,20

const SCAN_TIMES: readonly MinScanLineTime[] = [
  { ms: 20, halfAtFine: false }, // 000
  { ms: 40, halfAtFine: false }, // 001
  { ms: 10, halfAtFine: false }, // 010
  { ms: 10, halfAtFine: true }, // 011
  { ms: 5, halfAtFine: false }, // 100
  { ms: 40, halfAtFine: true }, // 101
  { ms: 20, halfAtFine: true }, // 110
  { ms: 0, halfAtFine: false }, // 111
];

function scanCode(t: MinScanLineTime): number {
  const i = SCAN_TIMES.findIndex((s) => s.ms === t.ms && s.halfAtFine === t.halfAtFine);
  if (i < 0) throw new T30DecodeError('T30_BAD_ARGUMENT', 'no code for this minimum scan line time', { ms: t.ms, half: String(t.halfAtFine) });
  return i;
}

// ---- DIS / DTC -----------------------------------------------------------------------------

const DIS_FLAGS: readonly (readonly [keyof DisCapabilities, number])[] = [
  ['t37', 1],
  ['t38', 3],
  ['v8', 6],
  ['prefer64OctetFrames', 7],
  ['readyToTransmit', 9],
  ['readyToReceive', 10],
  ['fine', 15],
  ['twoDimensional', 16],
  ['uncompressed', 26],
  ['ecm', 27],
  ['t6', 31],
  ['fnv', 33],
  ['multipleSelectivePolling', 34],
  ['polledSubaddress', 35],
  ['t43', 36],
  ['superfine', 41],
  ['r300x300', 42],
  ['r16x15_4', 43],
  ['inchBased', 44],
  ['metricBased', 45],
  ['minScanTimeHalvedAtHigherResolution', 46],
  ['selectivePolling', 47],
  ['subaddressing', 49],
  ['password', 50],
  ['readyToTransmitDataFile', 51],
  ['bft', 53],
  ['jpeg', 68],
  ['fullColour', 69],
  ['northAmericanLetter', 76],
  ['northAmericanLegal', 77],
  ['t85', 78],
  ['t38FlowControl', 121],
  ['t38InternetAware', 123],
];

/** Decodes the FIF of a DIS or DTC frame. */
export function decodeDis(bytes: Uint8Array, limits: Partial<DisLimits> = {}): DisCapabilities {
  const fif = readFif(bytes, 'DIS/DTC', { ...DEFAULT_DIS_LIMITS, ...limits });
  const rateBits = bits(fif, 11, 14);
  const flags = Object.fromEntries(DIS_FLAGS.map(([name, n]) => [name, bit(fif, n)])) as Record<string, boolean>;
  return {
    ...(flags as unknown as Pick<DisCapabilities, (typeof DIS_FLAGS)[number][0]>),
    modems: DIS_MODEM_SETS[rateBits] ?? 'reserved',
    rateBits,
    maxWidth: WIDTHS[bits(fif, 17, 18)] ?? 'invalid',
    maxLength: LENGTHS[bits(fif, 19, 20)] ?? 'invalid',
    minScanLineTime: { ...(SCAN_TIMES[bits(fif, 21, 23)] ?? { ms: 20, halfAtFine: false }) },
    fif,
  };
}

export function encodeDis(caps: DisCapabilities): Uint8Array {
  const fif = prepareFif(caps.fif, Math.max(...DIS_FLAGS.filter(([name]) => caps[name] === true).map(([, n]) => n), 24));
  for (const [name, n] of DIS_FLAGS) setBit(fif, n, caps[name] === true);
  let rateBits = caps.rateBits;
  if (caps.modems !== 'reserved') {
    const entry = Object.entries(DIS_MODEM_SETS).find(([, v]) => v === caps.modems);
    rateBits = Number(entry?.[0] ?? 0);
  }
  setBits(fif, 11, 14, rateBits);
  setBits(fif, 17, 18, WIDTHS.indexOf(caps.maxWidth));
  setBits(fif, 19, 20, LENGTHS.indexOf(caps.maxLength));
  setBits(fif, 21, 23, scanCode(caps.minScanLineTime));
  return finishFif(fif, caps.fif?.length ?? 0);
}

/** A DIS/DTC with nothing set but what every T.4 terminal has: V.27ter fallback, A4, 1728. */
export function baseDisCapabilities(): DisCapabilities {
  return decodeDis(new Uint8Array(3).fill(0));
}

// ---- DCS -----------------------------------------------------------------------------------

const DCS_FLAGS: readonly (readonly [keyof DcsParameters, number])[] = [
  ['t37', 1],
  ['t38', 3],
  ['receive', 10],
  ['inchBased', 44],
  ['uncompressed', 26],
  ['ecm', 27],
  ['subaddress', 49],
  ['senderId', 50],
  ['t38InternetAware', 123],
];

const RESOLUTION_BITS: Readonly<Record<DcsParameters['resolution'], number | undefined>> = {
  standard: undefined,
  fine: 15,
  superfine: 41,
  '300x300': 42,
  'r16x15.4': 43,
};

export function decodeDcs(bytes: Uint8Array, limits: Partial<DisLimits> = {}): DcsParameters {
  const fif = readFif(bytes, 'DCS', { ...DEFAULT_DIS_LIMITS, ...limits });
  const rateBits = bits(fif, 11, 14);
  const flags = Object.fromEntries(DCS_FLAGS.map(([name, n]) => [name, bit(fif, n)])) as Record<string, boolean>;
  // Several resolution bits at once is invalid; the finest one wins.
  const resolution = bit(fif, 43) ? 'r16x15.4' : bit(fif, 42) ? '300x300' : bit(fif, 41) ? 'superfine' : bit(fif, 15) ? 'fine' : 'standard';
  const scan = SCAN_TIMES[bits(fif, 21, 23)] ?? { ms: 20, halfAtFine: false };
  return {
    ...(flags as unknown as Pick<DcsParameters, (typeof DCS_FLAGS)[number][0]>),
    rate: decodeDcsRate(rateBits),
    rateBits,
    resolution,
    compression: bit(fif, 31) ? 'mmr' : bit(fif, 16) ? 'mr' : 'mh',
    width: WIDTHS[bits(fif, 17, 18)] ?? 'invalid',
    length: LENGTHS[bits(fif, 19, 20)] ?? 'invalid',
    minScanLineMs: scan.ms,
    ecmFrameSize: bit(fif, 28) ? 64 : 256,
    fif,
  };
}

export function encodeDcs(p: DcsParameters): Uint8Array {
  const high = Math.max(
    24,
    ...DCS_FLAGS.filter(([name]) => p[name] === true).map(([, n]) => n),
    RESOLUTION_BITS[p.resolution] ?? 0,
    p.compression === 'mmr' || p.ecm || p.ecmFrameSize === 64 ? 31 : 0,
  );
  const fif = prepareFif(p.fif, high);
  for (const [name, n] of DCS_FLAGS) setBit(fif, n, p[name] === true);
  setBits(fif, 11, 14, p.rate === undefined ? p.rateBits : dcsRateBits(p.rate));
  for (const n of [15, 41, 42, 43]) if (n < fif.length * 8) setBit(fif, n, RESOLUTION_BITS[p.resolution] === n);
  setBit(fif, 16, p.compression === 'mr');
  if (fif.length >= 4) setBit(fif, 31, p.compression === 'mmr');
  setBits(fif, 17, 18, WIDTHS.indexOf(p.width));
  setBits(fif, 19, 20, LENGTHS.indexOf(p.length));
  setBits(fif, 21, 23, scanCode({ ms: p.minScanLineMs, halfAtFine: false }));
  if (fif.length >= 4) setBit(fif, 28, p.ecmFrameSize === 64);
  return finishFif(fif, p.fif?.length ?? 0);
}

/** Bits set in the FIF that neither this module's fields nor the extend bits account for. */
export function unnamedBits(fif: Uint8Array, kind: 'dis' | 'dcs'): number[] {
  const named = new Set<number>([11, 12, 13, 14, 17, 18, 19, 20, 21, 22, 23]);
  for (const [, n] of kind === 'dis' ? DIS_FLAGS : DCS_FLAGS) named.add(n);
  if (kind === 'dcs') for (const n of [15, 16, 28, 31, 41, 42, 43]) named.add(n);
  const out: number[] = [];
  for (let n = 1; n <= fif.length * 8; n++) {
    const isExtend = n >= 24 && n % 8 === 0;
    if (bit(fif, n) && !named.has(n) && !isExtend) out.push(n);
  }
  return out;
}
