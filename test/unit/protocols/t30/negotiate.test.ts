import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FALLBACK_SEQUENCE,
  baseDisCapabilities,
  chooseDcs,
  commonRates,
  decodeDcs,
  decodeDis,
  encodeDcs,
  fallbackRate,
  ratesOf,
  type DisCapabilities,
} from '../../../../protocols/t30/index.ts';

const h = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
const spandspEcm = decodeDis(h('00 ee f8 c4 80 91 80 80 18'));
const spandspPlain = decodeDis(h('00 ee f8 80 80 91 80 80 18'));
const rate = (r: { modem: string; bitRate: number } | undefined): string => (r === undefined ? 'none' : `${r.modem}/${r.bitRate}`);

test('against SpanDSP\'s DIS we choose what SpanDSP itself chose (its DCS on the wire)', () => {
  const ours = { ...spandspEcm };
  const ecm = chooseDcs(ours, spandspEcm, { resolution: 'fine' });
  // SpanDSP's DCS in the same call: 00 62 f8 44 = V.17 14400, fine, MMR, ECM 256, unlimited, 0 ms.
  assert.equal(Buffer.from(encodeDcs(ecm)).toString('hex'), '0062f844');
  const plain = chooseDcs(spandspPlain, spandspPlain, { resolution: 'fine' });
  assert.equal(Buffer.from(encodeDcs(plain)).toString('hex'), '00e278'); // V.17 14400, fine, MR
  assert.deepEqual(decodeDcs(encodeDcs(plain)).rate, { modem: 'v17', bitRate: 14400 });
});

test('MMR only with ECM; MR when both have 2-D; else MH', () => {
  assert.equal(chooseDcs(spandspEcm, spandspEcm, { ecm: false }).compression, 'mr');
  assert.equal(chooseDcs(spandspEcm, { ...spandspEcm, twoDimensional: false }, { ecm: false }).compression, 'mh');
  assert.equal(chooseDcs(spandspEcm, { ...spandspEcm, ecm: false }).compression, 'mr');
  assert.equal(chooseDcs(spandspEcm, spandspEcm, { compressions: ['mh', 'mr'] }).compression, 'mr');
});

test('rate: the fastest common one within the caps', () => {
  const v29only: DisCapabilities = { ...spandspPlain, modems: 'v27ter+v29' };
  assert.equal(rate(chooseDcs(spandspPlain, v29only).rate), 'v29/9600');
  assert.equal(rate(chooseDcs(spandspPlain, spandspPlain, { maxBitRate: 9600 }).rate), 'v17/9600');
  assert.equal(rate(chooseDcs(spandspPlain, spandspPlain, { modems: ['v29', 'v27ter'] }).rate), 'v29/9600');
  assert.equal(rate(chooseDcs(spandspPlain, baseDisCapabilities()).rate), 'v27ter/2400');
  assert.deepEqual(commonRates(spandspPlain, v29only).map(rate), ['v29/9600', 'v29/7200', 'v27ter/4800', 'v27ter/2400']);
});

test('resolution, width, length and scan line time follow the receiver', () => {
  const stdOnly: DisCapabilities = { ...spandspPlain, fine: false, superfine: false };
  assert.equal(chooseDcs(spandspPlain, stdOnly, { resolution: 'fine' }).resolution, 'standard');
  assert.equal(chooseDcs(spandspPlain, spandspPlain, { resolution: 'superfine' }).resolution, 'superfine');
  assert.equal(chooseDcs(spandspPlain, { ...spandspPlain, superfine: false }, { resolution: 'superfine' }).resolution, 'fine');
  assert.equal(chooseDcs(spandspPlain, spandspPlain, { width: 2048 }).width, 1728); // receiver: 1728 only
  assert.equal(chooseDcs(spandspPlain, { ...spandspPlain, maxWidth: 2048 }, { width: 2048 }).width, 2048);
  assert.equal(chooseDcs(spandspPlain, { ...spandspPlain, maxLength: 'a4' }).length, 'a4');
  assert.equal(chooseDcs(spandspPlain, spandspPlain).length, 'unlimited');
  const slow: DisCapabilities = { ...spandspPlain, minScanLineTime: { ms: 20, halfAtFine: true } };
  assert.equal(chooseDcs(spandspPlain, slow, { ecm: false, resolution: 'standard' }).minScanLineMs, 20);
  assert.equal(chooseDcs(spandspPlain, slow, { ecm: false, resolution: 'fine' }).minScanLineMs, 10);
  assert.equal(chooseDcs(spandspEcm, { ...slow, ecm: true }, { resolution: 'fine' }).minScanLineMs, 0); // ECM
});

test('fallback: 14400 -> 12000 -> 9600 -> 7200 -> 4800 -> 2400, within what both sides have', () => {
  const chain: string[] = [];
  let r = fallbackRate({ modem: 'v17', bitRate: 14400 }, ratesOf('v27ter+v29+v17'));
  while (r !== undefined) {
    chain.push(rate(r));
    r = fallbackRate(r, ratesOf('v27ter+v29+v17'));
  }
  assert.deepEqual(chain, FALLBACK_SEQUENCE.slice(1).map(rate));
  assert.equal(rate(fallbackRate({ modem: 'v29', bitRate: 9600 }, ratesOf('v27ter+v29'))), 'v29/7200');
  assert.equal(rate(fallbackRate({ modem: 'v29', bitRate: 7200 }, ratesOf('v27ter+v29'))), 'v27ter/4800');
  assert.equal(fallbackRate({ modem: 'v27ter', bitRate: 2400 }), undefined);
});
