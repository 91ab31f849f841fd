/**
 * ECM partial pages (T.30 Annex A, T.4 Annex A): the sender cuts the coded page into
 * frames of 64 or 256 octets, numbered 0..255 within a block ("partial page") of up to 256
 * frames; the receiver collects them by number, asks again for the missing ones with PPR,
 * and assembles the block once every frame is in.
 */
import { ECM_MAX_FRAMES_PER_BLOCK, encodeFcd, encodeRcp } from '../../protocols/t30/index.ts';

/** The coded page split into blocks; each block a list of frame payloads. */
export function splitIntoBlocks(coded: Uint8Array, frameSize: 64 | 256): Uint8Array[][] {
  const blocks: Uint8Array[][] = [];
  const blockOctets = frameSize * ECM_MAX_FRAMES_PER_BLOCK;
  // An empty page still needs one frame: T.4 Annex A has no empty partial page.
  const total = Math.max(coded.length, 1);
  const data = coded.length === 0 ? new Uint8Array(1) : coded;
  for (let b = 0; b < total; b += blockOctets) {
    const frames: Uint8Array[] = [];
    for (let f = b; f < Math.min(b + blockOctets, total); f += frameSize) frames.push(data.subarray(f, Math.min(f + frameSize, total)));
    blocks.push(frames);
  }
  return blocks;
}

/** The HDLC frames of one transmission: the chosen FCD frames of the block, then RCP three times (T.4 A.3.6). */
export function ecmBurst(block: readonly Uint8Array[], frameNumbers: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const n of frameNumbers) {
    const data = block[n];
    if (data !== undefined) out.push(encodeFcd({ frameNumber: n, data }));
  }
  const rcp = encodeRcp();
  out.push(rcp, rcp, rcp);
  return out;
}

export function allFrames(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

/** The receiver's view of the block being received. */
export class EcmBlockCollector {
  private readonly frames: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(ECM_MAX_FRAMES_PER_BLOCK);
  /** FCD frames taken since the last reset (repeats included). */
  received = 0;

  accept(frameNumber: number, data: Uint8Array): void {
    this.frames[frameNumber] = data;
    this.received++;
  }

  /** Frame numbers below `count` not received yet. */
  missing(count: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i++) if (this.frames[i] === undefined) out.push(i);
    return out;
  }

  /** The block's data, frames 0..count-1 in order; missing frames (after EOR) are left out. */
  assemble(count: number): Uint8Array {
    let total = 0;
    for (let i = 0; i < count; i++) total += this.frames[i]?.length ?? 0;
    const out = new Uint8Array(total);
    let off = 0;
    for (let i = 0; i < count; i++) {
      const f = this.frames[i];
      if (f === undefined) continue;
      out.set(f, off);
      off += f.length;
    }
    return out;
  }

  reset(): void {
    this.frames.fill(undefined);
    this.received = 0;
  }
}
