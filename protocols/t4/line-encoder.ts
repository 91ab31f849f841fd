/**
 * Line-by-line T.4 / T.6 encoder. Rows go in packed (MSB first, 1 = black); coded bytes come
 * out through `drain()` as they complete, so a T.30 sender can stream a page while it is coded.
 */
import { BitWriter } from './bit-writer.ts';
import { changesCapacity, findChanges, viewOver } from './changes.ts';
import { RUN_ENTRY } from './encode-tables.ts';
import {
  EOL_BITS,
  EOL_CODE,
  HORIZONTAL,
  MAX_MAKEUP,
  RUN_TABLE_SIZE,
  WHITE_CODES,
} from './tables.ts';
import type { EncodeOptions, Scheme } from './types.ts';
import { T4EncodeError } from './types.ts';

export const MAX_WIDTH = 65535;

// Make-up 2560 is in the shared extended table: the same code for both colours.
const MAKEUP_2560_CODE = WHITE_CODES.makeupCode[40] ?? 0;
const MAKEUP_2560_BITS = WHITE_CODES.makeupBits[40] ?? 0;

export class LineEncoder {
  readonly width: number;
  readonly scheme: Scheme;
  private readonly rowBytes: number;
  private readonly k: number;
  private readonly eol: boolean;
  private readonly byteAlignRows: boolean;
  private readonly alignEol: boolean;
  private readonly minBitsPerLine: number;
  private readonly endMarker: boolean;
  private readonly w: BitWriter;
  private cur: Int32Array;
  private ref: Int32Array;
  private lines = 0;
  /** bit position where the current line's EOL started, for minBitsPerLine */
  private lineStartBit = -1;
  private finished = false;
  /** A DataView over the last rows' buffer, for findChanges; remade when the buffer changes. */
  private rowView: DataView | undefined;

