/**
 * T.38 IFP packets (ITU-T T.38 Annex A), PER ALIGNED:
 *
 *   IFPPacket ::= SEQUENCE {
 *     type-of-msg  CHOICE { t30-indicator ENUMERATED {..., ...}, t30-data ENUMERATED {..., ...} },
 *     data-field   SEQUENCE OF SEQUENCE {
 *                    field-type ENUMERATED {...},       -- extensible from version 1 on
 *                    field-data OCTET STRING (SIZE(1..65535)) OPTIONAL } OPTIONAL }
 *
 * On the wire (first octet, most significant bit first):
 *
 *   bit 7      data-field present
 *   bit 6      CHOICE: 0 = t30-indicator, 1 = t30-data
 *   bit 5      extension bit of the ENUMERATED
 *   bits 4..1  root value (16 indicators, 9 data types)
 *              or, with the extension bit set: a 0 bit and a 6-bit extension index,
 *              spilling into a second octet (v8-ansam = 0x20 0x00, v8-signal = 0x20 0x40)
 *
 * then, for data, a length determinant (field count) and the fields. A field is a presence
 * bit for field-data, then the field-type: in version 0 three bits (the 1998 ASN.1 forgot
 * the extension marker), from version 1 on an extension bit and three bits (or an extension
 * index), then, when present, a 2-octet aligned length-minus-one and the octets. Fields are
 * not octet-aligned: a field without data leaves the next field starting mid-octet, which
 * this codec reads and writes as X.691 says.
 *
 * Vectors were checked against SpanDSP 0.0.6 (see the tests). One known difference:
 * SpanDSP places the extension index of an extended field-type (cm-message, jm-message,
 * ci-message, v34rate) one bit further right than X.691 does; `extendedFieldTypeLayout:
 * 'spandsp'` reproduces its layout. Since faxgate never advertises V.8/V.34, the default
 * is the standard layout.
 */
import { T38DecodeError } from './errors.ts';
import {
  FIELD_TYPES,
  FIELD_TYPE_ROOT_COUNT,
  T30_DATA_TYPES,
  T30_DATA_TYPE_ROOT_COUNT,
  T30_INDICATORS,
  T30_INDICATOR_ROOT_COUNT,
  type FieldType,
  type T30DataType,
  type T30Indicator,
  type T38Version,
} from './names.ts';
import { PerReader, PerWriter } from './per.ts';

export interface IfpField {
  type: FieldType;
  /** Absent for fields that only signal (hdlc-fcs-OK, hdlc-sig-end...). Never empty. */
  data?: Uint8Array;
}

export type IfpPacket =
  | { type: 't30-indicator'; indicator: T30Indicator }
  | { type: 't30-data'; dataType: T30DataType; fields: IfpField[] };

export interface IfpLimits {
  /** Largest IFP packet accepted, in octets. */
  maxIfpSize: number;
  /** Most fields in one packet. */
  maxFields: number;
  /** Longest field-data, in octets. */
  maxFieldLength: number;
}

export const DEFAULT_IFP_LIMITS: Readonly<IfpLimits> = Object.freeze({
  // T38FaxMaxDatagram seen in the field tops out around 1440; leave room for large peers.
  maxIfpSize: 4096,
  maxFields: 64,
  maxFieldLength: 4096,
});

export type ExtendedFieldTypeLayout = 'x691' | 'spandsp';

export interface IfpCodecOptions {
  /** Negotiated T38FaxVersion: decides the field-type layout and which names exist. */
  version: T38Version;
  /** Where the index of cm-message/jm-message/ci-message/v34rate sits; see the module comment. */
  extendedFieldTypeLayout?: ExtendedFieldTypeLayout;
}

export interface IfpDecodeOptions extends IfpCodecOptions {
  limits?: Partial<IfpLimits>;
  /**
   * Accept zero octets after a complete packet. Parity-FEC repair (T.38 UDPTL) rebuilds a
   * lost IFP at the length of the longest packet in its span, padded with zeros.
   */
  allowZeroPadding?: boolean;
}

