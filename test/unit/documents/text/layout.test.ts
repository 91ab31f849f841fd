import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutText, layoutTextInSlices } from '../../../../plugins/documents/text/layout.ts';
import type { LayoutOptions } from '../../../../plugins/documents/text/layout.ts';
import type { FontSize } from '../../../../plugins/documents/text/types.ts';

/** S7, A4: [lines, half-width, full-width] for font sizes 1..7. */
const s7 = {
  portrait: [[101, 133, 68], [75, 100, 51], [62, 83, 42], [55, 73, 37], [41, 55, 28], [30, 40, 20], [19, 26, 13]],
  landscape: [[68, 196, 100], [51, 147, 75], [42, 123, 62], [37, 108, 55], [27, 81, 41], [20, 60, 30], [12, 39, 20]],
} as const;

const lines = (text: string, o: LayoutOptions): string[][] => layoutText(text, o).pages.map((p) => p.map((l) => l.text));
const a4 = (fontSize: FontSize = 7): LayoutOptions => ({ fontSize, paper: 'A4', orientation: 'portrait' });

describe('S7 capacities (A4), every size and orientation', () => {
  for (const orientation of ['portrait', 'landscape'] as const) {
    s7[orientation].forEach(([nLines, nHalf, nFull], i) => {
      const fontSize = (i + 1) as FontSize;
      const o: LayoutOptions = { fontSize, paper: 'A4', orientation };
      it(`size ${fontSize} ${orientation}: ${nLines} lines, ${nHalf} half-width, ${nFull} full-width`, () => {
        assert.deepEqual(lines('a'.repeat(nHalf), o), [['a'.repeat(nHalf)]]);
        assert.deepEqual(lines('a'.repeat(nHalf + 1), o), [['a'.repeat(nHalf), 'a']]);
        assert.deepEqual(lines('漢'.repeat(nFull), o), [['漢'.repeat(nFull)]]);
        assert.deepEqual(lines('漢'.repeat(nFull + 1), o), [['漢'.repeat(nFull), '漢']]);
        const page = Array.from({ length: nLines }, (_, n) => `line ${n}`);
        assert.equal(layoutText(page.join('\n'), o).pages.length, 1);
        const over = layoutText([...page, 'one more'].join('\n'), o).pages;
        assert.equal(over.length, 2);
        assert.equal(over[0]!.length, nLines);
        assert.deepEqual(over[1]!.map((l) => l.text), ['one more']);
      });
    });
  }

  it('mixes half- and full-width characters by width: 41 full + 1 half fit at size 3, not 41 full + 2 half', () => {
    const o = a4(3);
    // Line = 83 x 42 units; full = 83, half = 42: 41*83 + 42 = 3445 <= 3486 < 3487 = 41*83 + 2*42.
    // Half-width katakana: half-width, but breakable between any two (not a Latin word).
    assert.deepEqual(lines('漢'.repeat(41) + 'ｱ', o), [['漢'.repeat(41) + 'ｱ']]);
    assert.deepEqual(lines('漢'.repeat(41) + 'ｱｲ', o), [['漢'.repeat(41) + 'ｱ', 'ｲ']]);
  });

  it('keeps A4 pitches on other papers, fitting more on larger ones', () => {
    const b4 = layoutText('x', { fontSize: 3, paper: 'B4', orientation: 'portrait' }).grid;
    const a4g = layoutText('x', a4(3)).grid;
    assert.ok(b4.halfColumns > a4g.halfColumns && b4.lines > a4g.lines);
    // B4 text area 237 x 344 mm at A4's size-3 pitches (190/83, 190/42, 277/62 mm).
    assert.deepEqual([b4.halfColumns, b4.fullColumns, b4.lines], [Math.floor((237 * 83) / 190), Math.floor((237 * 42) / 190), Math.floor((344 * 62) / 277)]);
    const letter = layoutText('x', { fontSize: 3, paper: 'Letter', orientation: 'portrait' }).grid;
    assert.ok(letter.lines < a4g.lines && letter.halfColumns > a4g.halfColumns);
  });

  it('gives glyphs the S7 point size unless the cells are smaller', () => {
    const pt = (mm: number): number => (mm * 72) / 25.4;
    const ranges: [number, number][] = [[7, 8], [9, 10], [11, 12], [13, 14], [18, 18], [24, 24], [36, 36]];
    for (const orientation of ['portrait', 'landscape'] as const) {
      ranges.forEach(([lo, hi], i) => {
        const g = layoutText('x', { fontSize: (i + 1) as FontSize, paper: 'A4', orientation }).grid;
        assert.ok(pt(g.emMm) >= lo - 1e-9 && pt(g.emMm) <= hi + 1e-9, `size ${i + 1} ${orientation}: ${pt(g.emMm)} pt`);
        assert.ok(g.emMm <= g.linePitchMm && g.emMm <= g.areaWidthMm / g.fullColumns);
      });
    }
  });
});

