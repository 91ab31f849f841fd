/** VV_DECODE (two vertical-mode codes per lookup) must agree with two MODE_DECODE lookups. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MODE_DECODE, MODE_HORIZONTAL, MODE_PEEK, VV_DECODE, VV_PEEK } from '../../../../protocols/t4/tables.ts';

it('vertical pair table: first code as MODE_DECODE reads it, a second only when both are vertical and fit', () => {
  let pairs = 0;
  for (let bits = 0; bits < 1 << VV_PEEK; bits++) {
    // The peeked bits followed by zeros, as a 24-bit string: room for two 7-bit mode peeks.
    const s = bits.toString(2).padStart(VV_PEEK, '0').padEnd(24, '0');
    const first = MODE_DECODE[parseInt(s.slice(0, MODE_PEEK), 2)]!;
    const n1 = first & 15;
    const second = MODE_DECODE[parseInt(s.slice(n1, n1 + MODE_PEEK), 2)]!;
    const n2 = second & 15;
    const fits = first >>> 4 < MODE_HORIZONTAL && second >>> 4 < MODE_HORIZONTAL && n1 + n2 <= VV_PEEK;
    const e = VV_DECODE[bits]!;
    assert.equal(e & 0xff, first, `bits ${s.slice(0, VV_PEEK)}`);
    if (!fits) {
      assert.equal(e >>> 8, 0, `bits ${s.slice(0, VV_PEEK)}`);
      continue;
    }
    pairs++;
    assert.equal((e >>> 8) & 15, n2);
    assert.equal(e >>> 12, second >>> 4);
  }
  // Code space share of a pair is 2^-(n1+n2): vertical codes hold 1/2 + 2/8 + 2/64 + 2/128 of
  // it, so pairs hold that squared, less the 6+7 and 7+7 bit pairs that do not fit 12 bits.
  if (VV_PEEK === 12) assert.equal(pairs, 4096 * ((51 / 64) ** 2 - 8 / 2 ** 13 - 4 / 2 ** 14));
  else assert.ok(pairs > 0);
});