export function decodeIfp(bytes: Uint8Array, options: IfpDecodeOptions): IfpPacket {
  const limits = { ...DEFAULT_IFP_LIMITS, ...options.limits };
  if (bytes.length === 0) throw new T38DecodeError('T38_TRUNCATED', 'empty IFP packet');
  if (bytes.length > limits.maxIfpSize) {
    throw new T38DecodeError('T38_LIMIT_EXCEEDED', 'IFP packet too large', {
      length: bytes.length,
      limit: limits.maxIfpSize,
    });
  }
  const r = new PerReader(bytes);
  const dataFieldPresent = r.readBit('data-field presence');
  const isData = r.readBit('type-of-msg');
  let packet: IfpPacket;
  if (!isData) {
    const indicator = T30_INDICATORS[readEnum(r, T30_INDICATOR_ROOT_COUNT, T30_INDICATORS.length, 'indicator')];
    if (indicator === undefined) throw new T38DecodeError('T38_UNKNOWN_VALUE', 'unknown indicator');
    if (dataFieldPresent) {
      throw new T38DecodeError('T38_MALFORMED', 'indicator packet with a data-field', { indicator });
    }
    packet = { type: 't30-indicator', indicator };
  } else {
    const dataType = T30_DATA_TYPES[readEnum(r, T30_DATA_TYPE_ROOT_COUNT, T30_DATA_TYPES.length, 'data type')];
    if (dataType === undefined) throw new T38DecodeError('T38_UNKNOWN_VALUE', 'unknown data type');
    const fields: IfpField[] = [];
    if (dataFieldPresent) {
      const count = r.readLength('data-field count');
      if (count === 0) throw new T38DecodeError('T38_MALFORMED', 'data-field present but empty', { dataType });
      if (count > limits.maxFields) {
        throw new T38DecodeError('T38_LIMIT_EXCEEDED', 'too many fields in IFP', { count, limit: limits.maxFields });
      }
      for (let i = 0; i < count; i++) fields.push(readField(r, options, limits, i));
    }
    packet = { type: 't30-data', dataType, fields };
  }
  const end = r.octetsConsumed;
  if (end < bytes.length) {
    const padding = options.allowZeroPadding === true && bytes.subarray(end).every((b) => b === 0);
    if (!padding) {
      throw new T38DecodeError('T38_TRAILING_BYTES', 'bytes after the IFP packet', { used: end, length: bytes.length });
    }
  }
  return packet;
}

function readEnum(r: PerReader, rootCount: number, knownCount: number, what: string): number {
  const extended = r.readBit(`${what} extension bit`);
  if (!extended) {
    const v = r.readBits(4, what);
    if (v >= rootCount) throw new T38DecodeError('T38_UNKNOWN_VALUE', `unknown ${what}`, { value: v });
    return v;
  }
  const index = r.readSmallNumber(`${what} extension`);
  const v = rootCount + index;
  if (v >= knownCount) throw new T38DecodeError('T38_UNKNOWN_VALUE', `unknown ${what} extension`, { index });
  return v;
}

function readField(r: PerReader, options: IfpCodecOptions, limits: IfpLimits, i: number): IfpField {
  const hasData = r.readBit('field-data presence');
  let typeIndex: number;
  if (options.version === 0) {
    typeIndex = r.readBits(3, 'field-type');
  } else if (!r.readBit('field-type extension bit')) {
    typeIndex = r.readBits(3, 'field-type');
  } else {
    let index: number;
    if (options.extendedFieldTypeLayout === 'spandsp') {
      // SpanDSP 0.0.6: two bits after the extension bit, then the low 6 bits of the index.
      r.readBits(2, 'field-type extension');
      index = r.readBits(6, 'field-type extension');
    } else {
      index = r.readSmallNumber('field-type extension');
    }
    typeIndex = FIELD_TYPE_ROOT_COUNT + index;
  }
  const type = FIELD_TYPES[typeIndex];
  if (type === undefined) throw new T38DecodeError('T38_UNKNOWN_VALUE', 'unknown field-type', { field: i, value: typeIndex });
  if (!hasData) return { type };
  r.align();
  const length = r.readBits(16, 'field-data length') + 1;
  if (length > limits.maxFieldLength) {
    throw new T38DecodeError('T38_LIMIT_EXCEEDED', 'field-data too long', { field: i, length, limit: limits.maxFieldLength });
  }
  return { type, data: r.readOctets(length, 'field-data') };
}

