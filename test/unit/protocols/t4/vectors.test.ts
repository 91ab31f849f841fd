/**
 * Hand-coded vectors from the T.4 / T.6 code tables: encode must produce exactly these bits,
 * decode must give back the pixels. Codes are written as in the tables, one per group.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bitmap, DecodeOptions, EncodeOptions } from '../../../../protocols/t4/index.ts';
import { decodePage, encodePage, firstDifference } from '../../../../protocols/t4/index.ts';
import { bits, picture, spans, toBits } from './helpers.ts';

function vector(name: string, page: Bitmap, enc: EncodeOptions, expected: string, dec?: Partial<DecodeOptions>): void {
  it(name, () => {
    const coded = encodePage(page, enc);
    assert.equal(toBits(coded), toBits(bits(expected)));
    const r = decodePage(bits(expected), { scheme: enc.scheme, width: page.width, ...dec });
    assert.equal(r.badLines, 0);
    assert.equal(r.lines, page.height);
    assert.equal(firstDifference(page, r.bitmap)?.message, undefined);
  });
}

const EOL = '000000000001';

describe('MH (T.4 one-dimensional) vectors', () => {
  vector(
    'all-white 1728 row: make-up 1728 + terminating white 0',
    spans(1728, 1, []),
    { scheme: 'mh', eol: false, rtc: false },
    '010011011 | 00110101',
  );
  vector(
    'all-black 1728 row: white 0, black make-up 1728 + black 0',
    spans(1728, 1, [[0, 1728]]),
    { scheme: 'mh', eol: false, rtc: false },
    '00110101 | 0000001100101 | 0000110111',
  );
  vector(
    '8 pixels ...##...: white 3, black 2, white 3',
    picture(['...##...']),
    { scheme: 'mh', eol: false, rtc: false },
    '1000 | 11 | 1000',
  );
  vector(
    'with EOL before the row and RTC (6 EOLs) after',
    picture(['#.......']),
    { scheme: 'mh' },
    `${EOL} | 00110101 010 1111 | ${EOL.repeat(6)}`,
  );
  vector(
    'a 6000-pixel white run: 2560 + 2560 + make-up 832 + terminating 48',
    spans(6000, 1, []),
    { scheme: 'mh', eol: false, rtc: false },
    '000000011111 | 000000011111 | 011010010 | 00001011',
  );
  vector(
    'extended make-up for black: 1 white, 1900 black (1856 + 44), 99 white (64 + 35)',
    spans(2000, 1, [[1, 1901]]),
    { scheme: 'mh', eol: false, rtc: false },
    '000111 | 00000001100 000001010100 | 11011 00010100',
  );
  vector(
    'alignEol: fill so each EOL ends on a byte boundary (TIFF T4Options bit 2)',
    picture(['...##...', '........']),
    { scheme: 'mh', alignEol: true, rtc: false },
    // row 1: 4 fill + EOL | 1000 11 1000 (10 bits); row 2: 2 fill + EOL | 1001 1 (white 8)
    `0000 ${EOL} | 1000 11 1000 | 00 ${EOL} | 10011`,
  );
  vector(
    'byteAlignRows (TIFF compression 2): each row starts on a byte',
    picture(['...##...', '#.......']),
    { scheme: 'mh', eol: false, byteAlignRows: true },
    '1000 11 1000 000000 | 00110101 010 1111 0',
    { eol: false, byteAlignRows: true },
  );
  vector(
    'minBitsPerLine: zero fill before the next EOL up to 40 bits per line',
    picture(['........', '........']),
    { scheme: 'mh', minBitsPerLine: 40, rtc: false },
    // EOL (12) + white 8 (5) = 17 bits, 23 fill bits to reach 40; the last line too
    `${EOL} 10011 ${'0'.repeat(23)} | ${EOL} 10011 ${'0'.repeat(23)}`,
  );
});

describe('MR (T.4 two-dimensional) vectors', () => {
  vector(
    'K=2: 1-D row (EOL+1) then the same row in 2-D (EOL+0): V0 V0 V0',
    picture(['...##...', '...##...']),
    { scheme: 'mr', k: 2, rtc: false },
    `${EOL} 1 | 1000 11 1000 | ${EOL} 0 | 1 1 1`,
  );
  vector(
    'vertical modes VR1 and VL1 against the row above',
    picture(['...##...', '....##..', '...##...']),
    { scheme: 'mr', k: 4, rtc: false },
    // row 2: a1=4,b1=3 VR1 011; a2=6,b2=5 VR1 011; a0=6 → end: b1=8 V0
    // row 3: a1=3,b1=4 VL1 010; a1=5,b1=6 VL1 010; V0
    `${EOL} 1 | 1000 11 1000 | ${EOL} 0 | 011 011 1 | ${EOL} 0 | 010 010 1`,
  );
  vector(
    'RTC in MR: six EOL+1',
    picture(['........']),
    { scheme: 'mr' },
    `${EOL} 1 | 10011 | ${(EOL + '1').repeat(6)}`,
  );
});

describe('MMR (T.6) vectors', () => {
  vector(
    'first row against an imaginary white row: horizontal mode, then V0; EOFB',
    picture(['...##...']),
    { scheme: 'mmr' },
    // H 001 + white 3 (1000) + black 2 (11); a0=5, a1=b1=8: V0; EOFB = EOL EOL
    `001 1000 11 | 1 | ${EOL} ${EOL}`,
  );
  vector(
    'pass mode and VL3',
    picture(['.##.....', '.....##.']),
    { scheme: 'mmr' },
    // row 1: H (white 1 = 000111, black 2 = 11), V0
    // row 2: b2=3 < a1=5: P 0001; a1=5,b1=8: VL3 0000010; a1=7,b1=8: VL1 010; V0
    `001 000111 11 | 1 | 0001 | 0000010 | 010 | 1 | ${EOL} ${EOL}`,
  );
  vector(
    'VR3, horizontal ending in a zero run, VL2, VL3; no EOFB',
    picture(['####....', '...#####', '.####...']),
    { scheme: 'mmr', eofb: false },
    // row 1: H white 0 (00110101) black 4 (011); a1=8=b1: V0
    // row 2 (ref changes 0,4): a1=3,b1=0,b2=4: VR3 0000011; a0=3, b1=4, a1=8: H black 5 (0011) white 0 (00110101)
    // row 3 (ref change 3): a1=1,b1=3 VL2 000010; a1=5, b1=8 VL3 0000010; V0
    '001 00110101 011 | 1 | 0000011 | 001 0011 00110101 | 000010 | 0000010 | 1',
    { height: 3 },
  );
});
