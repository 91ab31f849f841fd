/**
 * Line-by-line T.4 / T.6 decoder fed with byte chunks, as a non-ECM fax receiver gets them.
 *
 * Each row is decoded only once its bits are all buffered: an attempt that runs into the end
 * of the buffer is rolled back and retried when more data arrives (or, at `end()`, counted as a
 * truncated bad row). Errors follow T.4 practice: with EOLs a bad row is replaced by the previous
 * row and decoding resumes at the next EOL; without EOLs (MMR, TIFF "CCITT RLE") there is no
 * resynchronisation point, so the page ends there.
 *
 * Bounds: the buffer holds at most the undecoded tail of the input; rows stop at `height` or
 * `maxLines`; every loop consumes input or emits a row.
 */
import type { RowWords } from './changes.ts';
import {
  changesCapacity,
  paintMarkedRow,
  renderRow,
  SENTINELS,
  WORD_MARKS,
} from './changes.ts';
import { MAX_WIDTH } from './line-encoder.ts';
import {
  BLACK_DECODE,
  H_PAIR_DECODE,
  MODE_HORIZONTAL,
  MODE_PASS,
  PAIR_DECODE,
  RUN_DECODE,
  RUN_PEEK,
  VV_DECODE,
  VV_PEEK,
  WHITE_DECODE,
} from './tables.ts';
import type { DecodeCounters, DecodeOptions, EndReason, LineCallback, Scheme } from './types.ts';
import { T4DecodeError } from './types.ts';

export const DEFAULT_MAX_LINES = 65536;
/** Largest page (rows × rowBytes) a decoder accepts to produce: 512 MiB. */
export const MAX_PAGE_BYTES = 512 * 1024 * 1024;

/** A run of at least this many zero bits followed by a one is an EOL (T.4 4.1.2; fill is more zeros). */
const EOL_ZEROS = 11;
/**
 * Consecutive EOLs taken as RTC mid-stream. T.4 sends six; fewer than four are more likely rows
 * whose data was lost (in MR a white row is EOL+0 and a single V0 bit: one flipped bit makes
 * two EOLs). At the very end of the data, two are enough.
 */
const RTC_EOLS = 4;
/** Zero bytes kept after the data so peeks never index past the buffer. */
const PAD_BYTES = 16;

/**
 * Table constants as literals in the hot loops (imported bindings are cell loads there):
 * MODE_DECODE's mode numbers and the peek widths of VV_DECODE and RUN_DECODE.
 */
const enum Table {
  Horizontal = 8,
  Pass = 9,
  PairPeek = 12,
  RunPeek = 13,
}
if (
  MODE_HORIZONTAL !== (Table.Horizontal as number) ||
  MODE_PASS !== (Table.Pass as number) ||
  VV_PEEK !== (Table.PairPeek as number) ||
  RUN_PEEK !== (Table.RunPeek as number)
) {
  throw new Error('t4 decode tables changed');
}

const enum Step {
  Line,
  NeedMore,
  Done,
}

export class LineDecoder implements DecodeCounters {
  readonly width: number;
  readonly scheme: Scheme;
  readonly rowBytes: number;
  /** rows after which decoding stops */
  readonly lineLimit: number;
  private readonly eol: boolean;
  private readonly byteAlignRows: boolean;
  private readonly strict: boolean;
  private readonly heightKnown: boolean;
  private readonly onLine: LineCallback | undefined;
  /** MH with word marks: rows are painted from their marks alone (decode1DMarks) */
  private readonly marksOnly: boolean;

  private buf: Uint8Array;
  /** buf as big-endian 32-bit peeks at any byte offset (the row decoders); replaced with buf */
  private view: DataView;
  /** valid bytes in buf */
  private bufLen = 0;
  /** read position, in bits from buf[0] */
  private pos = 0;
  private resyncing = false;
  /** don't retry a row that needed more data until the buffer reaches this many bits */
  private retryAtBits = 0;
  private ended = false;
  private reason: EndReason | undefined;

