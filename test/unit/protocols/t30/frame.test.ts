import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FCF_NAMES,
  T30DecodeError,
  appendFcs,
  checkFcs,
  crc16Itu,
  decodeFrame,
  decodeIdent,
  encodeFrame,
  encodeIdent,
  fcfOctet,
  hasXBit,
  parseFcf,
  reverseBitsInOctets,
} from '../../../../protocols/t30/index.ts';

const h = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// Frames exactly as SpanDSP 0.0.6 sent them in a T.38 call between two of its terminals
// (t30 real-time frame handler), caller "+1 555 0100", answerer "03-1234-5678".
const SPANDSP_FRAMES = {
  csi: 'ff 03 40 38373635 2d 34333231 2d 3330 2020202020202020',
  dis: 'ff 13 80 00 ee f8 80 80 91 80 80 18',
  tsi: 'ff 03 43 30303130 20 353535 20 31 2b 202020202020202020',
  dcs: 'ff 13 83 00 e2 78',
  cfr: 'ff 13 84',
  eop: 'ff 13 2f',
  mcf: 'ff 13 8c',
  dcn: 'ff 13 fb',
};

test('frames from a SpanDSP call: header, FCF name, X bit, round trip', () => {
  const expectations: [keyof typeof SPANDSP_FRAMES, string, boolean, boolean | undefined][] = [
    ['csi', 'CSI', false, undefined], // 0x03: more frames follow; CSI has no X bit
    ['dis', 'DIS', true, undefined], // 0x13: final frame
    ['tsi', 'TSI', false, true], // 0x43 = TSI 0x42 + X: the caller received a DIS
    ['dcs', 'DCS', true, true],
    ['cfr', 'CFR', true, false], // the answerer's response: X = 0
    ['eop', 'EOP', true, true],
    ['mcf', 'MCF', true, false],
    ['dcn', 'DCN', true, true],
  ];
  for (const [key, name, final, x] of expectations) {
    const wire = h(SPANDSP_FRAMES[key]);
    const frame = decodeFrame(wire);
    assert.equal(frame.fcf, name, key);
    assert.equal(frame.final, final, key);
    assert.equal(frame.x, x, key);
    assert.equal(hex(encodeFrame(frame.fcf === undefined ? frame : { fcf: frame.fcf, x: frame.x, final: frame.final, fif: frame.fif })), hex(wire), key);
  }
  assert.equal(decodeIdent(decodeFrame(h(SPANDSP_FRAMES.csi)).fif), '03-1234-5678');
  assert.equal(decodeIdent(decodeFrame(h(SPANDSP_FRAMES.tsi)).fif), '+1 555 0100');
});

test('T.38 carries HDLC octets bit-reversed: SpanDSP sent the CSI as ff c0 02 1c ...', () => {
  // The first hdlc-data octets of SpanDSP's CSI over T.38, one per IFP.
  const overT38 = h('ff c0 02 1c ec 6c ac b4');
  assert.equal(hex(reverseBitsInOctets(overT38)), hex(h(SPANDSP_FRAMES.csi).subarray(0, 8)));
  assert.equal(hex(reverseBitsInOctets(reverseBitsInOctets(overT38))), hex(overT38));
});

test('FCF table: every name round-trips, X only where T.30 has it', () => {
  const seen = new Set<number>();
  for (const name of FCF_NAMES) {
    for (const x of [false, true]) {
      const octet = fcfOctet(name, x);
      assert.deepEqual(parseFcf(octet), { name, x: hasXBit(name) ? x : undefined }, name);
      if (!hasXBit(name)) assert.equal(octet, fcfOctet(name, !x), `${name} has no X bit`);
    }
    const base = fcfOctet(name, false);
    assert.ok(!seen.has(base), `${name} collides`);
    seen.add(base);
  }
  assert.equal(fcfOctet('DIS', true), 0x80); // "0000 0001" in T.30's line order
  assert.equal(fcfOctet('DCS', true), 0x83); // "X100 0001"
  assert.equal(fcfOctet('PPS', false), 0xbe);
  assert.equal(fcfOctet('FCD', false), 0x06); // T.4 Annex A "0110 0000"
  assert.equal(parseFcf(0x77), undefined);
});

