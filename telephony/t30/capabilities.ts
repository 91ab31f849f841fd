/**
 * What faxgate offers in DIS (as a receiver) and can do as a sender, from a call's options.
 * Both sides accept every width and length (pages are bitmaps in memory) and need no
 * minimum scan line time.
 */
import { baseDisCapabilities, type DisCapabilities, type DisModemSet } from '../../protocols/t30/index.ts';

export interface LocalCapabilityOptions {
  readonly ecm: boolean;
  readonly maxBitRate: number;
  readonly compressions: readonly ('mh' | 'mr' | 'mmr')[];
  readonly resolutions: readonly ('standard' | 'fine' | 'superfine')[];
}

/** The DIS modem set is coarse (T.30 Table 2 bits 11-14): the largest set within the cap. */
function modemSet(maxBitRate: number): DisModemSet {
  if (maxBitRate <= 4800) return 'v27ter';
  if (maxBitRate <= 9600) return 'v27ter+v29';
  return 'v27ter+v29+v17';
}

export function localCapabilities(o: LocalCapabilityOptions): DisCapabilities {
  return {
    ...baseDisCapabilities(),
    fif: undefined,
    readyToReceive: true,
    modems: modemSet(o.maxBitRate),
    fine: o.resolutions.includes('fine') || o.resolutions.includes('superfine'),
    superfine: o.resolutions.includes('superfine'),
    twoDimensional: o.compressions.includes('mr'),
    maxWidth: 2432,
    maxLength: 'unlimited',
    minScanLineTime: { ms: 0, halfAtFine: false },
    ecm: o.ecm,
    t6: o.ecm && o.compressions.includes('mmr'),
    metricBased: true,
  };
}
