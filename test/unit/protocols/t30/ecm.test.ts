import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeCtc,
  decodeEor,
  decodeFcd,
  decodeFrame,
  decodePpr,
  decodePps,
  encodeCtc,
  encodeEor,
  encodeFcd,
  encodePpr,
  encodePps,
  encodeRcp,
} from '../../../../protocols/t30/index.ts';

const h = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('PPS-EOP exactly as SpanDSP sent it after a 15-frame page', () => {
  const wire = h(
    'ff 13' + // address, final
    'bf' + //   PPS 0xbe + X (the caller)
    '2f' + //   FCF2: EOP 0x2e + X
    '00' + //   page counter 0
    '00' + //   block counter 0
    '0e', //    frames - 1 = 14
  );
  const pps = decodePps(wire);
  assert.deepEqual(pps, { fcf2: 'EOP', page: 0, block: 0, frames: 15, x: true });
  assert.equal(hex(encodePps(pps, true)), hex(wire));
  // PPS-NULL (more blocks of the same page): NULL carries no X bit (as SpanDSP sends it).
  assert.equal(hex(encodePps({ fcf2: 'NULL', page: 3, block: 1, frames: 256 }, true)), 'ff13bf000301ff');
  assert.throws(() => encodePps({ fcf2: 'MPS', page: 0, block: 0, frames: 0 }, true), { code: 'T30_BAD_ARGUMENT' });
  assert.throws(() => decodePps(h('ff 13 bf 2f 00 00')), { code: 'T30_TRUNCATED' });
  assert.throws(() => decodePps(h('ff 13 bf 77 00 00 00')), { code: 'T30_MALFORMED' });
  assert.throws(() => decodePps(h('ff 13 8c')), { code: 'T30_MALFORMED' });
});

test('FCD and RCP as SpanDSP sent them', () => {
  // First FCD of SpanDSP's ECM page: frame 0, 256 octets of MMR data beginning ff ff ff.
  const data = new Uint8Array(256).fill(0xff);
  data[255] = 0x3f;
  const fcd = encodeFcd({ frameNumber: 0, data });
  assert.equal(hex(fcd.subarray(0, 6)), 'ff030600ffff'); // not final, FCD 0x06, frame 0
  assert.equal(fcd.length, 260);
  assert.deepEqual(decodeFcd(fcd), { frameNumber: 0, data });
  assert.equal(decodeFcd(h('ff 03 06 0e 01 02')).frameNumber, 14);
  assert.equal(hex(encodeRcp()), 'ff0386');
  assert.equal(decodeFrame(h('ff 03 86')).fcf, 'RCP');
  assert.throws(() => encodeFcd({ frameNumber: 256, data }), { code: 'T30_BAD_ARGUMENT' });
  assert.throws(() => encodeFcd({ frameNumber: 0, data: new Uint8Array(257) }), { code: 'T30_BAD_ARGUMENT' });
});

test('PPR: 256-bit map, frame n in bit n % 8 (LSB first) of octet n / 8', () => {
  const wire = encodePpr([0, 9, 255], false);
  assert.equal(wire.length, 3 + 32);
  assert.equal(hex(wire.subarray(0, 5)), 'ff13bc0102'); // PPR, X=0 (the answerer); octet 0 = frame 0, octet 1 bit 1 = frame 9
  assert.equal(wire[34], 0x80); // frame 255
  assert.deepEqual(decodePpr(wire), [0, 9, 255]);
  const all = Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(decodePpr(encodePpr(all, false)), all);
  assert.throws(() => encodePpr([256], false), { code: 'T30_BAD_ARGUMENT' });
  assert.throws(() => decodePpr(h('ff 13 bc 00')), { code: 'T30_TRUNCATED' });
});

test('CTC carries the new rate in DCS bits 11-14; EOR its FCF2', () => {
  const ctc = encodeCtc({ modem: 'v29', bitRate: 7200 }, true);
  assert.equal(hex(ctc), 'ff1313000c'); // CTC 0x12 + X; octet 2: bits 11,12 = 1,1 -> 0x04|0x08
  assert.deepEqual(decodeCtc(ctc), { rate: { modem: 'v29', bitRate: 7200 }, x: true });
  assert.deepEqual(decodeCtc(encodeCtc({ modem: 'v17', bitRate: 12000 }, true)).rate, { modem: 'v17', bitRate: 12000 });
  const eor = encodeEor('PRI-EOP', true);
  assert.equal(hex(eor), 'ff13cf3f');
  assert.deepEqual(decodeEor(eor), { fcf2: 'PRI-EOP', x: true });
});