describe('line and page breaks', () => {
  it('treats CRLF, CR and LF as one line end each', () => {
    assert.deepEqual(lines('a\r\nb\rc\nd', a4()), [['a', 'b', 'c', 'd']]);
    assert.deepEqual(lines('a\r\n\r\nb', a4()), [['a', '', 'b']]);
  });

  it('starts a new page at a form feed, without blank pages for leading or repeated ones', () => {
    assert.deepEqual(lines('\fa\fb\f\fc\f', a4()), [['a'], ['b'], ['c']]);
    assert.deepEqual(lines('a\n\fb', a4()), [['a'], ['b']]);
  });

  it('expands tabs to the next multiple of 8 columns', () => {
    assert.deepEqual(lines('a\tb\tc', a4(1)), [['a       b       c']]);
    assert.deepEqual(lines('12345678\tx', a4(1)), [['12345678        x']]);
    // A full-width character is two columns.
    assert.deepEqual(lines('漢\tx', a4(1)), [['漢      x']]);
  });

  it('stops past maxPages and says so', () => {
    const grid = layoutText('x', a4()).grid;
    const text = 'line\n'.repeat(grid.lines * 50);
    const all = layoutText(text, a4());
    assert.deepEqual([all.pages.length, all.truncated], [50, false]);
    const cut = layoutText(text, { ...a4(), maxPages: 3 });
    assert.deepEqual([cut.pages.length, cut.truncated], [4, true]);
    const exact = layoutText(text, { ...a4(), maxPages: 50 });
    assert.deepEqual([exact.pages.length, exact.truncated], [50, false]);
  });

  it('lays out nothing for a text with nothing visible', () => {
    assert.deepEqual(layoutText('', a4()).pages, []);
    assert.deepEqual(layoutText(' \n\t\r\n\f\u3000', a4()).pages, []);
  });

  it('drops control and zero-width characters, composes combining marks', () => {
    assert.deepEqual(lines('a\u0000b\u200bc\ufeffd\u0007', a4()), [['abcd']]);
    assert.deepEqual(lines('e\u0301', a4()), [['é']]);
  });
});

describe('Latin word wrap', () => {
  it('wraps at the last space and drops the spaces at the wrap', () => {
    // 26 half-width per line at size 7.
    assert.deepEqual(lines('The quick brown fox jumps over the lazy dog.', a4()), [['The quick brown fox jumps', 'over the lazy dog.']]);
    assert.deepEqual(lines(`${'a'.repeat(20)}      bbbbbbbbbb`, a4()), [['a'.repeat(20), 'bbbbbbbbbb']]);
  });

  it('cuts a word longer than a line', () => {
    assert.deepEqual(lines('x '.concat('y'.repeat(30)), a4()), [['x', 'y'.repeat(26), 'yyyy']]);
  });

  it('breaks between Latin and Japanese without a space', () => {
    // 12 full-width = 24 columns, then "abc": "ab" fits in the last 2 columns but the word goes down whole.
    assert.deepEqual(lines(`${'漢'.repeat(12)}abc`, a4()), [['漢'.repeat(12), 'abc']]);
  });
});

