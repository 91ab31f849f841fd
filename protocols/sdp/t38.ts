/**
 * T.38 session parameters in SDP (ITU-T T.38 Annex D, RFC 3362 for the media type) and their
 * negotiation. Attribute names are matched case-insensitively: `T38MaxBitRate` arrives as
 * `T38maxBitRate` and `t38MaxBitRate` in the field. Boolean attributes (`T38FaxFillBitRemoval`)
 * mean true when present without a value, and read `:0`/`:1` when given one.
 */
import { attr, attrs, type SdpAttribute, type SdpMedia } from './session.ts';

export type T38RateManagement = 'transferredTCF' | 'localTCF';
export type T38ErrorCorrection = 't38UDPRedundancy' | 't38UDPFEC' | 't38UDPNoEC';

export interface T38Params {
  readonly version: number;
  readonly maxBitRate: number;
  readonly rateManagement: T38RateManagement;
  readonly maxBuffer: number | undefined;
  /** Ambiguous in the field (IFP or UDPTL size); read as the largest UDPTL payload the writer accepts. */
  readonly maxDatagram: number | undefined;
  /** Every T38FaxUdpEC value listed, in order (some offers list both). Empty: none said. */
  readonly errorCorrection: readonly T38ErrorCorrection[];
  readonly fillBitRemoval: boolean;
  readonly transcodingMMR: boolean;
  readonly transcodingJBIG: boolean;
}

/** What faxgate can do, and the operator's overrides for broken peers. */
export interface T38Capabilities {
  readonly maxVersion: number;
  readonly maxBitRate: number;
  /** Our receive buffer and datagram size, announced in answers and offers. */
  readonly maxBuffer: number;
  readonly maxDatagram: number;
  /** Whether we can send and receive parity FEC (we always can redundancy). */
  readonly fec: boolean;
  /** Used instead of the far end's T38FaxMaxDatagram (some gear announces bogus small values). */
  readonly remoteMaxDatagramOverride?: number;
}

export const DEFAULT_T38_CAPABILITIES: T38Capabilities = { maxVersion: 0, maxBitRate: 14400, maxBuffer: 2000, maxDatagram: 400, fec: false };

/** Defaults when an attribute is absent (T.38 Annex D: version 0, no EC said, transferredTCF on UDP). */
export function readT38Params(media: SdpMedia): T38Params {
  const a = media.attributes;
  const ec: T38ErrorCorrection[] = [];
  for (const e of attrs(a, 'T38FaxUdpEC')) {
    const v = (e.value ?? '').toLowerCase();
    if (v === 't38udpredundancy') ec.push('t38UDPRedundancy');
    else if (v === 't38udpfec') ec.push('t38UDPFEC');
    else if (v === 't38udpnoec') ec.push('t38UDPNoEC');
  }
  return {
    version: intAttr(a, 'T38FaxVersion') ?? 0,
    maxBitRate: intAttr(a, 'T38MaxBitRate') ?? 14400,
    rateManagement: (attr(a, 'T38FaxRateManagement')?.value ?? '').toLowerCase() === 'localtcf' ? 'localTCF' : 'transferredTCF',
    maxBuffer: intAttr(a, 'T38FaxMaxBuffer'),
    maxDatagram: intAttr(a, 'T38FaxMaxDatagram'),
    errorCorrection: ec,
    fillBitRemoval: boolAttr(a, 'T38FaxFillBitRemoval'),
    transcodingMMR: boolAttr(a, 'T38FaxTranscodingMMR'),
    transcodingJBIG: boolAttr(a, 'T38FaxTranscodingJBIG'),
  };
}

/** The attributes for `params`, in the spelling and order most gear writes them. */
export function t38Attributes(p: T38Params): SdpAttribute[] {
  const out: SdpAttribute[] = [
    { name: 'T38FaxVersion', value: String(p.version) },
    { name: 'T38MaxBitRate', value: String(p.maxBitRate) },
  ];
  // Booleans are written only when true, as `:1` (both presence forms are read back as true).
  if (p.fillBitRemoval) out.push({ name: 'T38FaxFillBitRemoval', value: '1' });
  if (p.transcodingMMR) out.push({ name: 'T38FaxTranscodingMMR', value: '1' });
  if (p.transcodingJBIG) out.push({ name: 'T38FaxTranscodingJBIG', value: '1' });
  out.push({ name: 'T38FaxRateManagement', value: p.rateManagement });
  if (p.maxBuffer !== undefined) out.push({ name: 'T38FaxMaxBuffer', value: String(p.maxBuffer) });
  if (p.maxDatagram !== undefined) out.push({ name: 'T38FaxMaxDatagram', value: String(p.maxDatagram) });
  for (const ec of p.errorCorrection) out.push({ name: 'T38FaxUdpEC', value: ec });
  return out;
}

