/**
 * The conformance manifest: every fax case faxgate is checked on against SpanDSP 0.0.6 and
 * against itself. A case that does not pass yet stays listed, with `todo` saying why (the
 * runner reports it as a node:test todo, still run, so a fix shows up); never delete a case.
 *
 * Cases run through the real CLI (`faxgate t38 send|recv`) and the SpanDSP harness, at
 * time-scale 10 on both ends unless `timeScale` says otherwise. Success cases assert ok on
 * both ends, the page count, the coding, ECM and pixel equality of every page; failure cases
 * assert the outcome name (protocols/fax-results) and that it came within T.30's time limits.
 */
import type { FaxResultName } from '../../../protocols/fax-results/index.ts';

export type Peers = 'faxgate->spandsp' | 'spandsp->faxgate' | 'faxgate->faxgate';
export type Coding = 'mh' | 'mr' | 'mmr';
export type Resolution = 'standard' | 'fine' | 'superfine';
/** Page width in pels at R8: A4 1728, B4 2048, A3 2432. */
export type Width = 1728 | 2048 | 2432;

/** How a failure case breaks the call. */
export type Fault =
  /** The called side never answers (nothing listens on its port). */
  | { readonly kind: 'never-answers' }
  /** The sender stops mid-page and vanishes (SpanDSP: --die-at-page-bytes; faxgate: SIGKILL). */
  | { readonly kind: 'sender-vanishes-mid-page'; readonly atPageBytes: number; readonly killAfterRealMs: number }
  /** The receiver vanishes mid-page (SIGKILL, or SpanDSP --die-after-pages 1 on a 2+ page fax). */
  | { readonly kind: 'receiver-vanishes-mid-page'; readonly killAfterRealMs: number };

export interface FaxCase {
  readonly id: string;
  readonly peers: Peers;
  readonly ecm: boolean;
  readonly coding: Coding;
  readonly resolution: Resolution;
  readonly pages: 1 | 2 | 3 | 10;
  /** Page width (default 1728). */
  readonly width?: Width;
  /**
   * Pages of differing shapes, one entry per page (`pages` long): the sender ends the
   * message with EOM where the next page differs and negotiates again. `resolution` is then
   * the last page's (what both ends report at the end).
   */
  readonly mixed?: readonly { readonly resolution: Resolution; readonly width: Width }[];
  /** Percentage of packets each side drops (both directions). */
  readonly loss?: number;
  /** Redundancy both sides send; default 3. */
  readonly redundancy?: number;
  readonly timeScale: number;
  readonly fault?: Fault;
  /** For failure cases: the outcome faxgate must report, and how long after the fault (fax time, ms). */
  readonly expectFailure?: { readonly side: 'sender' | 'receiver'; readonly name: FaxResultName; readonly withinMs: number };
  /** Why the case does not pass yet; it stays in the manifest. */
  readonly todo?: string;
}

const PEERS: readonly Peers[] = ['faxgate->spandsp', 'spandsp->faxgate', 'faxgate->faxgate'];
const SCALE = 10;

function codingsFor(ecm: boolean): Coding[] {
  // T.30 Table 2 note: T.6 (MMR) coding needs ECM.
  return ecm ? ['mh', 'mr', 'mmr'] : ['mh', 'mr'];
}

function matrix(): FaxCase[] {
  const cases: FaxCase[] = [];
  for (const peers of PEERS) {
    for (const ecm of [true, false]) {
      for (const coding of codingsFor(ecm)) {
        for (const resolution of ['standard', 'fine'] as const) {
          cases.push({ id: `${peers} ${ecm ? 'ECM' : 'non-ECM'} ${coding.toUpperCase()} ${resolution} 1 page`, peers, ecm, coding, resolution, pages: 1, timeScale: SCALE });
        }
      }
      // Ten pages once per direction and mode: the best coding of the mode, fine.
      const coding = ecm ? 'mmr' : 'mr';
      cases.push({ id: `${peers} ${ecm ? 'ECM' : 'non-ECM'} ${coding.toUpperCase()} fine 10 pages`, peers, ecm, coding, resolution: 'fine', pages: 10, timeScale: SCALE });
    }
  }
  return cases;
}

