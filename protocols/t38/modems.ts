/**
 * What each T.38 indicator stands for on a real line, as data for the terminal's pacing:
 * after sending an indicator, a terminal emulating a modem waits as long as the modem on a
 * PSTN line would take before its first data bit (T.38 clause 7 and SpanDSP's T.38 terminal).
 *
 * Durations match SpanDSP 0.0.6's `t38_core_send_training_delay()` and
 * `t38_core_send_flags_delay()` (measured through libspandsp, see the tests):
 *  - `trainingMs`: the modem training sequence itself (V.17 long training for the first
 *    TCF/page after DCS or CTC, short training after that);
 *  - `preambleMs`: the HDLC flag preamble before the first frame: 1 s +/-15% for V.21
 *    (T.30 5.3.1), 200 ms for the high speed modems in ECM (T.30 Annex A);
 *  - `tepMs`: the optional talker echo protection tone (V.27ter/V.29/V.17), 185-200 ms plus
 *    a gap; added only when TEP is enabled.
 */
import type { T30DataType, T30Indicator } from './names.ts';

export type ModemKind = 'none' | 'tone' | 'v21' | 'v27ter' | 'v29' | 'v17' | 'v33' | 'v8' | 'v34';

export interface IndicatorTiming {
  modem: ModemKind;
  /** Signalling rate in bit/s, when the indicator announces a data modem. */
  bitRate?: number;
  /** The data type that follows this indicator, when it announces a data modem. */
  dataType?: T30DataType;
  /** V.17 only: long training (after DCS or CTC) or short (later pages of the same call). */
  training?: 'long' | 'short';
  trainingMs: number;
  preambleMs: number;
  tepMs: number;
}

export const INDICATOR_TIMING: Readonly<Record<T30Indicator, Readonly<IndicatorTiming>>> = Object.freeze({
  // no-signal: the modem's carrier-off tail.
  'no-signal': { modem: 'none', trainingMs: 75, preambleMs: 0, tepMs: 0 },
  cng: { modem: 'tone', trainingMs: 0, preambleMs: 0, tepMs: 0 },
  // CED: 2100 Hz for 2.6 to 4 s (T.30 4.2); SpanDSP allows 3 s.
  ced: { modem: 'tone', trainingMs: 3000, preambleMs: 0, tepMs: 0 },
  'v21-preamble': { modem: 'v21', bitRate: 300, dataType: 'v21', trainingMs: 0, preambleMs: 1000, tepMs: 0 },
  'v27-2400-training': { modem: 'v27ter', bitRate: 2400, dataType: 'v27-2400', trainingMs: 943, preambleMs: 200, tepMs: 215 },
  'v27-4800-training': { modem: 'v27ter', bitRate: 4800, dataType: 'v27-4800', trainingMs: 708, preambleMs: 200, tepMs: 215 },
  'v29-7200-training': { modem: 'v29', bitRate: 7200, dataType: 'v29-7200', trainingMs: 234, preambleMs: 200, tepMs: 215 },
  'v29-9600-training': { modem: 'v29', bitRate: 9600, dataType: 'v29-9600', trainingMs: 234, preambleMs: 200, tepMs: 215 },
  'v17-7200-short-training': v17(7200, 'v17-7200', 'short'),
  'v17-7200-long-training': v17(7200, 'v17-7200', 'long'),
  'v17-9600-short-training': v17(9600, 'v17-9600', 'short'),
  'v17-9600-long-training': v17(9600, 'v17-9600', 'long'),
  'v17-12000-short-training': v17(12000, 'v17-12000', 'short'),
  'v17-12000-long-training': v17(12000, 'v17-12000', 'long'),
  'v17-14400-short-training': v17(14400, 'v17-14400', 'short'),
  'v17-14400-long-training': v17(14400, 'v17-14400', 'long'),
  'v8-ansam': { modem: 'v8', trainingMs: 0, preambleMs: 0, tepMs: 0 },
  'v8-signal': { modem: 'v8', trainingMs: 0, preambleMs: 0, tepMs: 0 },
  'v34-cntl-channel-1200': { modem: 'v34', bitRate: 1200, dataType: 'v34-CC-1200', trainingMs: 0, preambleMs: 200, tepMs: 0 },
  'v34-pri-channel': { modem: 'v34', dataType: 'v34-pri-ch', trainingMs: 0, preambleMs: 200, tepMs: 0 },
  'v34-CC-retrain': { modem: 'v34', trainingMs: 0, preambleMs: 0, tepMs: 0 },
  'v33-12000-training': { modem: 'v33', bitRate: 12000, dataType: 'v33-12000', trainingMs: 0, preambleMs: 200, tepMs: 215 },
  'v33-14400-training': { modem: 'v33', bitRate: 14400, dataType: 'v33-14400', trainingMs: 0, preambleMs: 200, tepMs: 215 },
});

function v17(bitRate: number, dataType: T30DataType, training: 'long' | 'short'): IndicatorTiming {
  // V.17 long training is 1393 ms, short 142 ms (V.17 Table 1 segments at 2400 baud).
  return { modem: 'v17', bitRate, dataType, training, trainingMs: training === 'long' ? 1393 : 142, preambleMs: 200, tepMs: 215 };
}

/** The pause to leave after sending `indicator` before the first data packet. */
export function indicatorDelayMs(indicator: T30Indicator, options: { tep?: boolean } = {}): number {
  const t = INDICATOR_TIMING[indicator];
  return t.trainingMs + t.preambleMs + (options.tep === true ? t.tepMs : 0);
}

/**
 * The training indicator that announces an image modem at `bitRate`: the engine picks the
 * modem from DCS (V.27ter, V.29 or V.17) and the V.17 training length from the phase.
 */
export function trainingIndicatorFor(
  modem: 'v27ter' | 'v29' | 'v17',
  bitRate: number,
  training: 'long' | 'short' = 'long',
): T30Indicator | undefined {
  for (const [name, t] of Object.entries(INDICATOR_TIMING) as [T30Indicator, IndicatorTiming][]) {
    if (t.modem === modem && t.bitRate === bitRate && (modem !== 'v17' || t.training === training)) return name;
  }
  return undefined;
}

/** Octets per millisecond of modem time at `bitRate`, to pace t4-non-ecm-data and HDLC data. */
export function octetsPerMs(bitRate: number): number {
  return bitRate / 8000;
}
