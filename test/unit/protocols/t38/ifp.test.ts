import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T30_INDICATORS,
  T38DecodeError,
  decodeIfp,
  encodeIfp,
  type IfpPacket,
  type T38Version,
} from '../../../../protocols/t38/index.ts';
import { SPANDSP_IFP_VECTORS } from './spandsp-ifp-vectors.ts';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function roundTrip(version: T38Version, wire: Uint8Array, expected: IfpPacket): void {
  const packet = decodeIfp(wire, { version });
  assert.deepEqual(packet, expected);
  assert.equal(hex(encodeIfp(packet, { version })), hex(wire));
}

test('indicators: one octet for the root values, two for the version 1+ extensions', () => {
  roundTrip(0, bytes(0x00), { type: 't30-indicator', indicator: 'no-signal' }); // 0 0 0 0000 0: indicator, root, no-signal
  roundTrip(0, bytes(0x02), { type: 't30-indicator', indicator: 'cng' });
  roundTrip(0, bytes(0x04), { type: 't30-indicator', indicator: 'ced' });
  roundTrip(0, bytes(0x06), { type: 't30-indicator', indicator: 'v21-preamble' }); // value 3 << 1
  roundTrip(0, bytes(0x1c), { type: 't30-indicator', indicator: 'v17-14400-short-training' }); // value 14
  roundTrip(0, bytes(0x1e), { type: 't30-indicator', indicator: 'v17-14400-long-training' }); // value 15: last root value
  roundTrip(2, bytes(
    0x20, // 0 0 1 0 0000: indicator, extension bit, small-number flag 0, index bits 5..2
    0x00, // 00 000000: index bits 1..0 = 0 -> v8-ansam
  ), { type: 't30-indicator', indicator: 'v8-ansam' });
  roundTrip(2, bytes(0x20, 0x40), { type: 't30-indicator', indicator: 'v8-signal' }); // index 1
  roundTrip(3, bytes(0x21, 0x80), { type: 't30-indicator', indicator: 'v33-14400-training' }); // index 6
});

test('V.21 HDLC data as SpanDSP sends a DIS: one octet per packet, then hdlc-fcs-OK-sig-end', () => {
  roundTrip(0, bytes(
    0xc0, // 1 1 0 0000 0: data-field present, t30-data, root, v21
    0x01, // one field
    0x80, // 1 000 0000: field-data present, hdlc-data (version 0: 3-bit field type)
    0x00, 0x00, // field-data length - 1 = 0
    0xff, // the HDLC address octet
  ), { type: 't30-data', dataType: 'v21', fields: [{ type: 'hdlc-data', data: bytes(0xff) }] });
  roundTrip(0, bytes(0xc0, 0x01, 0x20), // 0 010 0000: no field-data, hdlc-fcs-OK
    { type: 't30-data', dataType: 'v21', fields: [{ type: 'hdlc-fcs-OK' }] });
  roundTrip(0, bytes(0xc0, 0x01, 0x40), // 0 100 0000: hdlc-fcs-OK-sig-end
    { type: 't30-data', dataType: 'v21', fields: [{ type: 'hdlc-fcs-OK-sig-end' }] });
  // Version 1+ adds the extension bit in front of the field type: the same field is 0x20.
  roundTrip(2, bytes(0xc0, 0x01, 0x20), // 0 0 100 000: no data, root, hdlc-fcs-OK-sig-end
    { type: 't30-data', dataType: 'v21', fields: [{ type: 'hdlc-fcs-OK-sig-end' }] });
});

test('image data: TCF zeros at V.17 14400 and the non-ECM end of page', () => {
  const tcf = new Uint8Array(54);
  const wire = Uint8Array.from([
    0xd0, // 1 1 0 1000 0: data-field, t30-data, v17-14400 (value 8)
    0x01, // one field
    0xe0, // 1 110 0000 (v0): field-data, t4-non-ecm-data
    0x00, 0x35, // 54 octets
    ...tcf,
  ]);
  roundTrip(0, wire, { type: 't30-data', dataType: 'v17-14400', fields: [{ type: 't4-non-ecm-data', data: tcf }] });
  roundTrip(2, bytes(0xd0, 0x01, 0xb8, 0x00, 0x00, 0x00), // 1 0 111 000 (v1+): t4-non-ecm-sig-end + 1 octet
    { type: 't30-data', dataType: 'v17-14400', fields: [{ type: 't4-non-ecm-sig-end', data: bytes(0) }] });
});