  constructor(width: number, opts: EncodeOptions) {
    if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) {
      throw new T4EncodeError(`bad width [width:${width}, max:${MAX_WIDTH}]`);
    }
    const scheme = opts.scheme;
    if (scheme !== 'mh' && scheme !== 'mr' && scheme !== 'mmr') {
      throw new T4EncodeError(`unknown scheme [scheme:${String(scheme)}]`);
    }
    this.width = width;
    this.scheme = scheme;
    this.rowBytes = (width + 7) >>> 3;
    this.k = opts.k ?? 2;
    this.eol = scheme !== 'mmr' && (opts.eol ?? true);
    this.byteAlignRows = opts.byteAlignRows ?? false;
    this.alignEol = this.eol && (opts.alignEol ?? false);
    this.minBitsPerLine = this.eol ? (opts.minBitsPerLine ?? 0) : 0;
    this.endMarker = scheme === 'mmr' ? (opts.eofb ?? true) : (opts.rtc ?? this.eol);
    if (!Number.isInteger(this.k) || this.k < 1) throw new T4EncodeError(`bad K [k:${this.k}]`);
    if (scheme === 'mr' && !this.eol) throw new T4EncodeError('MR needs EOLs [scheme:mr, eol:false]');
    if (this.byteAlignRows && (scheme !== 'mh' || this.eol)) {
      throw new T4EncodeError(`byteAlignRows is for MH without EOL [scheme:${scheme}, eol:${this.eol}]`);
    }
    if (scheme !== 'mmr' && this.endMarker && !this.eol) throw new T4EncodeError('RTC needs EOLs [rtc:true, eol:false]');
    if (!Number.isInteger(this.minBitsPerLine) || this.minBitsPerLine < 0) {
      throw new T4EncodeError(`bad minBitsPerLine [minBitsPerLine:${this.minBitsPerLine}]`);
    }
    this.w = new BitWriter(Math.max(4096, this.rowBytes * 64));
    this.cur = new Int32Array(changesCapacity(width));
    this.ref = new Int32Array(changesCapacity(width));
    this.ref.fill(width);
  }

  /** Rows encoded so far. */
  get lineCount(): number {
    return this.lines;
  }

  /** Bits produced so far (drained or not). */
  get bitLength(): number {
    return this.w.bitLength;
  }

  /** Encode one packed row of at least ceil(width/8) bytes. */
  encodeLine(row: Uint8Array): void {
    if (row.length < this.rowBytes) {
      throw new T4EncodeError(`row too short [bytes:${row.length}, need:${this.rowBytes}]`);
    }
    this.encodeRowAt(row, 0);
  }

  /** Encode the row starting at data[off]; lets whole-page callers skip a subarray per row. */
  encodeRowAt(data: Uint8Array, off: number): void {
    if (this.finished) throw new T4EncodeError('encoder already finished');
    const w = this.w;
    // Worst case is ~9 bits per pixel (alternating pixels in 2-D), plus EOL, fill and make-ups.
    w.reserve(this.rowBytes * 10 + 64);
    let oneD = true;
    if (this.eol) {
      this.closeLine();
      if (this.alignEol) this.alignForEol();
      this.lineStartBit = w.bitLength;
      w.put(EOL_CODE, EOL_BITS);
      if (this.scheme === 'mr') {
        oneD = this.lines % this.k === 0;
        w.put(oneD ? 1 : 0, 1);
      }
    } else if (this.scheme === 'mmr') {
      oneD = false;
    }
    let view = this.rowView;
    if (view === undefined || view.buffer !== data.buffer || view.byteLength !== data.buffer.byteLength) view = this.rowView = viewOver(data);
    const n = findChanges(data, off, this.width, this.cur, view);
    if (oneD) this.code1D(n);
    else this.code2D();
    if (this.byteAlignRows) w.alignToByte();
    const t = this.ref;
    this.ref = this.cur;
    this.cur = t;
    this.lines++;
  }

  /** Coded bytes completed since the last drain. */
  drain(): Uint8Array {
    return this.w.drain();
  }

  /** Close the page (RTC or EOFB as configured, then fill to a byte boundary); returns the remaining bytes. */
  finish(): Uint8Array {
    if (!this.finished) {
      this.finished = true;
      const w = this.w;
      w.reserve(64);
      if (this.eol) {
        this.closeLine();
        if (this.endMarker) {
          // T.4 4.1.4: RTC is six EOLs; in MR each carries tag bit 1.
          for (let i = 0; i < 6; i++) {
            if (this.alignEol) this.alignForEol();
            w.put(EOL_CODE, EOL_BITS);
            if (this.scheme === 'mr') w.put(1, 1);
          }
        }
      } else if (this.scheme === 'mmr' && this.endMarker) {
        // T.6 2.4: EOFB is two EOLs.
        w.put(EOL_CODE, EOL_BITS);
        w.put(EOL_CODE, EOL_BITS);
      }
      w.alignToByte();
    }
    return this.w.drain();
  }

  /** Zero fill so the previous line lasts at least minBitsPerLine (T.4 4.1.2 fill). */
  private closeLine(): void {
    if (this.minBitsPerLine > 0 && this.lineStartBit >= 0) {
      const pad = this.lineStartBit + this.minBitsPerLine - this.w.bitLength;
      if (pad > 0) this.w.zeros(pad);
    }
  }

  /** Zero fill so the 12-bit EOL about to be written ends on a byte boundary. */
  private alignForEol(): void {
    const pad = (8 - ((this.w.bitLength + EOL_BITS) & 7)) & 7;
    if (pad > 0) this.w.put(0, pad);
  }

  // The coding loops copy module-level tables and constants into locals: an imported binding
  // is a module-cell load (and a hole check) wherever it is read, on every iteration.
  private code1D(n: number): void {
    const w = this.w;
    const view = w.view;
    const cur = this.cur;
    const runs = RUN_ENTRY;
    const tableSize = RUN_TABLE_SIZE;
    let o = w.length;
    let acc = w.acc;
    let nb = w.accBits;
    let a0 = 0;
    for (let i = 0; i <= n; i++) {
      const a1 = cur[i]!; // cur[n] is the width
      let run = a1 - a0;
      a0 = a1;
      while (run >= tableSize) {
        acc = (acc << MAKEUP_2560_BITS) | MAKEUP_2560_CODE;
        nb += MAKEUP_2560_BITS;
        view.setInt32(o, acc << (32 - nb));
        o += nb >>> 3;
        nb &= 7;
        run -= MAX_MAKEUP;
      }
      const e = runs[(i & 1) * tableSize + run]!;
      const l = e & 31;
      acc = (acc << l) | (e >>> 5);
      nb += l;
      // At most 32 bits pending (7 + a 25-bit code): write them as one big-endian word, top
      // bit first, and count the whole bytes; the partial one is written again with the next.
      view.setInt32(o, acc << (32 - nb));
      o += nb >>> 3;
      nb &= 7;
    }
    w.length = o;
    w.acc = acc;
    w.accBits = nb;
  }

  /**
   * T.4 4.2.1.3 coding procedure, figure 7/T.4. The lists end in copies of the width
   * (SENTINELS and one more, see findChanges), so a1, a2, b1 and b2 are read without bounds
   * tests: a1 = width ends the row.
   */
  private code2D(): void {
    const w = this.w;
    const buf = w.buf;
    const cur = this.cur;
    const ref = this.ref;
    const width = this.width;
    const view = w.view;
    const runs = RUN_ENTRY;
    const tableSize = RUN_TABLE_SIZE;
    const horizontalCode = HORIZONTAL.code;
    const horizontalBits = HORIZONTAL.bits;
    let o = w.length;
    let acc = w.acc;
    let nb = w.accBits;
    let a0 = -1;
    let ia = 0; // index in cur of a1; its parity is the colour of a0
    let ib = 0; // index in ref of b1: the first change right of a0 of the other colour than a0's
    let bl = -1; // ref[ib - 1], or -1 where there is none
    for (;;) {
      let a1 = cur[ia]!;
      let b1 = ref[ib]!;
      let b2 = ref[ib + 1]!;
      // Vertical modes are most codes (90% of a text page's, mostly V0, VL1 and VR1). After
      // one, when ref[ib - 1] <= a1 < ref[ib + 1] = b2, the next b1 is ref[ib + 1]: the next
      // change right of the new a0, of the other colour. A stretch of such codes (and passes)
      // walks both lists in step, with no search and one test per code: the sign of an OR of
      // differences that are all >= 0 just when the code is vertical (v in [0, 6]) and keeps
      // the walk going. a1 = width fails it (b2 <= width): the row's last code is left to the
      // cases below, with horizontal mode and vertical modes that need a search for b1.
      for (;;) {
        const v = a1 - b1 + 3;
        if ((v | (6 - v) | (a1 - bl) | (b2 - a1 - 1)) < 0) {
          if (b2 >= a1) break;
          // Pass mode (b2 left of a1): a0 moves under b2 and b1 to ref[ib + 2], the next
          // change of the same colour, right of b2; the walk goes on from there.
          acc = (acc << 4) | 1; // PASS: 0001
          nb += 4;
          buf[o] = acc >>> ((nb - 8) & 31);
          o += nb >>> 3;
          nb &= 7;
          a0 = b2;
          bl = b2;
          ib += 2;
          b1 = ref[ib]!;
          b2 = ref[ib + 1]!;
          continue;
        }
        // Table 4/T.4 in two constants, a nibble per mode: VL3..VR3 are 7, 6, 3, 1, 3, 6, 7 bits
        // long, their last bits 2, 2, 2, 1, 3, 3, 3 (the leading ones are zeros). Shifts of
        // immediates keep the loop's live values in registers; tables would need their own.
        const l = (0x7631367 >>> (v << 2)) & 15;
        acc = (acc << l) | ((0x3331222 >>> (v << 2)) & 15);
        nb += l;
        // At most 14 bits pending: store the top byte whether or not it is complete, and
        // count it only if it is (an incomplete one is overwritten by the next store).
        buf[o] = acc >>> ((nb - 8) & 31);
        o += nb >>> 3;
        nb &= 7;
        a0 = a1;
        a1 = cur[++ia]!;
        bl = b1;
        b1 = b2;
        b2 = ref[++ib + 1]!;
      }
      const v = a1 - b1 + 3;
      if (v >= 0 && v <= 6) {
        const l = (0x7631367 >>> (v << 2)) & 15;
        acc = (acc << l) | ((0x3331222 >>> (v << 2)) & 15);
        nb += l;
        while (nb >= 8) buf[o++] = acc >>> (nb -= 8);
        a0 = a1;
        ia++;
        if (a0 >= width) break;
      } else {
        const a2 = cur[ia + 1]!;
        acc = (acc << horizontalBits) | horizontalCode;
        nb += horizontalBits;
        const color = ia & 1;
        let run = a1 - (a0 < 0 ? 0 : a0);
        for (let k = 0; k < 2; k++) {
          // With up to 10 bits pending (HORIZONTAL on top of up to 7), a run's code may not fit
          // the 32: write the pending whole bytes first.
          view.setInt32(o, acc << (32 - nb));
          o += nb >>> 3;
          nb &= 7;
          while (run >= tableSize) {
            acc = (acc << MAKEUP_2560_BITS) | MAKEUP_2560_CODE;
            nb += MAKEUP_2560_BITS;
            view.setInt32(o, acc << (32 - nb));
            o += nb >>> 3;
            nb &= 7;
            run -= MAX_MAKEUP;
          }
          const e = runs[(color ^ k) * tableSize + run]!;
          const l = e & 31;
          acc = (acc << l) | (e >>> 5);
          nb += l;
          run = a2 - a1;
        }
        view.setInt32(o, acc << (32 - nb));
        o += nb >>> 3;
        nb &= 7;
        a0 = a2;
        ia += 2;
        if (a0 >= width) break;
      }
      // Search for the new b1 from ref[ib - 1]: ref[ib - 2], of b1's colour but left of b1, was
      // at or left of a0 before this code, so every change left of ref[ib - 1] still is.
      let q = ib > 0 ? ib - 1 : 0;
      while (ref[q]! <= a0) q++;
      ib = q + ((q ^ ia) & 1);
      bl = ib > 0 ? ref[ib - 1]! : -1;
    }
    w.length = o;
    w.acc = acc;
    w.accBits = nb;
  }
}
