/**
 * The frames of ECM (T.30 Annex A, T.4 Annex A), typed. All build or read whole HDLC
 * frames (address, control, FCF, FIF; no FCS) in HDLC octet order.
 *
 *   FCD  ff 03 06 <frame no> <up to 256 image octets>   image data frame
 *   RCP  ff 03 86                                        end of the partial page (sent 3 times)
 *   PPS  ff 13 bf 2f 00 00 0e   (X=1) PPS-EOP, page 0, block 0, 15 frames (count - 1)
 *   PPR  ff 13 bc <32 octets>   bit n (LSB first) set: frame n must be sent again
 *   CTC  ff 13 13 <2 octets>    continue to correct, with the new rate in bits 11-14
 *   EOR  ff 13 cf <FCF2>        end of retransmission
 */
import { T30DecodeError } from './errors.ts';
import { FCF2, parseFcf2, type Fcf2Name } from './fcf.ts';
import { dcsRateBits, decodeDcsRate, type ModemRate } from './dis.ts';
import { decodeFrame, encodeFrame, type T30Frame } from './frame.ts';

function expect(frame: T30Frame, fcf: T30Frame['fcf'], minFif: number): void {
  if (frame.fcf !== fcf) {
    throw new T30DecodeError('T30_MALFORMED', `not a ${String(fcf)} frame`, { fcf: frame.fcfOctet });
  }
  if (frame.fif.length < minFif) {
    throw new T30DecodeError('T30_TRUNCATED', `${String(fcf)} FIF too short`, { length: frame.fif.length, need: minFif });
  }
}

function asFrame(bytes: Uint8Array | T30Frame): T30Frame {
  return bytes instanceof Uint8Array ? decodeFrame(bytes) : bytes;
}

export const ECM_MAX_FRAMES_PER_BLOCK = 256;

// ---- FCD / RCP -----------------------------------------------------------------------------

export interface FcdFrame {
  frameNumber: number;
  data: Uint8Array;
}

export function encodeFcd(fcd: FcdFrame): Uint8Array {
  if (!Number.isInteger(fcd.frameNumber) || fcd.frameNumber < 0 || fcd.frameNumber > 255) {
    throw new T30DecodeError('T30_BAD_ARGUMENT', 'FCD frame number out of range', { frameNumber: fcd.frameNumber });
  }
  if (fcd.data.length === 0 || fcd.data.length > 256) {
    throw new T30DecodeError('T30_BAD_ARGUMENT', 'FCD data must be 1 to 256 octets', { length: fcd.data.length });
  }
  const fif = new Uint8Array(1 + fcd.data.length);
  fif[0] = fcd.frameNumber;
  fif.set(fcd.data, 1);
  return encodeFrame({ fcf: 'FCD', final: false, fif });
}

export function decodeFcd(bytes: Uint8Array | T30Frame): FcdFrame {
  const frame = asFrame(bytes);
  expect(frame, 'FCD', 2);
  if (frame.fif.length > 257) throw new T30DecodeError('T30_LIMIT_EXCEEDED', 'FCD longer than 256 data octets', { length: frame.fif.length - 1 });
  return { frameNumber: frame.fif[0] ?? 0, data: frame.fif.slice(1) };
}

export function encodeRcp(): Uint8Array {
  return encodeFrame({ fcf: 'RCP', final: false });
}

// ---- PPS / EOR -----------------------------------------------------------------------------

export interface PpsInfo {
  /** The post-message command the partial page ends with (NULL: more blocks of this page). */
  fcf2: Fcf2Name;
  /** Page counter (mod 256). */
  page: number;
  /** Block counter within the page (mod 256). */
  block: number;
  /** Frames in this partial page, 1..256 (sent as count - 1). */
  frames: number;
}

