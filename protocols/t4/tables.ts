/**
 * Code tables of ITU-T T.4 (2003) tables 1/T.4 (terminating), 2/T.4 (make-up), 3/T.4 (extended
 * make-up, shared by both colours), 4/T.4 (two-dimensional modes), and the lookup tables the
 * decoders index with the next bits of input, built once at module load.
 */

/** Terminating codes, run lengths 0..63 (table 1/T.4). */
const WHITE_TERMINATING = [
  '00110101', '000111', '0111', '1000', '1011', '1100', '1110', '1111', // 0-7
  '10011', '10100', '00111', '01000', '001000', '000011', '110100', '110101', // 8-15
  '101010', '101011', '0100111', '0001100', '0001000', '0010111', '0000011', '0000100', // 16-23
  '0101000', '0101011', '0010011', '0100100', '0011000', '00000010', '00000011', '00011010', // 24-31
  '00011011', '00010010', '00010011', '00010100', '00010101', '00010110', '00010111', '00101000', // 32-39
  '00101001', '00101010', '00101011', '00101100', '00101101', '00000100', '00000101', '00001010', // 40-47
  '00001011', '01010010', '01010011', '01010100', '01010101', '00100100', '00100101', '01011000', // 48-55
  '01011001', '01011010', '01011011', '01001010', '01001011', '00110010', '00110011', '00110100', // 56-63
];

const BLACK_TERMINATING = [
  '0000110111', '010', '11', '10', '011', '0011', '0010', '00011', // 0-7
  '000101', '000100', '0000100', '0000101', '0000111', '00000100', '00000111', '000011000', // 8-15
  '0000010111', '0000011000', '0000001000', '00001100111', '00001101000', '00001101100', '00000110111', '00000101000', // 16-23
  '00000010111', '00000011000', '000011001010', '000011001011', '000011001100', '000011001101', '000001101000', '000001101001', // 24-31
  '000001101010', '000001101011', '000011010010', '000011010011', '000011010100', '000011010101', '000011010110', '000011010111', // 32-39
  '000001101100', '000001101101', '000011011010', '000011011011', '000001010100', '000001010101', '000001010110', '000001010111', // 40-47
  '000001100100', '000001100101', '000001010010', '000001010011', '000000100100', '000000110111', '000000111000', '000000100111', // 48-55
  '000000101000', '000001011000', '000001011001', '000000101011', '000000101100', '000001011010', '000001100110', '000001100111', // 56-63
];

/** Make-up codes for 64..1728 in steps of 64 (table 2/T.4). */
const WHITE_MAKEUP = [
  '11011', '10010', '010111', '0110111', '00110110', '00110111', '01100100', '01100101', // 64-512
  '01101000', '01100111', '011001100', '011001101', '011010010', '011010011', '011010100', '011010101', // 576-1024
  '011010110', '011010111', '011011000', '011011001', '011011010', '011011011', '010011000', '010011001', // 1088-1536
  '010011010', '011000', '010011011', // 1600-1728
];

const BLACK_MAKEUP = [
  '0000001111', '000011001000', '000011001001', '000001011011', '000000110011', '000000110100', '000000110101', '0000001101100', // 64-512
  '0000001101101', '0000001001010', '0000001001011', '0000001001100', '0000001001101', '0000001110010', '0000001110011', '0000001110100', // 576-1024
  '0000001110101', '0000001110110', '0000001110111', '0000001010010', '0000001010011', '0000001010100', '0000001010101', '0000001011010', // 1088-1536
  '0000001011011', '0000001100100', '0000001100101', // 1600-1728
];

/** Extended make-up codes 1792..2560 (table 3/T.4), the same for white and black. */
const EXTENDED_MAKEUP = [
  '00000001000', '00000001100', '00000001101', '000000010010', '000000010011', '000000010100', '000000010101', // 1792-2176
  '000000010110', '000000010111', '000000011100', '000000011101', '000000011110', '000000011111', // 2240-2560
];

/** Longest run one make-up code covers; longer runs repeat it (T.4 4.1.1.3). */
export const MAX_MAKEUP = 2560;

export const EOL_CODE = 0b000000000001;
export const EOL_BITS = 12;

/** Two-dimensional mode codes (table 4/T.4), as [code, bits]. */
export const PASS = { code: 0b0001, bits: 4 } as const;
export const HORIZONTAL = { code: 0b001, bits: 3 } as const;
/** Vertical modes indexed by a1 - b1 + 3 (VL3, VL2, VL1, V0, VR1, VR2, VR3). */
export const VERTICAL_CODE = new Int32Array([0b0000010, 0b000010, 0b010, 0b1, 0b011, 0b000011, 0b0000011]);
export const VERTICAL_BITS = new Int32Array([7, 6, 3, 1, 3, 6, 7]);