function lossy(): FaxCase[] {
  const cases: FaxCase[] = [];
  for (const peers of PEERS) {
    for (const loss of [1, 5]) {
      for (const ecm of [true, false]) {
        const coding = ecm ? 'mmr' : 'mr';
        cases.push({
          id: `${peers} ${loss}% loss, redundancy 3, ${ecm ? 'ECM' : 'non-ECM'} ${coding.toUpperCase()} fine 2 pages`,
          peers,
          ecm,
          coding,
          resolution: 'fine',
          pages: 2,
          loss,
          redundancy: 3,
          timeScale: SCALE,
        });
      }
    }
  }
  return cases;
}

// T.30 limits the failure cases are held to, counted from the fault (fax time): T1 (35 s)
// to meet a fax terminal; a vanished sender is noticed within T2 (6 s) of the silence, with
// room for the tries of T2 that follow; a vanished receiver after the rest of the page
// (up to 25 s) and three tries of T4 (3 s) for the post-page command.
const T1_LIMIT_MS = 35_000 + 5_000;
const SENDER_GONE_LIMIT_MS = 3 * 6_000 + 7_000;
const RECEIVER_GONE_LIMIT_MS = 25_000 + 3 * 3_000 + 6_000;

function failures(): FaxCase[] {
  const base = { ecm: true, coding: 'mmr', resolution: 'fine', timeScale: SCALE } as const;
  return [
    {
      ...base,
      id: 'faxgate->spandsp never answered: remote-no-response within T1',
      peers: 'faxgate->spandsp',
      pages: 1,
      fault: { kind: 'never-answers' },
      expectFailure: { side: 'sender', name: 'remote-no-response', withinMs: T1_LIMIT_MS },
    },
    {
      ...base,
      id: 'faxgate->faxgate never answered: remote-no-response within T1',
      peers: 'faxgate->faxgate',
      pages: 1,
      fault: { kind: 'never-answers' },
      expectFailure: { side: 'sender', name: 'remote-no-response', withinMs: T1_LIMIT_MS },
    },
    {
      ...base,
      id: 'spandsp->faxgate sender vanishes mid-page, ECM: sender-hangup',
      peers: 'spandsp->faxgate',
      pages: 2,
      fault: { kind: 'sender-vanishes-mid-page', atPageBytes: 3000, killAfterRealMs: 0 },
      expectFailure: { side: 'receiver', name: 'sender-hangup', withinMs: SENDER_GONE_LIMIT_MS },
    },
    {
      ...base,
      id: 'spandsp->faxgate sender vanishes mid-page, non-ECM: sender-hangup',
      peers: 'spandsp->faxgate',
      ecm: false,
      coding: 'mr',
      pages: 2,
      fault: { kind: 'sender-vanishes-mid-page', atPageBytes: 3000, killAfterRealMs: 0 },
      expectFailure: { side: 'receiver', name: 'sender-hangup', withinMs: SENDER_GONE_LIMIT_MS },
    },
    {
      ...base,
      id: 'faxgate->spandsp receiver vanishes mid-page: remote-hangup',
      peers: 'faxgate->spandsp',
      pages: 10,
      fault: { kind: 'receiver-vanishes-mid-page', killAfterRealMs: 2_500 },
      expectFailure: { side: 'sender', name: 'remote-hangup', withinMs: RECEIVER_GONE_LIMIT_MS },
    },
    {
      ...base,
      id: 'faxgate->faxgate receiver vanishes mid-page: remote-hangup',
      peers: 'faxgate->faxgate',
      pages: 10,
      fault: { kind: 'receiver-vanishes-mid-page', killAfterRealMs: 2_500 },
      expectFailure: { side: 'sender', name: 'remote-hangup', withinMs: RECEIVER_GONE_LIMIT_MS },
    },
    {
      ...base,
      id: 'faxgate->faxgate sender vanishes mid-page: sender-hangup',
      peers: 'faxgate->faxgate',
      pages: 10,
      fault: { kind: 'sender-vanishes-mid-page', atPageBytes: 0, killAfterRealMs: 2_500 },
      expectFailure: { side: 'receiver', name: 'sender-hangup', withinMs: SENDER_GONE_LIMIT_MS },
    },
  ];
}