  private cur: Int32Array;
  private ref: Int32Array;
  /**
   * Both change lists and both row buffers' words in one array (cur, ref and the RowWords are
   * views of it), so decode2D's loop indexes one typed array for all three: V8 checks and
   * reloads each array's map, length and data pointer at every access there. Each change list
   * is preceded by a -1 slot (see decode2D).
   */
  private readonly changes: Int32Array;
  /** where ref and cur start in `changes` */
  private refBase: number;
  private curBase: number;
  /** last emitted row: the repair source */
  private row: Uint8Array;
  private rowWords: RowWords;
  /**
   * Where the row being decoded is painted (both row decoders toggle a mark at each change as
   * they find it, see WORD_MARKS; sparse MR and MMR rows are painted from their changes). It
   * becomes `row` only once the row decodes cleanly, so a bad row leaves the repair source
   * untouched.
   */
  private nextWords: RowWords;
  /** where nextWords.words and rowWords.words start in `changes` */
  private nextWordsBase: number;
  private rowWordsBase: number;
  private hasRow = false;
  /** changes in `ref` */
  private refCount = 0;
  /** horizontalRuns' second run */
  private secondRun = 0;

  private nLines = 0;
  private nBad = 0;
  private nRepaired = 0;
  private badRun = 0;
  private badRunMax = 0;

