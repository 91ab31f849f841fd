import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  baseDisCapabilities,
  decodeDcs,
  decodeDis,
  decodeFrame,
  encodeDcs,
  encodeDis,
  ratesOf,
  unnamedBits,
  type DcsParameters,
} from '../../../../protocols/t30/index.ts';

const h = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// FIFs SpanDSP 0.0.6 sent (T.38 terminals, default settings; ECM run with T.6 enabled).
const DIS_NON_ECM = h('00 ee f8 80 80 91 80 80 18');
const DIS_ECM = h('00 ee f8 c4 80 91 80 80 18');
const DCS_NON_ECM = h('00 e2 78');
const DCS_ECM = h('00 62 f8 44');

test('SpanDSP DIS (non-ECM): every named field, then an exact round trip', () => {
  const dis = decodeDis(DIS_NON_ECM);
  assert.equal(dis.readyToReceive, true); // bit 10 (octet 2 = ee: 1110 1110, LSB first: bit 9 = 0, bit 10 = 1)
  assert.equal(dis.readyToTransmit, false); // bit 9
  assert.equal(dis.modems, 'v27ter+v29+v17'); // bits 11-14 = 1,1,0,1
  assert.equal(dis.rateBits, 0b1101);
  assert.equal(dis.fine, true); // bit 15
  assert.equal(dis.twoDimensional, true); // bit 16
  assert.equal(dis.maxWidth, 1728); // bits 17-18 = 0,0 (octet 3 = f8: 1111 1000)
  assert.equal(dis.maxLength, 'unlimited'); // bits 19-20 = 0,1
  assert.deepEqual(dis.minScanLineTime, { ms: 0, halfAtFine: false }); // bits 21-23 = 1,1,1
  assert.equal(dis.ecm, false); // bit 27 (octet 4 = 80: only the extend bit)
  assert.equal(dis.t6, false);
  assert.equal(dis.superfine, true); // bit 41 (octet 6 = 91: 1001 0001)
  assert.equal(dis.metricBased, true); // bit 45
  assert.equal(dis.inchBased, false);
  assert.equal(dis.v8, false);
  assert.equal(dis.t38, false);
  assert.equal(dis.fif?.length, 9); // octets 3..8 have their extend bit set
  assert.deepEqual(ratesOf(dis.modems).map((r) => `${r.modem}/${r.bitRate}`), [
    'v17/14400', 'v17/12000', 'v17/9600', 'v17/7200', 'v29/9600', 'v29/7200', 'v27ter/4800', 'v27ter/2400',
  ]);
  assert.equal(hex(encodeDis(dis)), hex(DIS_NON_ECM));
});

test('SpanDSP DIS (ECM): bits 27 and 31 in octet 4 (c4)', () => {
  const dis = decodeDis(DIS_ECM);
  assert.equal(dis.ecm, true);
  assert.equal(dis.t6, true);
  assert.equal(hex(encodeDis(dis)), hex(DIS_ECM));
  // The DIS inside its frame, as sent.
  assert.equal(decodeDis(decodeFrame(h('ff 13 80 00 ee f8 c4 80 91 80 80 18')).fif).ecm, true);
});

test('SpanDSP DCS: V.17 14400, fine, MR or MMR with ECM', () => {
  const plain = decodeDcs(DCS_NON_ECM);
  assert.equal(plain.receive, true); // bit 10 (e2: 1110 0010)
  assert.deepEqual(plain.rate, { modem: 'v17', bitRate: 14400 }); // bits 11-14 = 0,0,0,1
  assert.equal(plain.resolution, 'fine'); // bit 15
  assert.equal(plain.compression, 'mr'); // bit 16
  assert.equal(plain.width, 1728);
  assert.equal(plain.length, 'unlimited'); // 78: bits 19-20 = 0,1
  assert.equal(plain.minScanLineMs, 0); // bits 21-23 = 1,1,1
  assert.equal(plain.ecm, false);
  assert.equal(hex(encodeDcs(plain)), hex(DCS_NON_ECM));

  const ecm = decodeDcs(DCS_ECM);
  assert.equal(ecm.ecm, true); // bit 27 (octet 4 = 44: 0100 0100)
  assert.equal(ecm.compression, 'mmr'); // bit 31; bit 16 clear (62: 0110 0010)
  assert.equal(ecm.ecmFrameSize, 256); // bit 28 = 0
  assert.equal(hex(encodeDcs(ecm)), hex(DCS_ECM));
});