test('two fields: the last HDLC octets and hdlc-fcs-OK in one packet (t38_core_send_data_multi_field)', () => {
  roundTrip(0, bytes(
    0xc0, 0x02, // v21, two fields
    0x80, 0x00, 0x02, 0x12, 0x34, 0x56, // hdlc-data, 3 octets
    0x20, // hdlc-fcs-OK, no data
  ), { type: 't30-data', dataType: 'v21', fields: [{ type: 'hdlc-data', data: bytes(0x12, 0x34, 0x56) }, { type: 'hdlc-fcs-OK' }] });
});

test('fields without data are packed as X.691 says: the next field starts mid-octet', () => {
  const packet: IfpPacket = { type: 't30-data', dataType: 'v21', fields: [{ type: 'hdlc-fcs-OK' }, { type: 'hdlc-sig-end' }] };
  // v0: 0010 (fcs-OK) then 0001 (sig-end) share one octet.
  assert.equal(hex(encodeIfp(packet, { version: 0 })), 'c0022' + '1');
  roundTrip(0, bytes(0xc0, 0x02, 0x21), packet);
  // v1+: 5 bits each: 00010 00001 -> 0001 0000 | 01 000000
  roundTrip(1, bytes(0xc0, 0x02, 0x10, 0x40), packet);
});

test('extended data types and field types (version 1+)', () => {
  roundTrip(2, bytes(
    0xe0, // 1 1 1 0 0000: data-field, t30-data, extension, small-number flag, index high bits
    0x00, // index low bits 00 -> v8; then padding
    0x01, // one field
    0xc0, // 1 1 0 00000: field-data, extension, flag 0, index bits 5..1
    0x00, // index bit 0 = 0 -> cm-message; padding
    0x00, 0x01, 0x12, 0x34, // two octets
  ), { type: 't30-data', dataType: 'v8', fields: [{ type: 'cm-message', data: bytes(0x12, 0x34) }] });
  roundTrip(2, bytes(
    0xe0, 0x40, // t30-data, extension index 1: v34-pri-rate
    0x01, // one field
    0xc1, 0x80, // 1 1 0 00001 | 1: field-data, extension index 3: v34rate
    0x00, 0x00, 0x33, // one octet
  ),
    { type: 't30-data', dataType: 'v34-pri-rate', fields: [{ type: 'v34rate', data: bytes(0x33) }] });
});

test('matches every packet captured from SpanDSP 0.0.6, versions 0 and 2', () => {
  assert.ok(SPANDSP_IFP_VECTORS.length > 300);
  for (const [version, wireHex, expected] of SPANDSP_IFP_VECTORS) {
    const wire = Uint8Array.from(Buffer.from(wireHex, 'hex'));
    const options = { version, extendedFieldTypeLayout: 'spandsp' as const };
    assert.deepEqual(decodeIfp(wire, options), expected, `decode ${wireHex} v${version}`);
    assert.equal(hex(encodeIfp(expected, options)), wireHex, `encode v${version} ${JSON.stringify(expected)}`);
  }
});

test('SpanDSP and X.691 layouts of extended field types agree only on cm-message', () => {
  const jm: IfpPacket = { type: 't30-data', dataType: 'v8', fields: [{ type: 'jm-message', data: bytes(0x41, 0x30) }] };
  assert.equal(hex(encodeIfp(jm, { version: 2 })).slice(6, 10), 'c080');
  assert.equal(hex(encodeIfp(jm, { version: 2, extendedFieldTypeLayout: 'spandsp' })).slice(6, 10), 'c040');
});