export interface RunCodeTable {
  /** code and bit length of terminating codes for runs 0..63 */
  readonly termCode: Int32Array;
  readonly termBits: Int32Array;
  /** code and bit length of make-up codes, indexed by run / 64 (1..40) */
  readonly makeupCode: Int32Array;
  readonly makeupBits: Int32Array;
}

function parse(bits: string): number {
  return parseInt(bits, 2);
}

function buildRunCodes(term: readonly string[], makeup: readonly string[]): RunCodeTable {
  const t = {
    termCode: new Int32Array(64),
    termBits: new Int32Array(64),
    makeupCode: new Int32Array(41),
    makeupBits: new Int32Array(41),
  };
  term.forEach((c, run) => {
    t.termCode[run] = parse(c);
    t.termBits[run] = c.length;
  });
  [...makeup, ...EXTENDED_MAKEUP].forEach((c, i) => {
    t.makeupCode[i + 1] = parse(c);
    t.makeupBits[i + 1] = c.length;
  });
  return t;
}

export const WHITE_CODES = buildRunCodes(WHITE_TERMINATING, WHITE_MAKEUP);
export const BLACK_CODES = buildRunCodes(BLACK_TERMINATING, BLACK_MAKEUP);

/** Every (run, code) pair of one colour, for table construction and tests. */
export function runCodeList(color: 0 | 1): Array<{ run: number; code: string }> {
  const term = color === 0 ? WHITE_TERMINATING : BLACK_TERMINATING;
  const makeup = color === 0 ? WHITE_MAKEUP : BLACK_MAKEUP;
  return [
    ...term.map((code, run) => ({ run, code })),
    ...[...makeup, ...EXTENDED_MAKEUP].map((code, i) => ({ run: (i + 1) * 64, code })),
  ];
}

/**
 * Run decode tables, indexed by the next RUN_PEEK bits (MSB first).
 * Entry = run << 4 | bits; 0 = no valid code starts here (includes EOL and fill zeros).
 * Runs >= 64 are make-up codes and must be followed by a terminating code.
 */
export const RUN_PEEK = 13;

function buildRunDecode(color: 0 | 1): Uint16Array {
  const table = new Uint16Array(1 << RUN_PEEK);
  for (const { run, code } of runCodeList(color)) {
    const shift = RUN_PEEK - code.length;
    const base = parse(code) << shift;
    const entry = (run << 4) | code.length;
    for (let i = 0; i < 1 << shift; i++) table[base + i] = entry;
  }
  return table;
}

export const WHITE_DECODE = buildRunDecode(0);
export const BLACK_DECODE = buildRunDecode(1);
/** WHITE_DECODE then BLACK_DECODE in one table: index colour << RUN_PEEK | the next RUN_PEEK bits. */
export const RUN_DECODE = new Uint16Array(2 << RUN_PEEK);
RUN_DECODE.set(WHITE_DECODE, 0);
RUN_DECODE.set(BLACK_DECODE, 1 << RUN_PEEK);

/**
 * A white and then a black terminating code (runs 0..63) read in one lookup, indexed by the
 * next PAIR_PEEK bits: halftones are mostly such short pairs, and one lookup per pair halves
 * the chain of dependent table loads a 1-D row costs. Entry = white run | black run << 6 |
 * white code bits << 12 | both codes' bits << 16; 0 = no such pair starts here (make-up codes,
 * longer codes, EOL), and the decoder reads one code at a time.
 */
export const PAIR_PEEK = 12;

function buildPairDecode(firstCodes: readonly string[], secondCodes: readonly string[]): Int32Array {
  const table = new Int32Array(1 << PAIR_PEEK);
  firstCodes.forEach((f, firstRun) => {
    secondCodes.forEach((c, secondRun) => {
      const bits = f.length + c.length;
      if (bits > PAIR_PEEK) return;
      const shift = PAIR_PEEK - bits;
      const base = parse(f + c) << shift;
      const entry = firstRun | (secondRun << 6) | (f.length << 12) | (bits << 16);
      for (let i = 0; i < 1 << shift; i++) table[base + i] = entry;
    });
  });
  return table;
}

export const PAIR_DECODE = buildPairDecode(WHITE_TERMINATING, BLACK_TERMINATING);
/**
 * The pairs a 2-D horizontal mode starts with, indexed by a0's colour << PAIR_PEEK | the next
 * PAIR_PEEK bits: PAIR_DECODE for white, then the same for a black and a white code. One
 * table rather than a choice of two keeps the lookup monomorphic in the decoder's hot loop.
 */