test('DCS rates: all eight codes of bits 11-14', () => {
  const codes: [number, string][] = [
    [0b0000, 'v27ter/2400'], [0b0100, 'v27ter/4800'], [0b1000, 'v29/9600'], [0b1100, 'v29/7200'],
    [0b0001, 'v17/14400'], [0b0101, 'v17/12000'], [0b1001, 'v17/9600'], [0b1101, 'v17/7200'],
  ];
  for (const [code, name] of codes) {
    // bit 11 is the FIF's bit 2 of octet 2 (value 0x04), bit 14 is 0x20.
    const octet2 = ((code >> 3) & 1) << 2 | ((code >> 2) & 1) << 3 | ((code >> 1) & 1) << 4 | (code & 1) << 5;
    const dcs = decodeDcs(Uint8Array.of(0, octet2 | 0x02, 0));
    assert.equal(`${dcs.rate?.modem}/${dcs.rate?.bitRate}`, name);
    assert.equal(encodeDcs(dcs)[1], octet2 | 0x02);
  }
  assert.equal(decodeDcs(Uint8Array.of(0, 0x08 | 0x04 | 0x10, 0)).rate, undefined); // 1,1,1,0: reserved
});

test('widths, lengths and scan line times: each code decodes and encodes back', () => {
  for (let code = 0; code < 64; code++) {
    // bits 17-22 are bits 0-5 of octet 3; keep bit 23 so the 3-bit scan field sees every code.
    for (const b23 of [0, 0x40]) {
      const fif = Uint8Array.of(0, 0, code | b23);
      assert.equal(hex(encodeDis(decodeDis(fif))), hex(fif), `octet 3 = ${(code | b23).toString(16)}`);
    }
  }
  assert.deepEqual(decodeDis(Uint8Array.of(0, 0, 0b0011_0000)).minScanLineTime, { ms: 20, halfAtFine: true }); // bits 21,22,23 = 1,1,0
  assert.deepEqual(decodeDis(Uint8Array.of(0, 0, 0b0110_0000)).minScanLineTime, { ms: 10, halfAtFine: true }); // 0,1,1
  assert.deepEqual(decodeDis(Uint8Array.of(0, 0, 0b0001_0000)).minScanLineTime, { ms: 5, halfAtFine: false }); // 1,0,0
  assert.equal(decodeDis(Uint8Array.of(0, 0, 0b10)).maxWidth, 2432); // bits 17,18 = 0,1: A3
  assert.equal(decodeDis(Uint8Array.of(0, 0, 0b01)).maxWidth, 2048); // 1,0: B4
  assert.equal(decodeDis(Uint8Array.of(0, 0, 0b0100)).maxLength, 'b4'); // 1,0: A4 and B4
});

test('extension octets: unknown bits survive, any number of octets is read, trailing junk ignored', () => {
  // Bit 52 (reserved) and bit 123 (T.38 Internet-aware) set; octets up to 16.
  const fif = new Uint8Array(16);
  fif[1] = 0x02; // bit 10
  for (let i = 2; i < 15; i++) fif[i] = 0x80;
  fif[6] = (fif[6] ?? 0) | 0x08; // bit 52
  fif[15] = 0x04; // bit 123
  const dis = decodeDis(fif);
  assert.equal(dis.t38InternetAware, true);
  assert.deepEqual(unnamedBits(dis.fif ?? new Uint8Array(0), 'dis'), [52]);
  assert.equal(hex(encodeDis(dis)), hex(fif));
  // Changing a named field keeps the unnamed one.
  const changed = decodeDis(encodeDis({ ...dis, ecm: true }));
  assert.equal(changed.ecm, true);
  assert.deepEqual(unnamedBits(changed.fif ?? new Uint8Array(0), 'dis'), [52]);
  // After an octet without its extend bit, the rest is not part of the field.
  assert.equal(decodeDis(Uint8Array.of(0, 0x02, 0x00, 0xff, 0xff)).fif?.length, 3);
  assert.throws(() => decodeDis(Uint8Array.of(0)), { code: 'T30_TRUNCATED' });
  assert.throws(() => decodeDis(fif, { maxFifLength: 8 }), { code: 'T30_LIMIT_EXCEEDED' });
});

test('building a DIS from scratch sets the extend bits it needs and no more', () => {
  const dis = { ...baseDisCapabilities(), readyToReceive: true, modems: 'v27ter+v29+v17' as const, fine: true, ecm: true, t6: true, fif: undefined };
  const fif = encodeDis(dis);
  assert.equal(hex(fif), '00' + '6e' + '80' + '44'); // bit 10, rates 1101, fine; extend; ECM + T.6
  const dcs: DcsParameters = { ...decodeDcs(h('00 62 f8 44')), fif: undefined, ecmFrameSize: 64, minScanLineMs: 10 };
  assert.equal(hex(encodeDcs(dcs)), '0062' + 'a8' + '4c'); // 10 ms = 0,1,0; extend; ECM, 64-octet frames, T.6
});