test('version 0 cannot carry the V.8/V.34/V.33 names', () => {
  for (const indicator of T30_INDICATORS.slice(16)) {
    assert.throws(() => encodeIfp({ type: 't30-indicator', indicator }, { version: 0 }), { code: 'T38_NOT_IN_VERSION' });
  }
  assert.throws(() => encodeIfp({ type: 't30-data', dataType: 'v8', fields: [] }, { version: 0 }), { code: 'T38_NOT_IN_VERSION' });
  assert.throws(
    () => encodeIfp({ type: 't30-data', dataType: 'v21', fields: [{ type: 'ci-message', data: bytes(1) }] }, { version: 0 }),
    { code: 'T38_NOT_IN_VERSION' },
  );
  // The same octets mean different field types in version 0 and 2.
  const wire = bytes(0xc0, 0x01, 0x20);
  const v0 = decodeIfp(wire, { version: 0 });
  const v2 = decodeIfp(wire, { version: 2 });
  assert.ok(v0.type === 't30-data' && v2.type === 't30-data');
  assert.equal(v0.fields[0]?.type, 'hdlc-fcs-OK');
  assert.equal(v2.fields[0]?.type, 'hdlc-fcs-OK-sig-end');
});

test('malformed packets throw T38DecodeError with a stable code', () => {
  const cases: [string, Uint8Array, string][] = [
    ['empty', bytes(), 'T38_TRUNCATED'],
    ['indicator value 16 without the extension bit is impossible; data type 9 in the root is unknown', bytes(0x52), 'T38_UNKNOWN_VALUE'],
    ['extension index past v33-14400-training', bytes(0x21, 0xc0), 'T38_UNKNOWN_VALUE'],
    ['extended indicator cut short', bytes(0x20), 'T38_TRUNCATED'],
    ['indicator with a data-field', bytes(0x86), 'T38_MALFORMED'],
    ['data-field count missing', bytes(0xc0), 'T38_TRUNCATED'],
    ['zero fields', bytes(0xc0, 0x00), 'T38_MALFORMED'],
    ['field-data shorter than its length', bytes(0xc0, 0x01, 0x80, 0x00, 0x05, 0x01), 'T38_TRUNCATED'],
    ['trailing octet', bytes(0x06, 0x00), 'T38_TRAILING_BYTES'],
    ['fragmented count', bytes(0xc0, 0xc1), 'T38_MALFORMED'],
  ];
  for (const [what, wire, code] of cases) {
    assert.throws(() => decodeIfp(wire, { version: 0 }), (err: unknown) => {
      assert.ok(err instanceof T38DecodeError, what);
      assert.equal(err.code, code, what);
      assert.match(err.message, /\S/);
      return true;
    });
  }
});

test('limits: packet size, field count, field length', () => {
  const big = Uint8Array.from([0xd0, 0x01, 0xe0, 0x01, 0xf3, ...new Uint8Array(500)]);
  assert.equal(decodeIfp(big, { version: 0 }).type, 't30-data');
  assert.throws(() => decodeIfp(big, { version: 0, limits: { maxIfpSize: 400 } }), { code: 'T38_LIMIT_EXCEEDED' });
  assert.throws(() => decodeIfp(big, { version: 0, limits: { maxFieldLength: 499 } }), /field-data too long \[field:0, length:500, limit:499\]/);
  const three = encodeIfp({ type: 't30-data', dataType: 'v21', fields: [{ type: 'hdlc-data', data: bytes(1) }, { type: 'hdlc-data', data: bytes(2) }, { type: 'hdlc-fcs-OK' }] }, { version: 0 });
  assert.throws(() => decodeIfp(three, { version: 0, limits: { maxFields: 2 } }), { code: 'T38_LIMIT_EXCEEDED' });
});

test('zero padding after a packet is accepted only when asked (FEC-repaired packets)', () => {
  const padded = bytes(0xc0, 0x01, 0x20, 0x00, 0x00);
  assert.throws(() => decodeIfp(padded, { version: 0 }), { code: 'T38_TRAILING_BYTES' });
  assert.deepEqual(decodeIfp(padded, { version: 0, allowZeroPadding: true }), { type: 't30-data', dataType: 'v21', fields: [{ type: 'hdlc-fcs-OK' }] });
  assert.throws(() => decodeIfp(bytes(0x06, 0x01), { version: 0, allowZeroPadding: true }), { code: 'T38_TRAILING_BYTES' });
});

test('an empty field-data is sent as absent (SIZE(1..65535))', () => {
  const wire = encodeIfp({ type: 't30-data', dataType: 'v21', fields: [{ type: 'hdlc-sig-end', data: new Uint8Array(0) }] }, { version: 0 });
  assert.equal(hex(wire), 'c00110');
});