/**
 * The rest of the negotiated matrix (issue 5): superfine (204x391) and the wider pages, B4
 * (2048 pels) and A3 (2432), each way and faxgate to itself; ECM MMR, and non-ECM MR once.
 */
function sizes(): FaxCase[] {
  const cases: FaxCase[] = [];
  const shapes: readonly { readonly resolution: Resolution; readonly width: Width; readonly name: string }[] = [
    { resolution: 'superfine', width: 1728, name: 'superfine A4' },
    { resolution: 'fine', width: 2048, name: 'fine B4 width 2048' },
    { resolution: 'fine', width: 2432, name: 'fine A3 width 2432' },
  ];
  for (const peers of PEERS) {
    for (const s of shapes) {
      cases.push({ id: `${peers} ECM MMR ${s.name} 1 page`, peers, ecm: true, coding: 'mmr', resolution: s.resolution, width: s.width, pages: 1, timeScale: SCALE });
    }
    cases.push({ id: `${peers} non-ECM MR superfine A4 1 page`, peers, ecm: false, coding: 'mr', resolution: 'superfine', width: 1728, pages: 1, timeScale: SCALE });
    cases.push({ id: `${peers} non-ECM MR fine B4 width 2048 1 page`, peers, ecm: false, coding: 'mr', resolution: 'fine', width: 2048, pages: 1, timeScale: SCALE });
  }
  return cases;
}

/** Issue 5's phase D EOM: a fine A4 page, a standard A4 page, a fine B4 page. */
function mixedPages(): FaxCase[] {
  const mixed = [
    { resolution: 'fine', width: 1728 },
    { resolution: 'standard', width: 1728 },
    { resolution: 'fine', width: 2048 },
  ] as const;
  const base = { mixed, pages: 3, resolution: 'fine', timeScale: SCALE } as const;
  return [
    { ...base, id: 'faxgate->faxgate ECM MMR mixed fine/standard/B4 3 pages (EOM)', peers: 'faxgate->faxgate', ecm: true, coding: 'mmr' },
    { ...base, id: 'faxgate->faxgate non-ECM MR mixed fine/standard/B4 3 pages (EOM)', peers: 'faxgate->faxgate', ecm: false, coding: 'mr' },
    { ...base, id: 'faxgate->spandsp ECM MMR mixed fine/standard/B4 3 pages (EOM)', peers: 'faxgate->spandsp', ecm: true, coding: 'mmr' },
    { ...base, id: 'faxgate->spandsp non-ECM MR mixed fine/standard/B4 3 pages (EOM)', peers: 'faxgate->spandsp', ecm: false, coding: 'mr' },
    { ...base, id: 'spandsp->faxgate ECM MMR mixed fine/standard/B4 3 pages (EOM)', peers: 'spandsp->faxgate', ecm: true, coding: 'mmr' },
  ];
}

function realTime(): FaxCase[] {
  return [
    { id: 'faxgate->spandsp ECM MMR fine 1 page at real time', peers: 'faxgate->spandsp', ecm: true, coding: 'mmr', resolution: 'fine', pages: 1, timeScale: 1 },
    { id: 'spandsp->faxgate non-ECM MR fine 1 page at real time', peers: 'spandsp->faxgate', ecm: false, coding: 'mr', resolution: 'fine', pages: 1, timeScale: 1 },
  ];
}

export const MANIFEST: readonly FaxCase[] = [...matrix(), ...lossy(), ...failures(), ...realTime(), ...sizes(), ...mixedPages()];
