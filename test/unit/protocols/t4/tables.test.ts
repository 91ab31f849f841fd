/** The code tables must be prefix-free and fill the code space exactly as T.4 defines it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BLACK_CODES,
  BLACK_DECODE,
  H_PAIR_DECODE,
  PAIR_PEEK,
  RUN_BITS,
  RUN_PEEK,
  RUN_TABLE_SIZE,
  WHITE_CODES,
  WHITE_DECODE,
  runCodeList,
} from '../../../../protocols/t4/tables.ts';

describe('T.4 code tables', () => {
  for (const color of [0, 1] as const) {
    it(`${color === 0 ? 'white' : 'black'}: 64 terminating + 40 make-up codes, prefix-free with EOL`, () => {
      const list = runCodeList(color);
      assert.equal(list.length, 104);
      const codes = [...list.map((c) => c.code), '000000000001'];
      for (const a of codes) for (const b of codes) if (a !== b) assert.ok(!b.startsWith(a), `${a} is a prefix of ${b}`);
      // Every bit string is either a code, or starts with 8 zeros (EOL / fill territory):
      // the codes' Kraft sum is exactly 1 - 2^-8 plus EOL's 2^-12.
      const kraft = codes.reduce((s, c) => s + 2 ** -c.length, 0);
      assert.equal(kraft, 1 - 2 ** -8 + 2 ** -12);
      assert.ok(list.every((c) => c.code.length <= 13));
    });
  }

  it('extended make-up codes (1792..2560) are shared by both colours', () => {
    for (let m = 28; m <= 40; m++) {
      assert.equal(WHITE_CODES.makeupCode[m], BLACK_CODES.makeupCode[m]);
      assert.equal(WHITE_CODES.makeupBits[m], BLACK_CODES.makeupBits[m]);
    }
  });

  it('combined run codes: make-up bits + terminating bits', () => {
    assert.equal(RUN_BITS[1728], 9 + 8); // white 1728 + white 0
    assert.equal(RUN_BITS[RUN_TABLE_SIZE + 1728], 13 + 10); // black 1728 + black 0
    assert.equal(RUN_BITS[RUN_TABLE_SIZE + 2], 2);
  });

  it('horizontal pair table agrees with two single-code lookups, both colour orders', () => {
    let pairs = 0;
    for (const color of [0, 1] as const) {
      const [first, second] = color === 0 ? [WHITE_DECODE, BLACK_DECODE] : [BLACK_DECODE, WHITE_DECODE];
      for (let bits = 0; bits < 1 << PAIR_PEEK; bits++) {
        // The 12 bits followed by zeros, as a 26-bit window: room for two 13-bit peeks.
        const win = bits * 2 ** 14;
        const e1 = first[(win >>> (26 - RUN_PEEK)) & 0x1fff]!;
        const n1 = e1 & 15;
        const e2 = second[(win >>> (26 - n1 - RUN_PEEK)) & 0x1fff]!;
        const both = n1 + (e2 & 15);
        const fits = e1 !== 0 && e2 !== 0 && e1 >>> 4 < 64 && e2 >>> 4 < 64 && both <= PAIR_PEEK;
        const p = H_PAIR_DECODE[(color << PAIR_PEEK) | bits]!;
        if (!fits) {
          assert.equal(p, 0, `color ${color} bits ${bits.toString(2)}`);
          continue;
        }
        pairs++;
        assert.equal(p & 63, e1 >>> 4);
        assert.equal((p >>> 6) & 63, e2 >>> 4);
        assert.equal((p >>> 12) & 15, n1);
        assert.equal(p >>> 16, both);
      }
    }
    assert.ok(pairs > 2000, `only ${pairs} pair entries`);
  });
});