/** The T.38 session both ends run once offer and answer are known: what the engine needs. */
export interface T38Session {
  readonly version: number;
  readonly maxBitRate: number;
  readonly rateManagement: T38RateManagement;
  /** What we send: redundancy, FEC or nothing. */
  readonly errorCorrection: T38ErrorCorrection;
  readonly fillBitRemoval: boolean;
  readonly transcodingMMR: boolean;
  readonly transcodingJBIG: boolean;
  /** The largest UDPTL datagram the far end takes (its SDP, or our override, or 400 when it said nothing). */
  readonly remoteMaxDatagram: number;
  readonly remoteMaxBuffer: number | undefined;
}

/** The offer faxgate makes from its capabilities. */
export function t38Offer(local: T38Capabilities): T38Params {
  return {
    version: local.maxVersion,
    maxBitRate: local.maxBitRate,
    rateManagement: 'transferredTCF',
    maxBuffer: local.maxBuffer,
    maxDatagram: local.maxDatagram,
    errorCorrection: [local.fec ? 't38UDPFEC' : 't38UDPRedundancy'],
    fillBitRemoval: false,
    transcodingMMR: false,
    transcodingJBIG: false,
  };
}

/**
 * Answers a T.38 offer (T.38 Annex D.2.3): version and bit rate are the minimum of both;
 * error correction is FEC only when the offer lists FEC and not redundancy, and we support
 * it; otherwise redundancy (everyone accepts it, FIELD-NOTES). Fill-bit removal and
 * transcoding are not done by faxgate's terminal: answered false whatever was offered.
 */
export function negotiateT38(offer: T38Params, local: T38Capabilities): { answer: T38Params; session: T38Session } {
  const fecOnly = offer.errorCorrection.includes('t38UDPFEC') && !offer.errorCorrection.includes('t38UDPRedundancy');
  const ec: T38ErrorCorrection = fecOnly && local.fec ? 't38UDPFEC' : 't38UDPRedundancy';
  const answer: T38Params = {
    version: Math.min(offer.version, local.maxVersion),
    maxBitRate: Math.min(offer.maxBitRate, local.maxBitRate),
    // Annex D: the answer echoes the offer's rate management (localTCF is for TCP; we still mirror it).
    rateManagement: offer.rateManagement,
    maxBuffer: local.maxBuffer,
    maxDatagram: local.maxDatagram,
    errorCorrection: [ec],
    fillBitRemoval: false,
    transcodingMMR: false,
    transcodingJBIG: false,
  };
  return { answer, session: sessionOf(answer, offer, local) };
}

/**
 * Reads the answer to our T.38 offer. The far end may lower version and bit rate; if it
 * raises them we keep ours (an answer cannot exceed the offer). EC: we send what it chose.
 */
export function acceptT38Answer(offer: T38Params, answer: T38Params, local: T38Capabilities): T38Session {
  const ec = answer.errorCorrection[0] ?? 't38UDPRedundancy';
  const agreed: T38Params = {
    ...answer,
    version: Math.min(offer.version, answer.version),
    maxBitRate: Math.min(offer.maxBitRate, answer.maxBitRate),
    errorCorrection: [ec === 't38UDPFEC' && !local.fec ? 't38UDPRedundancy' : ec],
  };
  return sessionOf(agreed, answer, local);
}

function sessionOf(agreed: T38Params, remote: T38Params, local: T38Capabilities): T38Session {
  return {
    version: agreed.version,
    maxBitRate: agreed.maxBitRate,
    rateManagement: agreed.rateManagement,
    errorCorrection: agreed.errorCorrection[0] ?? 't38UDPRedundancy',
    fillBitRemoval: agreed.fillBitRemoval,
    transcodingMMR: agreed.transcodingMMR,
    transcodingJBIG: agreed.transcodingJBIG,
    remoteMaxDatagram: local.remoteMaxDatagramOverride ?? remote.maxDatagram ?? 400,
    remoteMaxBuffer: remote.maxBuffer,
  };
}

function intAttr(a: readonly SdpAttribute[], name: string): number | undefined {
  const v = attr(a, name)?.value;
  if (v === undefined || !/^\d{1,9}$/.test(v)) return undefined;
  return Number(v);
}

function boolAttr(a: readonly SdpAttribute[], name: string): boolean {
  const found = attr(a, name);
  if (found === undefined) return false;
  return found.value === undefined || found.value === '' || found.value === '1' || found.value.toLowerCase() === 'true';
}