describe('kinsoku shori (push-out)', () => {
  // Size 7 portrait: 13 full-width characters per line.
  const full = (n: number): string => 'あ'.repeat(n);

  for (const ch of ['。', '、', '」', '』', '）', 'ー', 'ッ', 'ゃ', '々', '！', '？', '・']) {
    it(`no line starts with ${ch}: the last character goes down with it`, () => {
      assert.deepEqual(lines(full(13) + ch, a4()), [[full(12), `あ${ch}`]]);
    });
  }

  it('pushes out as far as needed for a run of closing characters', () => {
    assert.deepEqual(lines(`${full(12)}」。`, a4()), [[full(11), 'あ」。']]);
    assert.deepEqual(lines(`${full(12)}い」。`, a4()), [[full(12), 'い」。']]);
  });

  for (const ch of ['「', '『', '（', '【', '〔']) {
    it(`no line ends with ${ch}: it goes down to the next line`, () => {
      assert.deepEqual(lines(`${full(12)}${ch}い`, a4()), [[full(12), `${ch}い`]]);
    });
  }

  it('applies to ASCII brackets and punctuation too', () => {
    // 26 half-width: no line may end with "(" at the end or start a line with ")".
    assert.deepEqual(lines(`${'漢'.repeat(12)}(漢`, a4()), [['漢'.repeat(12), '(漢']]);
    assert.deepEqual(lines(`${'漢'.repeat(13)})`, a4()), [['漢'.repeat(12), '漢)']]);
    assert.deepEqual(lines(`${'漢'.repeat(13)}.`, a4()), [['漢'.repeat(12), '漢.']]);
  });

  it('never makes a line longer than the grid', () => {
    const text = '「今日は、いい天気ですね。」と彼は言った。（本当に！）ッャュョー'.repeat(40);
    for (const size of [1, 4, 7] as const) {
      const layout = layoutText(text, a4(size));
      for (const line of layout.pages.flat()) {
        const used = line.cells.reduce((s, c) => s + c.units, 0);
        assert.ok(used <= layout.grid.lineUnits);
        assert.ok(!/^[、。」）ッャュョー！]/.test(line.text), `starts with a no-start: ${line.text}`);
        assert.ok(!/[「（]$/.test(line.text), `ends with a no-end: ${line.text}`);
      }
      assert.equal(layout.pages.flat().map((l) => l.text).join(''), text);
    }
  });
});

describe('cells', () => {
  it('places characters by width units: half-width costs the full-width column count, and the other way round', () => {
    const layout = layoutText('a漢b', a4(3));
    const [a, k, b] = layout.pages[0]![0]!.cells;
    assert.deepEqual([a!.start, a!.units, a!.full], [0, 42, false]);
    assert.deepEqual([k!.start, k!.units, k!.full], [42, 83, true]);
    assert.deepEqual([b!.start, b!.units], [125, 42]);
  });
});

describe('long texts', () => {
  it('are laid out a slice at a time: timers run meanwhile, and the layout is the same as in one go', async () => {
    // About 60 pages of mixed Japanese and Latin with wraps, tabs, form feeds and kinsoku.
    const text = Array.from({ length: 4000 }, (_, i) => `${i}\t送信テスト「ファクス」、The quick brown fox jumps over the lazy dog。${i % 97 === 0 ? '\f' : ''}${'x'.repeat(i % 150)}`).join('\r\n');
    const o = a4(3);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const sliced = await layoutTextInSlices(text, o, 2);
    clearInterval(timer);
    const whole = layoutText(text, o);
    assert.ok(whole.pages.length > 50, `${whole.pages.length} pages`);
    assert.deepEqual(sliced.pages.map((p) => p.map((l) => l.text)), whole.pages.map((p) => p.map((l) => l.text)));
    assert.ok(ticks >= 2, `the event loop ran ${ticks} timer ticks during the layout`);
  });
});
