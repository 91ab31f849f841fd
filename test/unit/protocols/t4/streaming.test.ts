/** LineEncoder / LineDecoder fed piecewise must agree with the whole-page functions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EncodeOptions, Scheme } from '../../../../protocols/t4/index.ts';
import { LineDecoder, LineEncoder, decodePage, encodePage, firstDifference, rowOf } from '../../../../protocols/t4/index.ts';
import { rng, runsPage, textPage } from './pages.ts';

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const OPTS: Record<Scheme, EncodeOptions> = {
  mh: { scheme: 'mh', minBitsPerLine: 200 },
  mr: { scheme: 'mr', k: 4, alignEol: true },
  mmr: { scheme: 'mmr' },
};

describe('streaming', () => {
  for (const scheme of ['mh', 'mr', 'mmr'] as const) {
    it(`${scheme}: LineEncoder drained after every row = encodePage`, () => {
      const page = runsPage(1728, 80, 5, 25);
      const enc = new LineEncoder(page.width, OPTS[scheme]);
      const parts: Uint8Array[] = [];
      for (let y = 0; y < page.height; y++) {
        enc.encodeLine(rowOf(page, y));
        parts.push(enc.drain());
      }
      parts.push(enc.finish());
      assert.deepEqual(concat(parts), encodePage(page, OPTS[scheme]));
      assert.equal(enc.lineCount, page.height);
    });

    it(`${scheme}: LineDecoder fed in random chunks (1..300 bytes) = decodePage`, () => {
      const page = textPage(1728, 300, 6);
      const coded = encodePage(page, OPTS[scheme]);
      const whole = decodePage(coded, { scheme, width: page.width });
      const r = rng(77);
      for (const maxChunk of [1, 7, 300]) {
        const rows: Uint8Array[] = [];
        const oks: boolean[] = [];
        const dec = new LineDecoder({ scheme, width: page.width }, (row, ok, index) => {
          assert.equal(index, rows.length);
          rows.push(row.slice());
          oks.push(ok);
        });
        for (let off = 0; off < coded.length; ) {
          const n = 1 + Math.floor(r() * maxChunk);
          dec.push(coded.subarray(off, off + n));
          off += n;
        }
        const end = dec.end();
        assert.equal(end, whole.endedWith);
        assert.equal(rows.length, page.height);
        assert.ok(oks.every(Boolean));
        const got = { ...page, data: concat(rows) };
        assert.equal(firstDifference(page, got)?.message, undefined, `chunks up to ${maxChunk}`);
      }
    });
  }

  it('rows are delivered while the page is still arriving, and RTC is seen before end()', () => {
    const page = runsPage(1728, 50, 8);
    const coded = encodePage(page, { scheme: 'mh' });
    let delivered = 0;
    const dec = new LineDecoder({ scheme: 'mh', width: 1728 }, () => delivered++);
    dec.push(coded.subarray(0, coded.length >>> 1));
    assert.ok(delivered > 10 && delivered < 50, `delivered ${delivered}`);
    dec.push(coded.subarray(coded.length >>> 1));
    assert.equal(delivered, 50);
    assert.equal(dec.rtcSeen, true);
    assert.equal(dec.done, true);
    // input after RTC belongs to no page: ignored
    dec.push(new Uint8Array([0xff, 0xff]));
    assert.equal(dec.lines, 50);
    assert.equal(dec.end(), 'rtc');
  });

  it('stops at height and at maxLines', () => {
    const page = runsPage(100, 40, 3);
    const coded = encodePage(page, { scheme: 'mmr' });
    const h = decodePage(coded, { scheme: 'mmr', width: 100, height: 25 });
    assert.equal(h.lines, 25);
    assert.equal(h.endedWith, 'height-reached');
    assert.equal(h.bitmap.height, 25);
    const m = decodePage(coded, { scheme: 'mmr', width: 100, maxLines: 30 });
    assert.equal(m.lines, 30);
    assert.equal(m.endedWith, 'max-lines');
  });

  it('a height beyond the data leaves white rows and says end-of-data', () => {
    const page = runsPage(64, 10, 4);
    const r = decodePage(encodePage(page, { scheme: 'mh', rtc: false }), { scheme: 'mh', width: 64, height: 20 });
    assert.equal(r.lines, 10);
    assert.equal(r.endedWith, 'end-of-data');
    assert.equal(r.bitmap.height, 20);
    assert.ok(r.bitmap.data.subarray(10 * 8).every((b) => b === 0));
  });
});