test('unknown FCFs decode with their raw octet and encode back', () => {
  const frame = decodeFrame(h('ff 13 77 01 02'));
  assert.equal(frame.fcf, undefined);
  assert.equal(frame.fcfOctet, 0x77);
  assert.equal(hex(encodeFrame({ fcfOctet: 0x77, fif: frame.fif })), 'ff137701' + '02');
});

test('FCS: CRC-16 ITU as SpanDSP crc_itu16_append() computes it', () => {
  // SpanDSP: crc_itu16_append(ff 13 84) -> ff 13 84 ea 7d; and for its DIS -> ... 5b 02.
  assert.equal(hex(appendFcs(h(SPANDSP_FRAMES.cfr))), 'ff1384ea7d');
  assert.equal(hex(appendFcs(h(SPANDSP_FRAMES.dis))), hex(h(SPANDSP_FRAMES.dis)) + '5b02');
  assert.equal(crc16Itu(h(SPANDSP_FRAMES.cfr)), 0x7dea);
  // The classic check value of the reflected CCITT CRC with final complement (X.25).
  assert.equal(crc16Itu(new TextEncoder().encode('123456789')), 0x906e);
  const withFcs = encodeFrame({ fcf: 'MCF', x: false }, { fcs: true });
  assert.ok(checkFcs(withFcs));
  assert.equal(decodeFrame(withFcs, { fcs: true }).fcf, 'MCF');
  withFcs[2] = (withFcs[2] ?? 0) ^ 0x01;
  assert.throws(() => decodeFrame(withFcs, { fcs: true }), { code: 'T30_BAD_FCS' });
});

test('bad frames throw T30DecodeError', () => {
  const cases: [string, Uint8Array, string][] = [
    ['too short', h('ff 13'), 'T30_TRUNCATED'],
    ['bad address', h('fe 13 80'), 'T30_BAD_HEADER'],
    ['bad control', h('ff 17 80'), 'T30_BAD_HEADER'],
    ['too long', new Uint8Array(600).fill(0xff), 'T30_BAD_HEADER'],
  ];
  for (const [what, wire, code] of cases) {
    assert.throws(() => decodeFrame(wire, { limits: { maxFrameSize: 1000 } }), (e: unknown) => e instanceof T30DecodeError && e.code === code, what);
  }
  const long = Uint8Array.from([0xff, 0x03, 0x06, ...new Uint8Array(600)]);
  assert.throws(() => decodeFrame(long), /HDLC frame too long \[length:603, limit:512\]/);
});

test('identities: 20 characters, last digit first, space padded', () => {
  const fif = encodeIdent('03-1234-5678');
  assert.equal(hex(fif), hex(decodeFrame(h(SPANDSP_FRAMES.csi)).fif));
  assert.equal(Buffer.from(fif).toString('latin1'), '8765-4321-30        ');
  assert.equal(decodeIdent(encodeIdent('+81 3 1234 5678', { strict: true })), '+81 3 1234 5678');
  assert.equal(decodeIdent(encodeIdent('')), '');
  assert.throws(() => encodeIdent('123456789012345678901'), { code: 'T30_BAD_ARGUMENT' });
  assert.throws(() => encodeIdent('03-1234', { strict: true }), { code: 'T30_BAD_ARGUMENT' });
  assert.throws(() => encodeIdent('日本'), { code: 'T30_BAD_ARGUMENT' });
  assert.equal(decodeIdent(Uint8Array.of(0x31, 0x01, 0x32)), '2?1');
  assert.throws(() => decodeIdent(new Uint8Array(21)), { code: 'T30_LIMIT_EXCEEDED' });
});