export const H_PAIR_DECODE = new Int32Array(2 << PAIR_PEEK);
H_PAIR_DECODE.set(PAIR_DECODE, 0);
H_PAIR_DECODE.set(buildPairDecode(BLACK_TERMINATING, WHITE_TERMINATING), 1 << PAIR_PEEK);

/**
 * Mode decode table indexed by the next MODE_PEEK bits.
 * Entry = mode << 4 | bits. Modes: 1..7 vertical with a1 - b1 = mode - 4, 8 = horizontal,
 * 9 = pass, MODE_INVALID (bits 0) where no mode code starts: EOL, fill, extension codes
 * (uncompressed mode is not supported). Invalid sorts after the others, so a decoder tests
 * `mode < MODE_HORIZONTAL` first and meets it only on the rare paths.
 */
export const MODE_PEEK = 7;
export const MODE_HORIZONTAL = 8;
export const MODE_PASS = 9;
export const MODE_INVALID = 15;

function buildModeDecode(): Int32Array {
  const table = new Int32Array(1 << MODE_PEEK).fill(MODE_INVALID << 4);
  const put = (code: number, bits: number, mode: number): void => {
    const shift = MODE_PEEK - bits;
    for (let i = 0; i < 1 << shift; i++) table[(code << shift) + i] = (mode << 4) | bits;
  };
  for (let d = 0; d < 7; d++) put(VERTICAL_CODE[d] ?? 0, VERTICAL_BITS[d] ?? 0, d + 1);
  put(HORIZONTAL.code, HORIZONTAL.bits, MODE_HORIZONTAL);
  put(PASS.code, PASS.bits, MODE_PASS);
  return table;
}

export const MODE_DECODE = buildModeDecode();

/**
 * Two vertical-mode codes read in one lookup, indexed by the next VV_PEEK bits: vertical codes
 * are 85-95% of a halftone page's codes and most follow another. Entry = the first code's
 * MODE_DECODE entry (mode << 4 | bits), plus, when a second vertical code follows within the
 * peek, its bits << 8 | its mode << 12 (so an entry > 255 holds a pair). Any other first
 * code (pass, horizontal, invalid) or a longer pair is the first code alone.
 */
export const VV_PEEK = 12;

function buildVerticalPairs(): Int32Array {
  const table = new Int32Array(1 << VV_PEEK);
  for (let i = 0; i < 1 << VV_PEEK; i++) {
    const first = MODE_DECODE[i >>> (VV_PEEK - MODE_PEEK)] ?? 0;
    table[i] = first;
    const mode = first >>> 4;
    const bits = first & 15;
    if (mode >= MODE_HORIZONTAL) continue;
    const rest = VV_PEEK - bits;
    // The second code's MODE_PEEK-bit index, zero-filled where the peek ends.
    const next = rest >= MODE_PEEK ? (i >>> (rest - MODE_PEEK)) & ((1 << MODE_PEEK) - 1) : (i << (MODE_PEEK - rest)) & ((1 << MODE_PEEK) - 1);
    const second = MODE_DECODE[next] ?? 0;
    const secondBits = second & 15;
    if (second >>> 4 >= MODE_HORIZONTAL || secondBits > rest) continue;
    table[i] = first | (secondBits << 8) | ((second >>> 4) << 12);
  }
  return table;
}

export const VV_DECODE = buildVerticalPairs();

/** Leading zero bits of a byte (8 for 0), for the changing-element scans. */
export const LEADING_ZEROS = new Uint8Array(256);
for (let b = 0; b < 256; b++) LEADING_ZEROS[b] = b === 0 ? 8 : Math.clz32(b) - 24;

/**
 * Whole-run codes for the encoders: make-up (if run >= 64) followed by terminating code, as one
 * value of at most 25 bits, for runs 0..RUN_TABLE_SIZE-1; index = colour * RUN_TABLE_SIZE + run.
 * Longer runs first emit 2560 make-ups until the rest fits (T.4 4.1.1.3).
 */
export const RUN_TABLE_SIZE = MAX_MAKEUP + 64;
export const RUN_CODE = new Int32Array(2 * RUN_TABLE_SIZE);
export const RUN_BITS = new Uint8Array(2 * RUN_TABLE_SIZE);
for (const [color, t] of [WHITE_CODES, BLACK_CODES].entries()) {
  for (let run = 0; run < RUN_TABLE_SIZE; run++) {
    const m = run >>> 6;
    const term = run & 63;
    const tb = t.termBits[term] ?? 0;
    const mb = m > 0 ? (t.makeupBits[m] ?? 0) : 0;
    const mc = m > 0 ? (t.makeupCode[m] ?? 0) : 0;
    RUN_CODE[color * RUN_TABLE_SIZE + run] = (mc << tb) | (t.termCode[term] ?? 0);
    RUN_BITS[color * RUN_TABLE_SIZE + run] = mb + tb;
  }
}