export function encodePps(pps: PpsInfo, x: boolean): Uint8Array {
  for (const [k, v, max] of [['page', pps.page, 255], ['block', pps.block, 255], ['frames', pps.frames, 256]] as const) {
    if (!Number.isInteger(v) || v < (k === 'frames' ? 1 : 0) || v > max) {
      throw new T30DecodeError('T30_BAD_ARGUMENT', `PPS ${k} out of range`, { [k]: v });
    }
  }
  const fif = Uint8Array.of(FCF2[pps.fcf2] | (x && pps.fcf2 !== 'NULL' ? 1 : 0), pps.page, pps.block, pps.frames - 1);
  return encodeFrame({ fcf: 'PPS', x, fif });
}

export function decodePps(bytes: Uint8Array | T30Frame): PpsInfo & { x: boolean } {
  const frame = asFrame(bytes);
  expect(frame, 'PPS', 4);
  const fcf2 = parseFcf2(frame.fif[0] ?? 0);
  if (fcf2 === undefined) throw new T30DecodeError('T30_MALFORMED', 'PPS with an unknown second FCF', { fcf2: frame.fif[0] ?? 0 });
  return { fcf2, page: frame.fif[1] ?? 0, block: frame.fif[2] ?? 0, frames: (frame.fif[3] ?? 0) + 1, x: frame.x === true };
}

export function encodeEor(fcf2: Fcf2Name, x: boolean): Uint8Array {
  return encodeFrame({ fcf: 'EOR', x, fif: Uint8Array.of(FCF2[fcf2] | (x && fcf2 !== 'NULL' ? 1 : 0)) });
}

export function decodeEor(bytes: Uint8Array | T30Frame): { fcf2: Fcf2Name; x: boolean } {
  const frame = asFrame(bytes);
  expect(frame, 'EOR', 1);
  const fcf2 = parseFcf2(frame.fif[0] ?? 0);
  if (fcf2 === undefined) throw new T30DecodeError('T30_MALFORMED', 'EOR with an unknown second FCF', { fcf2: frame.fif[0] ?? 0 });
  return { fcf2, x: frame.x === true };
}

// ---- PPR -----------------------------------------------------------------------------------

/** A PPR asking again for `frameNumbers` (0..255) of the last partial page. */
export function encodePpr(frameNumbers: Iterable<number>, x: boolean): Uint8Array {
  const map = new Uint8Array(32);
  for (const n of frameNumbers) {
    if (!Number.isInteger(n) || n < 0 || n > 255) throw new T30DecodeError('T30_BAD_ARGUMENT', 'PPR frame number out of range', { frame: n });
    map[n >> 3] = (map[n >> 3] ?? 0) | (1 << (n & 7));
  }
  return encodeFrame({ fcf: 'PPR', x, fif: map });
}

/** The frame numbers a PPR asks for, ascending. */
export function decodePpr(bytes: Uint8Array | T30Frame): number[] {
  const frame = asFrame(bytes);
  expect(frame, 'PPR', 32);
  const out: number[] = [];
  for (let n = 0; n < 256; n++) if ((((frame.fif[n >> 3] ?? 0) >> (n & 7)) & 1) === 1) out.push(n);
  return out;
}

// ---- CTC -----------------------------------------------------------------------------------

/** CTC carries DCS octets 1-2, of which only bits 11-14 (the new rate) mean anything. */
export function encodeCtc(rate: ModemRate, x: boolean): Uint8Array {
  const code = dcsRateBits(rate);
  let octet2 = 0;
  for (let n = 11; n <= 14; n++) if ((code >> (14 - n)) & 1) octet2 |= 1 << (n - 9);
  return encodeFrame({ fcf: 'CTC', x, fif: Uint8Array.of(0, octet2) });
}

export function decodeCtc(bytes: Uint8Array | T30Frame): { rate: ModemRate | undefined; x: boolean } {
  const frame = asFrame(bytes);
  expect(frame, 'CTC', 2);
  let code = 0;
  for (let n = 11; n <= 14; n++) code = (code << 1) | (((frame.fif[1] ?? 0) >> (n - 9)) & 1);
  return { rate: decodeDcsRate(code), x: frame.x === true };
}
