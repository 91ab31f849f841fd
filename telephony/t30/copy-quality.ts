/**
 * Copy quality of a non-ECM page (T.30 5.3.6.1.6, 5.3.6.2.9 leave the criteria to the
 * receiver): the share of bad rows and the longest run of them decide the response.
 *
 *   good -> MCF (message confirmation)
 *   poor -> RTP (page kept; the sender retrains before the next page)
 *   bad  -> RTN (page refused; the sender retrains and sends it again)
 *
 * Thresholds: up to 2 % bad rows is good, up to 5 % poor (SpanDSP uses the same two
 * ratios). A run of bad rows longer than about 3 mm (12 rows at standard, 24 fine, 48
 * superfine) loses characters, so it makes a page poor, and twice that bad. A page with no
 * row at all is bad.
 */
export type CopyQuality = 'good' | 'poor' | 'bad';

export interface RowCounts {
  readonly lines: number;
  readonly badLines: number;
  readonly consecutiveBadLinesMax: number;
}

const RUN_LIMIT = { standard: 12, fine: 24, superfine: 48 } as const;

export function copyQuality(rows: RowCounts, resolution: keyof typeof RUN_LIMIT): CopyQuality {
  if (rows.lines === 0) return 'bad';
  const run = RUN_LIMIT[resolution];
  if (rows.badLines * 20 > rows.lines || rows.consecutiveBadLinesMax > 2 * run) return 'bad';
  if (rows.badLines * 50 > rows.lines || rows.consecutiveBadLinesMax > run) return 'poor';
  return 'good';
}

export function copyQualityResponse(q: CopyQuality): 'MCF' | 'RTP' | 'RTN' {
  return q === 'good' ? 'MCF' : q === 'poor' ? 'RTP' : 'RTN';
}
