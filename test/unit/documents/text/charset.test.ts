import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import Encoding from 'encoding-japanese';
import { canonicalCharset, decodeText, detectCharset } from '../../../../plugins/documents/text/charset.ts';
import { TextRenderError } from '../../../../plugins/documents/text/errors.ts';

const sample = [
  'ファクス送信のテストです。宛先：株式会社サンプル　御中',
  '日本語と English が混在した本文、半角ｶﾀｶﾅ、全角ＡＢＣ１２３。',
  '住所：東京都千代田区丸の内１－１－１　電話：03-1234-5678',
].join('\r\n');

/** Encoded by encoding-japanese: an implementation independent of the decoders under test. */
function encode(text: string, to: 'SJIS' | 'EUCJP' | 'JIS' | 'UTF8'): Uint8Array {
  return Uint8Array.from(Encoding.convert(Encoding.stringToCode(text), { to, from: 'UNICODE' }));
}

/** Encoded by glibc iconv: a second independent encoder. */
function iconv(text: string, to: string): Uint8Array {
  const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', to], { input: Buffer.from(text, 'utf8') });
  assert.equal(r.status, 0, r.stderr.toString());
  return new Uint8Array(r.stdout);
}

describe('detectCharset', () => {
  const cases = [
    ['SJIS', 'shift_jis'],
    ['EUCJP', 'euc-jp'],
    ['JIS', 'iso-2022-jp'],
    ['UTF8', 'utf-8'],
  ] as const;
  for (const [to, expected] of cases) {
    for (const fallback of ['iso-2022-jp', 'shift_jis', 'euc-jp', 'utf-8']) {
      it(`${expected} from encoding-japanese, account default ${fallback}`, () => {
        const bytes = encode(sample, to);
        assert.equal(detectCharset(bytes, fallback), expected);
        assert.equal(decodeText(bytes, undefined, fallback).text, sample);
      });
    }
  }

  for (const [to, expected] of [['SHIFT_JIS', 'shift_jis'], ['EUC-JP', 'euc-jp'], ['ISO-2022-JP', 'iso-2022-jp'], ['CP932', 'shift_jis']] as const) {
    it(`${expected} from iconv ${to}`, () => {
      // glibc maps Shift_JIS 0x817C to U+2212 where WHATWG has U+FF0D, and its ISO-2022-JP
      // has no half-width katakana: keep to characters every mapping agrees on.
      const common = sample.replace(/－/g, '丁目');
      const text = to === 'ISO-2022-JP' ? common.replace('半角ｶﾀｶﾅ、', '') : common;
      const bytes = iconv(text, to);
      assert.equal(detectCharset(bytes, 'utf-8'), expected);
      assert.equal(decodeText(bytes, undefined, 'utf-8').text, text);
    });
  }

  it('UTF-8 with a BOM, and UTF-16 with BOMs', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...encode(sample, 'UTF8')]);
    assert.equal(detectCharset(bom, 'shift_jis'), 'utf-8');
    assert.equal(decodeText(bom, undefined, 'shift_jis').text, sample);
    const le = new Uint8Array(Buffer.from(`\ufeff${sample}`, 'utf16le'));
    assert.equal(detectCharset(le, 'shift_jis'), 'utf-16le');
    assert.equal(decodeText(le, undefined, 'shift_jis').text, sample);
  });

  it('plain ASCII', () => {
    const bytes = new Uint8Array(Buffer.from('Hello fax\r\n1+1=2 ~\\', 'latin1'));
    assert.equal(detectCharset(bytes, 'iso-2022-jp'), 'ascii');
    assert.equal(decodeText(bytes, undefined, 'iso-2022-jp').text, 'Hello fax\r\n1+1=2 ~\\');
  });

  it('short words, in each encoding', () => {
    for (const word of ['あ', 'ア', '漢字', 'テスト', '。']) {
      assert.equal(detectCharset(encode(word, 'SJIS'), 'euc-jp'), 'shift_jis', word);
      assert.equal(detectCharset(encode(word, 'EUCJP'), 'shift_jis'), 'euc-jp', word);
    }
  });

  it('falls back to the account default when Shift_JIS and EUC-JP read equally well', () => {
    // E4 E4 is a kanji both ways (a different one in each): nothing to tell them apart.
    const bytes = new Uint8Array([0xe4, 0xe4]);
    const sj = new TextDecoder('shift_jis').decode(bytes);
    const euc = new TextDecoder('euc-jp').decode(bytes);
    assert.match(sj, /^\p{Script=Han}$/u);
    assert.match(euc, /^\p{Script=Han}$/u);
    assert.equal(detectCharset(bytes, 'shift_jis'), 'shift_jis');
    assert.equal(detectCharset(bytes, 'euc-jp'), 'euc-jp');
    assert.equal(detectCharset(bytes, 'Shift_JIS'), 'shift_jis');
  });
});

describe('decodeText', () => {
  it('uses the declared charset when the bytes are valid in it', () => {
    const bytes = encode(sample, 'SJIS');
    assert.deepEqual(decodeText(bytes, 'Shift_JIS', 'iso-2022-jp'), { text: sample, charset: 'shift_jis', detected: false });
    assert.deepEqual(decodeText(bytes, 'cp932', 'iso-2022-jp'), { text: sample, charset: 'shift_jis', detected: false });
  });

  it('detects when the declared charset is wrong for the bytes or unknown', () => {
    const sjis = encode(sample, 'SJIS');
    assert.deepEqual(decodeText(sjis, 'iso-2022-jp', 'utf-8'), { text: sample, charset: 'shift_jis', detected: true });
    assert.deepEqual(decodeText(sjis, 'x-unknown-charset', 'utf-8'), { text: sample, charset: 'shift_jis', detected: true });
  });

  it('refuses an account default that is not a charset', () => {
    assert.throws(
      () => decodeText(new Uint8Array([0x41]), undefined, 'klingon'),
      (e: unknown) => e instanceof TextRenderError && e.code === 'TEXT_CHARSET_UNKNOWN' && /klingon/.test(e.message),
    );
  });

  it('canonicalCharset knows the usual labels', () => {
    assert.equal(canonicalCharset('SJIS'), 'shift_jis');
    assert.equal(canonicalCharset('Windows-31J'), 'shift_jis');
    assert.equal(canonicalCharset('EUC-JP'), 'euc-jp');
    assert.equal(canonicalCharset('ISO-2022-JP'), 'iso-2022-jp');
    assert.equal(canonicalCharset('UTF8'), 'utf-8');
    assert.equal(canonicalCharset('US-ASCII'), 'ascii');
    assert.equal(canonicalCharset('nope'), undefined);
  });
});
