import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UdptlDecodeError, decodeUdptl, encodeUdptl, type UdptlPacket } from '../../../../protocols/udptl/index.ts';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function roundTrip(wire: Uint8Array, expected: UdptlPacket): void {
  assert.deepEqual(decodeUdptl(wire), expected);
  assert.equal(hex(encodeUdptl(expected)), hex(wire));
}

test('redundancy packets: seq, primary IFP, secondaries most recent first', () => {
  roundTrip(bytes(
    0x00, 0x00, // seq=0
    0x01, 0x00, // primary IFP: 1 octet, t30-indicator no-signal
    0x00, // error-recovery: secondary-ifp-packets (bit 0) + 7 padding bits
    0x00, // no secondaries (the first packet has nothing before it)
  ), { seq: 0, primary: bytes(0x00), redundancy: [] });
  roundTrip(bytes(
    0x00, 0x06, // seq=6
    0x01, 0x06, // primary: v21-preamble
    0x00, 0x02, // redundancy, 2 secondaries
    0x01, 0x04, // seq 5: ced
    0x01, 0x00, // seq 4: no-signal
  ), { seq: 6, primary: bytes(0x06), redundancy: [bytes(0x04), bytes(0x00)] });
  roundTrip(bytes(
    0x80, 0x00, // seq=32768 (Cisco CUBE's first packet)
    0x06, 0xc0, 0x01, 0x80, 0x00, 0x00, 0xff, // primary: v21 hdlc-data 0xff
    0x00, 0x01, // one secondary
    0x03, 0xc0, 0x01, 0x40, // v21 hdlc-fcs-OK-sig-end
  ), { seq: 32768, primary: bytes(0xc0, 0x01, 0x80, 0x00, 0x00, 0xff), redundancy: [bytes(0xc0, 0x01, 0x40)] });
});

test('FEC packets: fec-npackets as an unconstrained INTEGER, fec-data entries', () => {
  roundTrip(bytes(
    0xff, 0xff, // seq=65535
    0x01, 0x1e, // primary: v17-14400-long-training
    0x80, // error-recovery: fec-info
    0x01, 0x03, // fec-npackets: 1 octet, 3
    0x02, // 2 entries
    0x01, 0x06, // entry 0: 1 octet
    0x03, 0xc0, 0x01, 0x20, // entry 1: 3 octets
  ), { seq: 65535, primary: bytes(0x1e), fec: { npackets: 3, data: [bytes(0x06), bytes(0xc0, 0x01, 0x20)] } });
  // A span of 200 needs a leading zero octet to stay positive in two's complement.
  const wire = encodeUdptl({ seq: 1, primary: bytes(0x00), fec: { npackets: 200, data: [] } });
  assert.equal(hex(wire), '0001' + '0100' + '80' + '0200c8' + '00');
  assert.deepEqual(decodeUdptl(wire, { maxFecSpan: 255 }).fec, { npackets: 200, data: [] });
  assert.throws(() => decodeUdptl(wire), { code: 'UDPTL_LIMIT_EXCEEDED' });
});

test('two-octet lengths for IFPs of 128 octets and more', () => {
  const ifp = new Uint8Array(300).fill(0xaa);
  const wire = encodeUdptl({ seq: 7, primary: ifp, redundancy: [] });
  assert.equal(hex(wire.subarray(0, 4)), '0007812c'); // seq 7, length 10 000001 00101100 = 300
  assert.equal(wire.length, 2 + 2 + 300 + 2);
  assert.deepEqual(decodeUdptl(wire).primary, ifp);
});

test('padding bits after the error-recovery choice are ignored', () => {
  assert.deepEqual(decodeUdptl(bytes(0x00, 0x01, 0x01, 0x02, 0x7f, 0x00)), { seq: 1, primary: bytes(0x02), redundancy: [] });
});

test('malformed datagrams throw UdptlDecodeError with a stable code', () => {
  const cases: [string, Uint8Array, string][] = [
    ['empty', bytes(), 'UDPTL_TRUNCATED'],
    ['seq only', bytes(0x00, 0x01), 'UDPTL_TRUNCATED'],
    ['primary shorter than announced', bytes(0x00, 0x01, 0x05, 0x00), 'UDPTL_TRUNCATED'],
    ['empty primary', bytes(0x00, 0x01, 0x00, 0x00, 0x00), 'UDPTL_MALFORMED'],
    ['no error-recovery', bytes(0x00, 0x01, 0x01, 0x00), 'UDPTL_TRUNCATED'],
    ['fragmented length', bytes(0x00, 0x01, 0xc1, 0x00), 'UDPTL_MALFORMED'],
    ['negative fec-npackets', bytes(0x00, 0x01, 0x01, 0x00, 0x80, 0x01, 0x80, 0x00), 'UDPTL_MALFORMED'],
    ['trailing bytes', bytes(0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x99), 'UDPTL_TRAILING_BYTES'],
    ['secondary cut short', bytes(0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x02, 0x00), 'UDPTL_TRUNCATED'],
  ];
  for (const [what, wire, code] of cases) {
    assert.throws(() => decodeUdptl(wire), (err: unknown) => err instanceof UdptlDecodeError && err.code === code, what);
  }
});

test('limits', () => {
  const wire = encodeUdptl({ seq: 1, primary: new Uint8Array(100), redundancy: [bytes(1), bytes(2), bytes(3)] });
  assert.throws(() => decodeUdptl(wire, { maxIfpSize: 99 }), /primary-ifp-packet too large \[length:100, limit:99\]/);
  assert.throws(() => decodeUdptl(wire, { maxSecondaryPackets: 2 }), { code: 'UDPTL_LIMIT_EXCEEDED' });
  assert.throws(() => decodeUdptl(wire, { maxDatagramSize: 50 }), { code: 'UDPTL_LIMIT_EXCEEDED' });
  assert.throws(() => encodeUdptl({ seq: 65536, primary: bytes(0) }), { code: 'UDPTL_BAD_ARGUMENT' });
});