export function encodeIfp(packet: IfpPacket, options: IfpCodecOptions): Uint8Array {
  const w = new PerWriter();
  if (packet.type === 't30-indicator') {
    const v = T30_INDICATORS.indexOf(packet.indicator);
    if (v < 0) throw new T38DecodeError('T38_UNKNOWN_VALUE', 'unknown indicator', { indicator: String(packet.indicator) });
    if (v >= T30_INDICATOR_ROOT_COUNT && options.version === 0) {
      throw new T38DecodeError('T38_NOT_IN_VERSION', 'indicator needs T.38 version 1 or later', { indicator: packet.indicator });
    }
    w.writeBit(false);
    w.writeBit(false);
    writeEnum(w, v, T30_INDICATOR_ROOT_COUNT);
    return w.finish();
  }
  const v = T30_DATA_TYPES.indexOf(packet.dataType);
  if (v < 0) throw new T38DecodeError('T38_UNKNOWN_VALUE', 'unknown data type', { dataType: String(packet.dataType) });
  if (v >= T30_DATA_TYPE_ROOT_COUNT && options.version === 0) {
    throw new T38DecodeError('T38_NOT_IN_VERSION', 'data type needs T.38 version 1 or later', { dataType: packet.dataType });
  }
  const present = packet.fields.length > 0;
  w.writeBit(present);
  w.writeBit(true);
  writeEnum(w, v, T30_DATA_TYPE_ROOT_COUNT);
  if (!present) return w.finish();
  w.writeLength(packet.fields.length, 'data-field count');
  packet.fields.forEach((field, i) => writeField(w, field, options, i));
  return w.finish();
}

function writeEnum(w: PerWriter, v: number, rootCount: number): void {
  if (v < rootCount) {
    w.writeBit(false);
    w.writeBits(v, 4);
  } else {
    w.writeBit(true);
    w.writeSmallNumber(v - rootCount);
  }
}

function writeField(w: PerWriter, field: IfpField, options: IfpCodecOptions, i: number): void {
  const t = FIELD_TYPES.indexOf(field.type);
  if (t < 0) throw new T38DecodeError('T38_UNKNOWN_VALUE', 'unknown field-type', { field: i, fieldType: String(field.type) });
  // SIZE(1..65535): an empty field-data cannot exist, so it is sent as absent.
  const data = field.data !== undefined && field.data.length > 0 ? field.data : undefined;
  w.writeBit(data !== undefined);
  if (options.version === 0) {
    if (t >= FIELD_TYPE_ROOT_COUNT) {
      throw new T38DecodeError('T38_NOT_IN_VERSION', 'field-type needs T.38 version 1 or later', { fieldType: field.type });
    }
    w.writeBits(t, 3);
  } else if (t < FIELD_TYPE_ROOT_COUNT) {
    w.writeBit(false);
    w.writeBits(t, 3);
  } else {
    w.writeBit(true);
    if (options.extendedFieldTypeLayout === 'spandsp') {
      w.writeBits(0, 2);
      w.writeBits(t - FIELD_TYPE_ROOT_COUNT, 6);
    } else {
      w.writeSmallNumber(t - FIELD_TYPE_ROOT_COUNT);
    }
  }
  if (data === undefined) return;
  if (data.length > 65535) {
    throw new T38DecodeError('T38_LIMIT_EXCEEDED', 'field-data longer than 65535 octets', { field: i, length: data.length });
  }
  w.align();
  w.writeBits(data.length - 1, 16);
  w.writeOctets(data);
}