  constructor(opts: DecodeOptions, onLine?: LineCallback) {
    const { scheme, width } = opts;
    if (scheme !== 'mh' && scheme !== 'mr' && scheme !== 'mmr') {
      throw new T4DecodeError('T4_BAD_OPTIONS', `unknown scheme [scheme:${String(scheme)}]`);
    }
    if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) {
      throw new T4DecodeError('T4_BAD_OPTIONS', `bad width [width:${width}, max:${MAX_WIDTH}]`);
    }
    const maxLines = opts.maxLines ?? DEFAULT_MAX_LINES;
    if (!Number.isInteger(maxLines) || maxLines < 0) {
      throw new T4DecodeError('T4_BAD_OPTIONS', `bad maxLines [maxLines:${maxLines}]`);
    }
    const height = opts.height;
    if (height !== undefined && (!Number.isInteger(height) || height < 0 || height > maxLines)) {
      throw new T4DecodeError('T4_BAD_OPTIONS', `bad height [height:${height}, maxLines:${maxLines}]`);
    }
    this.scheme = scheme;
    this.width = width;
    this.rowBytes = (width + 7) >>> 3;
    this.lineLimit = height ?? maxLines;
    if (this.lineLimit * this.rowBytes > MAX_PAGE_BYTES) {
      throw new T4DecodeError(
        'T4_BAD_OPTIONS',
        `page too large [width:${width}, lines:${this.lineLimit}, maxBytes:${MAX_PAGE_BYTES}]`,
      );
    }
    this.heightKnown = height !== undefined;
    this.eol = scheme !== 'mmr' && (opts.eol ?? true);
    this.byteAlignRows = scheme === 'mh' && !this.eol && (opts.byteAlignRows ?? false);
    this.strict = opts.strict ?? false;
    if (scheme === 'mr' && !this.eol) {
      throw new T4DecodeError('T4_BAD_OPTIONS', 'MR needs EOLs [scheme:mr, eol:false]');
    }
    this.onLine = onLine;
    this.marksOnly = scheme === 'mh' && WORD_MARKS;
    this.buf = new Uint8Array(4096 + PAD_BYTES);
    this.view = new DataView(this.buf.buffer);
    // Two spare slots: decode2D reads ref[ib + 2] with ib as far as the last sentinel. Each
    // half starts at an even index after a -1 slot.
    const half = (changesCapacity(width) + 3) & ~1;
    const nWords = (this.rowBytes + 3) >>> 2;
    const lists = 2 * half + 4;
    this.changes = new Int32Array(lists + 2 * nWords);
    this.changes.fill(-1, 0, lists);
    this.refBase = 2;
    this.curBase = half + 4;
    this.ref = this.changes.subarray(this.refBase, this.refBase + half).fill(width);
    this.cur = this.changes.subarray(this.curBase, this.curBase + half);
    this.rowWordsBase = lists;
    this.nextWordsBase = lists + nWords;
    this.rowWords = this.wordsAt(this.rowWordsBase, nWords);
    this.nextWords = this.wordsAt(this.nextWordsBase, nWords);
    this.row = this.rowWords.row;
  }

  private wordsAt(base: number, nWords: number): RowWords {
    const buffer = this.changes.buffer;
    return { words: new Int32Array(buffer, base * 4, nWords), row: new Uint8Array(buffer, base * 4, this.rowBytes) };
  }

  get lines(): number {
    return this.nLines;
  }
  get badLines(): number {
    return this.nBad;
  }
  get repairedLines(): number {
    return this.nRepaired;
  }
  get consecutiveBadLinesMax(): number {
    return this.badRunMax;
  }
  /** Set once the page has ended; later input is ignored. */
  get endedWith(): EndReason | undefined {
    return this.reason;
  }
  get done(): boolean {
    return this.ended;
  }
  /** A non-ECM receiver's cue that the page is over (T.4 4.1.4). */
  get rtcSeen(): boolean {
    return this.reason === 'rtc';
  }

  /** Feed more coded bytes; complete rows are reported before this returns. */
  push(chunk: Uint8Array): void {
    if (this.ended) return;
    this.append(chunk);
    if (this.bufLen * 8 >= this.retryAtBits) this.run(false);
  }

  /** No more input: decode what is left (a partial row counts as bad) and return why the page ended. */
  end(): EndReason {
    if (!this.ended) this.run(true);
    if (!this.ended) this.finish('end-of-data');
    return this.reason ?? 'end-of-data';
  }

  private finish(reason: EndReason): void {
    this.ended = true;
    this.reason = reason;
  }

  private append(chunk: Uint8Array): void {
    // Drop bytes already decoded: pos only ever sits at a row start or a resync point here.
    const drop = this.pos >>> 3;
    const need = this.bufLen - drop + chunk.length + PAD_BYTES;
    if (drop > 0 && (need > this.buf.length || drop * 2 > this.bufLen)) {
      this.buf.copyWithin(0, drop, this.bufLen);
      this.bufLen -= drop;
      this.pos -= drop * 8;
      this.retryAtBits = Math.max(0, this.retryAtBits - drop * 8);
      this.buf.fill(0, this.bufLen, Math.min(this.buf.length, this.bufLen + drop + PAD_BYTES));
    }
    if (this.bufLen + chunk.length + PAD_BYTES > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.bufLen + chunk.length + PAD_BYTES) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, this.bufLen));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.buf.set(chunk, this.bufLen);
    this.bufLen += chunk.length;
  }

  private run(final: boolean): void {
    while (!this.ended) {
      if (this.nLines >= this.lineLimit) {
        this.finish(this.heightKnown ? 'height-reached' : 'max-lines');
        return;
      }
      if (this.resyncing && !this.findEol(final)) {
        if (final) this.finish('end-of-data');
        return;
      }
      const start = this.pos;
      const step = this.decodeRow(final);
      if (step === Step.NeedMore) {
        this.pos = start;
        const bitEnd = this.bufLen * 8;
        // Retry once the buffer has grown by half the span tried, so tiny chunks stay linear.
        this.retryAtBits = bitEnd + Math.max(64, (bitEnd - start) >>> 1);
        return;
      }
    }
  }

  /** Decode the next row, or the end marker; rows are emitted from here. */
  private decodeRow(final: boolean): Step {
    const bitEnd = this.bufLen * 8;
    let oneD = this.scheme === 'mh';
    if (this.eol) {
      let eols = 0;
      let lastEol = this.pos;
      for (;;) {
        const z = this.countZeros(this.pos, bitEnd);
        if (this.pos + z >= bitEnd) {
          if (!final) return Step.NeedMore;
          this.finish(eols >= 2 && this.nLines > 0 ? 'rtc' : 'end-of-data');
          return Step.Done;
        }
        if (z < EOL_ZEROS) break;
        lastEol = this.pos;
        this.pos += z + 1;
        eols++;
        if (this.scheme === 'mr') {
          if (this.pos >= bitEnd) {
            if (!final) return Step.NeedMore;
            this.finish(eols >= 2 && this.nLines > 0 ? 'rtc' : 'end-of-data');
            return Step.Done;
          }
          oneD = this.bit(this.pos) === 1;
          this.pos++;
        }
        // T.4 4.1.4: consecutive EOLs with no row between are RTC; leading ones before the
        // first row are tolerated.
        if (eols >= RTC_EOLS && this.nLines > 0) {
          this.finish('rtc');
          return Step.Done;
        }
      }
      if (eols >= 2 && this.nLines > 0) {
        // Rows whose data vanished between EOLs: bad, repaired. Then continue from the last
        // EOL, so a retry after NeedMore cannot count them twice.
        for (let i = 1; i < eols && this.nLines < this.lineLimit; i++) this.repairRow();
        this.pos = lastEol;
        return Step.Line;
      }
      if (eols === 0) {
        if (this.strict) {
          throw new T4DecodeError('T4_MISSING_EOL', `row without EOL [line:${this.nLines}]`, this.nLines);
        }
        // MH rows can still be read without their EOL (a damaged EOL joins two rows);
        // an MR row cannot, its tag bit is gone.
        if (this.scheme === 'mr') return this.badRow(this.pos);
      }
    } else {
      if (this.byteAlignRows) this.pos = (this.pos + 7) & ~7;
      const z = this.countZeros(this.pos, bitEnd);
      if (this.pos + z >= bitEnd) {
        if (!final) return Step.NeedMore;
        this.finish('end-of-data');
        return Step.Done;
      }
      // T.6 2.4: EOFB = EOL EOL; one EOL is enough to recognise it.
      if (this.scheme === 'mmr' && z >= EOL_ZEROS) {
        this.pos += z + 1;
        this.finish('eofb');
        return Step.Done;
      }
    }
    const dataStart = this.pos;
    // A 2-D row of nothing but V0 codes (one 1 bit each: every change where the reference
    // row has it, then b1 = the width) repeats the reference row. Text and line art repeat
    // many rows; this path emits the same pixels again without decoding them.
    if (!oneD && this.onesAhead(this.refCount + 1)) {
      this.pos += this.refCount + 1;
      this.hasRow = true;
      this.badRun = 0;
      this.emit(true);
      return Step.Line;
    }
    const n = !oneD ? this.decode2D() : this.marksOnly ? this.decode1DMarks() : this.decode1D();
    // A row whose last code was read from beyond the data is incomplete, not bad — unless
    // no more data will come.
    if (n < 0 ? this.pos + 13 > bitEnd : this.pos > bitEnd) {
      if (!final) return Step.NeedMore;
      return this.badRow(dataStart);
    }
    if (n < 0) return this.badRow(dataStart);
    const next = this.nextWords;
    // Few changes: painting spans beats a pass over every word.
    if (this.marksOnly || (WORD_MARKS && n * 8 >= this.rowBytes)) paintMarkedRow(next, this.width);
    else renderRow(this.cur, n, this.width, next.row, 0);
    this.nextWords = this.rowWords;
    this.rowWords = next;
    const wb = this.nextWordsBase;
    this.nextWordsBase = this.rowWordsBase;
    this.rowWordsBase = wb;
    this.row = next.row;
    const t = this.ref;
    this.ref = this.cur;
    this.cur = t;
    const b = this.refBase;
    this.refBase = this.curBase;
    this.curBase = b;
    this.refCount = n;
    this.hasRow = true;
    this.badRun = 0;
    this.emit(true);
    return Step.Line;
  }

  private badRow(dataStart: number): Step {
    if (!this.eol) {
      this.countBad();
      // No EOL to resynchronise on: the page ends here.
      this.finish('end-of-data');
      return Step.Done;
    }
    this.repairRow();
    this.pos = dataStart;
    this.resyncing = true;
    return Step.Line;
  }

  private countBad(): void {
    this.nBad++;
    this.badRun++;
    if (this.badRun > this.badRunMax) this.badRunMax = this.badRun;
    if (this.strict) {
      throw new T4DecodeError('T4_BAD_LINE', `undecodable row [line:${this.nLines}, scheme:${this.scheme}]`, this.nLines);
    }
  }

  /**
   * Emit a bad row as a copy of the previous one, which then also serves as the next 2-D row's
   * reference; with no previous row it is white.
   */
  private repairRow(): void {
    this.countBad();
    if (this.hasRow) this.nRepaired++;
    else {
      this.row.fill(0);
      this.ref.fill(this.width);
      this.refCount = 0;
    }
    this.emit(false);
  }

  private emit(ok: boolean): void {
    const index = this.nLines++;
    this.onLine?.(this.row, ok, index);
  }

  /**
   * Scan for the next EOL (EOL_ZEROS zeros then a one) and stop at the start of its zeros.
   * EOL cannot occur inside valid row data, so this finds the next row even if the failed
   * decode ran past it. Returns false when the buffered data has none yet.
   */
  private findEol(final: boolean): boolean {
    const bitEnd = this.bufLen * 8;
    let pos = this.pos;
    for (;;) {
      const z = this.countZeros(pos, bitEnd);
      if (pos + z >= bitEnd) {
        // Keep the trailing zeros: more data may complete an EOL.
        this.pos = final ? bitEnd : pos;
        return false;
      }
      if (z >= EOL_ZEROS) {
        this.pos = pos;
        this.resyncing = false;
        return true;
      }
      pos += z + 1;
    }
  }

  /** Whether the `count` bits from pos are all ones (the zero padding past the data ends a run). */
  private onesAhead(count: number): boolean {
    const view = this.view;
    let pos = this.pos;
    for (;;) {
      // The peek's valid bits are followed by zeros, which end a run of ones there.
      const valid = 32 - (pos & 7);
      const ones = Math.clz32(~(view.getUint32(pos >>> 3) << (pos & 7)));
      if (ones >= count) return true;
      if (ones < valid) return false;
      count -= valid;
      pos += valid;
    }
  }

  private bit(pos: number): number {
    return ((this.buf[pos >>> 3] ?? 0) >>> (7 - (pos & 7))) & 1;
  }

  /** Zero bits from pos, stopping at bitEnd (the padding past it is zero too). */
  private countZeros(pos: number, bitEnd: number): number {
    const view = this.view;
    const start = pos;
    while (pos < bitEnd) {
      // Zeros shifted in below the peek's valid bits cannot hide a one.
      const word = view.getUint32(pos >>> 3) << (pos & 7);
      if (word !== 0) {
        const z = pos + Math.clz32(word);
        return (z < bitEnd ? z : bitEnd) - start;
      }
      pos += 32 - (pos & 7);
    }
    return bitEnd - start;
  }

  /*
   * The row decoders read their input by peeking: `view.getUint32(pos >>> 3) << (pos & 7)` is
   * the next 25 to 32 bits at bit position `pos`, MSB first, and a code's length is added to
   * pos. Against a refilled window this keeps one live value instead of three and has no
   * refill branch (taken every few codes, unpredictably). Reading past the data hits the zero
   * padding, which no code matches, so a row can overrun the end by at most one code; PAD_BYTES
   * keeps that code's peek inside the buffer.
   */

  /**
   * One-dimensional row (T.4 4.1): alternating white/black runs from a white start. The two
   * colours are written out rather than switching a table variable, so each lookup reads a
   * fixed table.
   */
  private decode1D(): number {
    const view = this.view;
    const width = this.width;
    const cur = this.cur;
    let pos = this.pos;
    // Module imports are live bindings: locals keep the loops free of module-cell loads.
    const white = WHITE_DECODE;
    const black = BLACK_DECODE;
    const pairs = PAIR_DECODE;
    let a0 = 0;
    let n = 0;
    let ok = false;
    // Each change toggles its pixel's bit in `marks` (little-endian word bit (x ^ 7) & 31); a
    // cancelled change toggles its bit back. A plain `^=` per change: carrying the word being
    // built in locals, to spare the read back, measured ~15% slower (more live values).
    const marks = this.nextWords.words;
    marks.fill(0);
    rows: for (;;) {
      // A white and a black terminating code in one lookup (PAIR_DECODE); the same steps as
      // the one-code loops below, twice.
      const p = pairs[(view.getUint32(pos >>> 3) << (pos & 7)) >>> 20]!;
      if (p !== 0) {
        let r = p & 63;
        a0 = (a0 + r) | 0;
        if (a0 >= width) {
          // The row ends after the white run: the bits after it are not a black code.
          pos = (pos + ((p >>> 12) & 15)) | 0;
          ok = a0 === width;
          break;
        }
        if (r === 0 && n > 0 && cur[n - 1] === a0) n--;
        else cur[n++] = a0;
        marks[a0 >>> 5]! ^= 1 << ((a0 ^ 7) & 31);
        pos = (pos + (p >>> 16)) | 0;
        r = (p >>> 6) & 63;
        a0 = (a0 + r) | 0;
        if (a0 >= width) {
          ok = a0 === width;
          break;
        }
        if (r === 0 && n > 0 && cur[n - 1] === a0) n--;
        else cur[n++] = a0;
        marks[a0 >>> 5]! ^= 1 << ((a0 ^ 7) & 31);
        continue;
      }
      let run = 0;
      for (;;) {
        const e = white[(view.getUint32(pos >>> 3) << (pos & 7)) >>> 19]!;
        if (e === 0) break rows;
        pos = (pos + (e & 15)) | 0;
        run = (run + (e >>> 4)) | 0;
        if (e < 64 << 4) break;
        if (run > width) break rows;
      }
      a0 = (a0 + run) | 0;
      if (a0 >= width) {
        ok = a0 === width;
        break;
      }
      // A zero-length run inside a row (legal after a make-up code) cancels the last change.
      if (run === 0 && n > 0 && cur[n - 1] === a0) n--;
      else cur[n++] = a0;
      marks[a0 >>> 5]! ^= 1 << ((a0 ^ 7) & 31);

      run = 0;
      for (;;) {
        const e = black[(view.getUint32(pos >>> 3) << (pos & 7)) >>> 19]!;
        if (e === 0) break rows;
        pos = (pos + (e & 15)) | 0;
        run = (run + (e >>> 4)) | 0;
        if (e < 64 << 4) break;
        if (run > width) break rows;
      }
      a0 = (a0 + run) | 0;
      if (a0 >= width) {
        ok = a0 === width;
        break;
      }
      if (run === 0 && n > 0 && cur[n - 1] === a0) n--;
      else cur[n++] = a0;
      marks[a0 >>> 5]! ^= 1 << ((a0 ^ 7) & 31);
    }
    this.pos = pos;
    if (!ok) return -1;
    for (let s = 0; s < SENTINELS; s++) cur[n + s] = width;
    return n;
  }

  /**
   * decode1D for MH pages on little-endian hosts: no later row refers to this one, so the row
   * is only marked (see WORD_MARKS), not listed as changes: one store per change less. Returns
   * 0 for a clean row, -1 for a bad one, at the same positions as decode1D.
   */
  private decode1DMarks(): number {
    const view = this.view;
    const width = this.width;
    let pos = this.pos;
    // Module imports are live bindings: locals keep the loops free of module-cell loads.
    const white = WHITE_DECODE;
    const black = BLACK_DECODE;
    const pairs = PAIR_DECODE;
    let a0 = 0;
    let ok = false;
    // Marks only: a zero-length run toggles its change's bit back, which is all a cancel is.
    const marks = this.nextWords.words;
    marks.fill(0);
    rows: for (;;) {
      // A white and a black terminating code in one lookup (PAIR_DECODE); the same steps as
      // the one-code loops below, twice.
      const bits = view.getUint32(pos >>> 3) << (pos & 7);
      const p = pairs[bits >>> 20]!;
      if (p !== 0) {
        a0 = (a0 + (p & 63)) | 0;
        if (a0 >= width) {
          // The row ends after the white run: the bits after it are not a black code.
          pos = (pos + ((p >>> 12) & 15)) | 0;
          ok = a0 === width;
          break;
        }
        marks[a0 >>> 5]! ^= 1 << ((a0 ^ 7) & 31);
        pos = (pos + (p >>> 16)) | 0;
        a0 = (a0 + ((p >>> 6) & 63)) | 0;
        if (a0 >= width) {
          ok = a0 === width;
          break;
        }
        marks[a0 >>> 5]! ^= 1 << ((a0 ^ 7) & 31);
        // A pair takes at most 12 of the 25 or more bits peeked: the next pair's 12 are there
        // too, without another peek.
        const q = pairs[(bits << (p >>> 16)) >>> 20]!;
        if (q === 0) continue;
        a0 = (a0 + (q & 63)) | 0;
        if (a0 >= width) {
          pos = (pos + ((q >>> 12) & 15)) | 0;
          ok = a0 === width;
          break;
        }
        marks[a0 >>> 5]! ^= 1 << ((a0 ^ 7) & 31);
        pos = (pos + (q >>> 16)) | 0;
        a0 = (a0 + ((q >>> 6) & 63)) | 0;
        if (a0 >= width) {
          ok = a0 === width;
          break;
        }
        marks[a0 >>> 5]! ^= 1 << ((a0 ^ 7) & 31);
        continue;
      }
      let run = 0;
      for (;;) {
        const e = white[(view.getUint32(pos >>> 3) << (pos & 7)) >>> 19]!;
        if (e === 0) break rows;
        pos = (pos + (e & 15)) | 0;
        run = (run + (e >>> 4)) | 0;
        if (e < 64 << 4) break;
        if (run > width) break rows;
      }
      a0 = (a0 + run) | 0;
      if (a0 >= width) {
        ok = a0 === width;
        break;
      }
      marks[a0 >>> 5]! ^= 1 << ((a0 ^ 7) & 31);

      run = 0;
      for (;;) {
        const e = black[(view.getUint32(pos >>> 3) << (pos & 7)) >>> 19]!;
        if (e === 0) break rows;
        pos = (pos + (e & 15)) | 0;
        run = (run + (e >>> 4)) | 0;
        if (e < 64 << 4) break;
        if (run > width) break rows;
      }
      a0 = (a0 + run) | 0;
      if (a0 >= width) {
        ok = a0 === width;
        break;
      }
      marks[a0 >>> 5]! ^= 1 << ((a0 ^ 7) & 31);
    }
    this.pos = pos;
    return ok ? 0 : -1;
  }

  /** Two-dimensional row (T.4 4.2.1.3, T.6 2.2) against the previous row's changes in `ref`. */
  private decode2D(): number {
    const view = this.view;
    const width = this.width;
    // ref and cur as indexes into one array (see `changes`): ib and c below are absolute.
    const chg = this.changes;
    const base = this.curBase;
    const vpairs = VV_DECODE;
    const hpairs = H_PAIR_DECODE;
    // One live value for the input: each code peeks 32 bits at its own position (at least 25
    // of them valid), so there is no window to refill and no refill branch to mispredict.
    let pos = this.pos;
    let a0 = -1;
    // Where the next change goes: c - base changes so far, whose parity (base is even) is
    // the colour of a0.
    let c = base;
    // b1's index in ref: the first change right of a0 whose colour is opposite to a0's, i.e.
    // the first index with c's parity holding a value > a0. Every earlier index of that parity
    // holds a value <= a0, so the search steps two at a time and never goes back past b1.
    let ib = this.refBase;
    let b1 = chg[ib]!;
    // Changes are marked into the row's words as found, as in decode1D; a cancelled change
    // toggles its mark back. A plain `^=` on its word, as there: holding the word in locals
    // measured 10-13% slower in this loop, which already keeps many values live.
    const mb = this.nextWordsBase;
    chg.fill(0, mb, mb + this.nextWords.words.length);
    // Arithmetic written `(x + y) | 0` wraps instead of being overflow-checked; every value
    // here is far from 2^31, and V8 then emits plain integer ops in this loop. Each mode's
    // branch leaves the loop itself once a0 reaches the width.
    rows: for (;;) {
      const bits = view.getUint32(pos >>> 3) << (pos & 7);
      if (bits >>> 29 === 7) {
        // Three or more V0 codes (one 1 bit each), as text has along unchanged edges: each
        // copies b1, and the next b1 is the change after it, with no search.
        while (b1 <= a0) {
          ib = (ib + 2) | 0;
          b1 = chg[ib]!;
        }
        for (let k = Math.clz32(~bits); k > 0; k--) {
          pos = (pos + 1) | 0;
          if (b1 >= width) {
            if (b1 > width) break rows;
            a0 = width;
            break rows;
          }
          chg[c] = b1;
          c = (c + 1) | 0;
          chg[mb + (b1 >>> 5)]! ^= 1 << ((b1 ^ 7) & 31);
          a0 = b1;
          ib = (ib + 1) | 0;
          b1 = chg[ib]!;
        }
        continue;
      }
      const e = vpairs[bits >>> (32 - Table.PairPeek)]!;
      pos = (pos + (e & 15)) | 0;
      const mode = (e >>> 4) & 15;
      while (b1 <= a0) {
        ib = (ib + 2) | 0;
        b1 = chg[ib]!;
      }
      if (mode < Table.Horizontal) {
        const a1 = (b1 + mode - 4) | 0;
        if (a1 > a0) {
          if (a1 >= width) {
            if (a1 > width) break;
            a0 = width;
            break;
          }
          chg[c] = a1;
          c = (c + 1) | 0;
        } else if (a1 === a0 && a1 >= 0) {
          // a1 on a0: legal only where a0 is not itself a change; a repeated change cancels.
          if (c > base && chg[c - 1] === a1) c--;
          else chg[c++] = a1;
        } else {
          break;
        }
        chg[mb + (a1 >>> 5)]! ^= 1 << ((a1 ^ 7) & 31);
        a0 = a1;
        // c's parity flipped. After V0/VR (mode >= 4), b1 <= a0: the next b1 is past it.
        // After VL the change before b1 may still lie right of a0; before ref's first change
        // is the -1 slot, which the step below passes (a0 >= 0) for ref's second. No branch:
        // VL and VR alternate unpredictably in halftones.
        ib = (ib + ((mode >>> 2) << 1) - 1) | 0;
        // One step of the b1 search without a branch (whether it is needed is a coin toss in
        // halftones); the loop above takes any further step.
        b1 = chg[ib]!;
        const next = chg[ib + 2]!;
        const keep = (a0 - b1) >> 31;
        b1 = (b1 & keep) | (next & ~keep);
        ib = (ib + (2 & ~keep)) | 0;
        if (e < 256) continue;
        // A second vertical code from the same lookup: the same steps again.
        pos = (pos + ((e >>> 8) & 15)) | 0;
        const mode2 = e >>> 12;
        while (b1 <= a0) {
          ib = (ib + 2) | 0;
          b1 = chg[ib]!;
        }
        const a2 = (b1 + mode2 - 4) | 0;
        if (a2 > a0) {
          if (a2 >= width) {
            if (a2 > width) break;
            a0 = width;
            break;
          }
          chg[c] = a2;
          c = (c + 1) | 0;
        } else if (a2 === a0 && a2 >= 0) {
          if (c > base && chg[c - 1] === a2) c--;
          else chg[c++] = a2;
        } else {
          break;
        }
        chg[mb + (a2 >>> 5)]! ^= 1 << ((a2 ^ 7) & 31);
        a0 = a2;
        ib = (ib + ((mode2 >>> 2) << 1) - 1) | 0;
        b1 = chg[ib]!;
        const next2 = chg[ib + 2]!;
        const keep2 = (a0 - b1) >> 31;
        b1 = (b1 & keep2) | (next2 & ~keep2);
        ib = (ib + (2 & ~keep2)) | 0;
      } else if (mode === Table.Pass) {
        a0 = chg[ib + 1]!;
        ib += 2;
        b1 = chg[ib]!;
        if (a0 >= width) break;
      } else if (mode !== Table.Horizontal) {
        this.pos = pos;
        return -1;
      } else {
        // Horizontal: two runs, a0's colour first (T.4 4.2.1.3.2 c). Both terminating codes
        // in one lookup when they fit PAIR_PEEK bits (most pairs in text and halftones), else one by one.
        let a1 = a0 < 0 ? 0 : a0;
        let run = 0;
        const p = hpairs[((c & 1) << 12) | ((view.getUint32(pos >>> 3) << (pos & 7)) >>> 20)]!;
        if (p !== 0) {
          pos = (pos + (p >>> 16)) | 0;
          a1 += p & 63;
          run = (p >>> 6) & 63;
        } else {
          // Make-up or long codes: rare enough to keep out of this loop's registers.
          const first = this.horizontalRuns(pos, c & 1);
          if (first < 0) return -1;
          pos = this.pos;
          a1 += first;
          run = this.secondRun;
        }
        const a2 = a1 + run;
        if (a2 > width) break;
        // Every change so far is <= a0, so only a zero run can land on the last one (cancel).
        if (a1 < width) {
          if (a1 === a0 && c > base && chg[c - 1] === a1) c--;
          else chg[c++] = a1;
          chg[mb + (a1 >>> 5)]! ^= 1 << ((a1 ^ 7) & 31);
        }
        if (a2 < width) {
          if (a2 === a1 && c > base && chg[c - 1] === a2) c--;
          else chg[c++] = a2;
          chg[mb + (a2 >>> 5)]! ^= 1 << ((a2 ^ 7) & 31);
        }
        a0 = a2;
        if (a0 === width) break;
        // Two changes: c has its parity again, and ib is still a lower bound for b1.
      }
    }
    this.pos = pos;
    // Left the loop by a break without reaching the width: an invalid a1 or a2.
    if (a0 !== width) return -1;
    for (let s = 0; s < SENTINELS; s++) chg[c + s] = width;
    return c - base;
  }

  /**
   * Horizontal mode's two runs one code at a time, from `pos` with a0's colour `color` first.
   * Returns the first run, leaving the second in secondRun and the position after both in
   * `pos`; or -1 with `pos` at the code that failed.
   */
  private horizontalRuns(pos: number, color: number): number {
    const view = this.view;
    const runs = RUN_DECODE;
    const width = this.width;
    let table = color << Table.RunPeek;
    let first = 0;
    for (let k = 0; k < 2; k++) {
      let run = 0;
      for (;;) {
        const r = runs[table | ((view.getUint32(pos >>> 3) << (pos & 7)) >>> 19)]!;
        if (r === 0 || run > width) {
          this.pos = pos;
          return -1;
        }
        pos += r & 15;
        run += r >>> 4;
        if (r < 64 << 4) break;
      }
      if (k === 0) first = run;
      else this.secondRun = run;
      table ^= 1 << Table.RunPeek;
    }
    this.pos = pos;
    return first;
  }
}
