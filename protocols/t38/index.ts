/**
 * T.38 IFP packets (ITU-T T.38 Annex A): the codec, the names of its enumerations and the
 * modem timing each indicator stands for. Pure: no sockets, timers or files.
 */
export { T38DecodeError, type T38ErrorCode } from './errors.ts';
export {
  FIELD_TYPES,
  FIELD_TYPE_ROOT_COUNT,
  T30_DATA_TYPES,
  T30_DATA_TYPE_ROOT_COUNT,
  T30_INDICATORS,
  T30_INDICATOR_ROOT_COUNT,
  isFieldType,
  isT30DataType,
  isT30Indicator,
  type FieldType,
  type T30DataType,
  type T30Indicator,
  type T38Version,
} from './names.ts';
export {
  DEFAULT_IFP_LIMITS,
  decodeIfp,
  encodeIfp,
  type ExtendedFieldTypeLayout,
  type IfpCodecOptions,
  type IfpDecodeOptions,
  type IfpField,
  type IfpLimits,
  type IfpPacket,
} from './ifp.ts';
export {
  INDICATOR_TIMING,
  indicatorDelayMs,
  octetsPerMs,
  trainingIndicatorFor,
  type IndicatorTiming,
  type ModemKind,
} from './modems.ts';
