/**
 * The names of T.38 Annex A's enumerations, in ASN.1 order: a name's index in its list is
 * its enumeration value (root values first, then the extension additions of version 1+).
 * The same order as SpanDSP's `t30_indicator_types_e`, `t38_data_types_e` and
 * `t38_field_types_e`.
 */

export const T30_INDICATORS = [
  // Root of the ENUMERATED (all versions): 16 values, 4 bits on the wire.
  'no-signal',
  'cng',
  'ced',
  'v21-preamble',
  'v27-2400-training',
  'v27-4800-training',
  'v29-7200-training',
  'v29-9600-training',
  'v17-7200-short-training',
  'v17-7200-long-training',
  'v17-9600-short-training',
  'v17-9600-long-training',
  'v17-12000-short-training',
  'v17-12000-long-training',
  'v17-14400-short-training',
  'v17-14400-long-training',
  // Extension additions (T.38 2002+, version 1 and later).
  'v8-ansam',
  'v8-signal',
  'v34-cntl-channel-1200',
  'v34-pri-channel',
  'v34-CC-retrain',
  'v33-12000-training',
  'v33-14400-training',
] as const;
export type T30Indicator = (typeof T30_INDICATORS)[number];
export const T30_INDICATOR_ROOT_COUNT = 16;

export const T30_DATA_TYPES = [
  // Root (all versions): 9 values, 4 bits on the wire.
  'v21',
  'v27-2400',
  'v27-4800',
  'v29-7200',
  'v29-9600',
  'v17-7200',
  'v17-9600',
  'v17-12000',
  'v17-14400',
  // Extension additions (version 1+).
  'v8',
  'v34-pri-rate',
  'v34-CC-1200',
  'v34-pri-ch',
  'v33-12000',
  'v33-14400',
] as const;
export type T30DataType = (typeof T30_DATA_TYPES)[number];
export const T30_DATA_TYPE_ROOT_COUNT = 9;

export const FIELD_TYPES = [
  // Root: 8 values, 3 bits on the wire.
  'hdlc-data',
  'hdlc-sig-end',
  'hdlc-fcs-OK',
  'hdlc-fcs-BAD',
  'hdlc-fcs-OK-sig-end',
  'hdlc-fcs-BAD-sig-end',
  't4-non-ecm-data',
  't4-non-ecm-sig-end',
  // Extension additions (version 1+; in version 0 the field-type has no extension marker).
  'cm-message',
  'jm-message',
  'ci-message',
  'v34rate',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export const FIELD_TYPE_ROOT_COUNT = 8;

/** T.38 versions as negotiated by SDP `T38FaxVersion`. */
export type T38Version = 0 | 1 | 2 | 3;

export function isT30Indicator(s: string): s is T30Indicator {
  return (T30_INDICATORS as readonly string[]).includes(s);
}
export function isT30DataType(s: string): s is T30DataType {
  return (T30_DATA_TYPES as readonly string[]).includes(s);
}
export function isFieldType(s: string): s is FieldType {
  return (FIELD_TYPES as readonly string[]).includes(s);
}
