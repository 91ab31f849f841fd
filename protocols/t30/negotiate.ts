/**
 * Pure decisions of phase B (T.30 5.3.6.2): what DCS to send for a DIS, and where to go
 * after a failed training. The T.30 machine calls these; they keep no state.
 */
import { ratesOf, type DcsParameters, type DisCapabilities, type ModemRate, type RecordingLength, type RecordingWidth } from './dis.ts';

export interface DcsPreferences {
  /** Cap on the signalling rate (SDP T38MaxBitRate, or an operator's per-route setting). */
  maxBitRate?: number;
  /** Modems we are willing to use (operators turn V.17 off for some routes). */
  modems?: readonly ModemRate['modem'][];
  /** Use ECM when both sides can (default true). */
  ecm?: boolean;
  ecmFrameSize?: 64 | 256;
  /** The resolution of the document; falls back to what the receiver takes. */
  resolution?: DcsParameters['resolution'];
  /** The document's width in pels at R8; falls back to 1728 when the receiver is narrower. */
  width?: 1728 | 2048 | 2432;
  /** 'unlimited' unless the page is known to fit A4/B4 (default 'unlimited' when allowed, else 'a4'). */
  length?: 'a4' | 'b4' | 'unlimited';
  /** Codings the document can be sent in (default all three). */
  compressions?: readonly DcsParameters['compression'][];
  subaddress?: boolean;
  senderId?: boolean;
}

/**
 * The DCS for sending to a receiver that sent `remote`, given what we (`local`) can do:
 * the fastest rate in both sets, ECM when both have it, MMR only with ECM (T.30 Table 2
 * note: T.6 requires ECM), then MR, then MH; the document's resolution when the receiver
 * has it, else the nearest it has; width and length the receiver accepts; the scan line
 * time the receiver asks for at the chosen resolution (0 ms with ECM: frames are buffered).
 */
export function chooseDcs(local: DisCapabilities, remote: DisCapabilities, prefs: DcsPreferences = {}): DcsParameters {
  const rate = commonRates(local, remote, prefs)[0] ?? { modem: 'v27ter', bitRate: 2400 };
  const ecm = (prefs.ecm ?? true) && local.ecm && remote.ecm;
  const allowed = prefs.compressions ?? ['mmr', 'mr', 'mh'];
  const compression: DcsParameters['compression'] =
    ecm && local.t6 && remote.t6 && allowed.includes('mmr')
      ? 'mmr'
      : local.twoDimensional && remote.twoDimensional && allowed.includes('mr')
        ? 'mr'
        : 'mh';
  const resolution = chooseResolution(prefs.resolution ?? 'fine', local, remote);
  const width = chooseWidth(prefs.width ?? 1728, remote.maxWidth);
  const length = chooseLength(prefs.length, remote.maxLength);
  let minScanLineMs: DcsParameters['minScanLineMs'] = 0;
  if (!ecm) {
    const scan = remote.minScanLineTime;
    let ms: number = scan.ms;
    if (scan.halfAtFine && resolution !== 'standard') ms /= 2;
    if (remote.minScanTimeHalvedAtHigherResolution && resolution !== 'standard' && resolution !== 'fine') ms /= 2;
    minScanLineMs = ([0, 5, 10, 20, 40] as const).find((v) => v >= ms) ?? 40;
  }
  return {
    t37: false,
    t38: false,
    receive: true,
    rate,
    rateBits: 0,
    resolution,
    inchBased: resolution === '300x300',
    compression,
    width,
    length,
    minScanLineMs,
    uncompressed: false,
    ecm,
    ecmFrameSize: ecm ? (prefs.ecmFrameSize ?? 256) : 256,
    subaddress: prefs.subaddress === true && remote.subaddressing,
    senderId: prefs.senderId === true && remote.password,
    t38InternetAware: false,
  };
}

/** Rates both sides have, within the preferences, fastest first. */
export function commonRates(local: DisCapabilities, remote: DisCapabilities, prefs: DcsPreferences = {}): ModemRate[] {
  const theirs = ratesOf(remote.modems);
  return ratesOf(local.modems).filter(
    (r) =>
      theirs.some((t) => t.modem === r.modem && t.bitRate === r.bitRate) &&
      r.bitRate <= (prefs.maxBitRate ?? 14400) &&
      (prefs.modems === undefined || prefs.modems.includes(r.modem)),
  );
}

function chooseResolution(
  wanted: DcsParameters['resolution'],
  local: DisCapabilities,
  remote: DisCapabilities,
): DcsParameters['resolution'] {
  const has = (r: DcsParameters['resolution'], c: DisCapabilities): boolean =>
    r === 'standard' || (r === 'fine' && c.fine) || (r === 'superfine' && c.superfine) || (r === '300x300' && c.r300x300) || (r === 'r16x15.4' && c.r16x15_4);
  // From the document's resolution down: a receiver without it gets the next coarser one.
  const order: DcsParameters['resolution'][] = ['r16x15.4', 'superfine', '300x300', 'fine', 'standard'];
  for (const r of order.slice(order.indexOf(wanted))) if (has(r, remote) && has(r, local)) return r;
  return 'standard';
}

function chooseWidth(wanted: 1728 | 2048 | 2432, max: RecordingWidth): Exclude<RecordingWidth, 'invalid'> {
  const limit = max === 'invalid' ? 1728 : max;
  return wanted <= limit ? wanted : 1728;
}

function chooseLength(wanted: 'a4' | 'b4' | 'unlimited' | undefined, max: RecordingLength): Exclude<RecordingLength, 'invalid'> {
  if (max === 'unlimited') return wanted ?? 'unlimited';
  if (max === 'b4') return wanted === 'a4' ? 'a4' : 'b4';
  return 'a4';
}

/**
 * The fallback order after FTT or a failed page (as SpanDSP 0.0.6 steps): V.17 14400,
 * 12000, 9600, V.29 9600, V.17 7200, V.29 7200, V.27ter 4800, 2400.
 */
export const FALLBACK_SEQUENCE: readonly ModemRate[] = [
  { modem: 'v17', bitRate: 14400 },
  { modem: 'v17', bitRate: 12000 },
  { modem: 'v17', bitRate: 9600 },
  { modem: 'v29', bitRate: 9600 },
  { modem: 'v17', bitRate: 7200 },
  { modem: 'v29', bitRate: 7200 },
  { modem: 'v27ter', bitRate: 4800 },
  { modem: 'v27ter', bitRate: 2400 },
];

/**
 * The next slower rate after `current` that both sides have (`allowed`, e.g. from
 * `commonRates`), or undefined at the bottom of the chain: then the call fails.
 */
export function fallbackRate(current: ModemRate, allowed: readonly ModemRate[] = FALLBACK_SEQUENCE): ModemRate | undefined {
  const i = FALLBACK_SEQUENCE.findIndex((r) => r.modem === current.modem && r.bitRate === current.bitRate);
  const rest = i >= 0 ? FALLBACK_SEQUENCE.slice(i + 1) : FALLBACK_SEQUENCE.filter((r) => r.bitRate < current.bitRate);
  const next = rest.find((r) => allowed.some((a) => a.modem === r.modem && a.bitRate === r.bitRate));
  return next === undefined ? undefined : { ...next };
}
