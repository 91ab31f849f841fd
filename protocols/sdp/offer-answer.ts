/**
 * Offer/answer (RFC 3264) for a fax endpoint: G.711 audio (PCMU 0, PCMA 8, telephone-event)
 * and T.38 over UDPTL (`m=image PORT udptl t38`). One stream carries the fax: an offer with
 * both (as some carriers send in the initial INVITE) is answered on the stream we prefer,
 * the other one rejected with port 0 in its place, as RFC 3264 6 keeps m-line positions.
 */
import { SdpError } from './errors.ts';
import { attrs, mediaAddress, type SdpAttribute, type SdpMedia, type SessionDescription } from './session.ts';
import { acceptT38Answer, negotiateT38, readT38Params, t38Attributes, t38Offer, type T38Capabilities, type T38Params, type T38Session } from './t38.ts';

export type AudioCodecName = 'PCMU' | 'PCMA' | 'telephone-event';

export interface AudioCodec {
  readonly payloadType: number;
  /** Encoding name as written (`PCMU`, `telephone-event`). */
  readonly name: string;
  readonly clockRate: number;
  readonly fmtp: string | undefined;
}

export interface LocalMedia {
  /** Our media address for c= and o=. */
  readonly address: string;
  readonly sessionId: string;
  /** Incremented by the caller on every new offer or answer it sends in a dialog. */
  readonly sessionVersion: number;
  readonly audio?: { readonly port: number; readonly codecs: readonly AudioCodecName[]; readonly ptime?: number };
  readonly image?: { readonly port: number; readonly t38: T38Capabilities };
}

export interface RemoteEndpoint {
  readonly address: string;
  readonly port: number;
}

/** What an offer/answer exchange settled on. Exactly one of audio, t38 for a fax call. */
export interface NegotiatedMedia {
  readonly audio?: { readonly codec: AudioCodec; readonly telephoneEvent: number | undefined; readonly remote: RemoteEndpoint };
  readonly t38?: { readonly session: T38Session; readonly remote: RemoteEndpoint; readonly params: T38Params };
}

/** Well-known static payload types (RFC 3551 table 4), used when rtpmap is absent. */
const STATIC_TYPES: Readonly<Record<number, AudioCodec>> = {
  0: { payloadType: 0, name: 'PCMU', clockRate: 8000, fmtp: undefined },
  8: { payloadType: 8, name: 'PCMA', clockRate: 8000, fmtp: undefined },
};
const TELEPHONE_EVENT_PT = 101;

export function buildOffer(local: LocalMedia, streams: { audio: boolean; image: boolean }): SessionDescription {
  const media: SdpMedia[] = [];
  if (streams.audio) {
    if (local.audio === undefined) throw new SdpError('SDP_NOT_ACCEPTABLE', 'audio offer without a local audio port');
    media.push(audioMedia(local.audio.port, local.audio.codecs.map(localCodec), local.audio.ptime));
  }
  if (streams.image) {
    if (local.image === undefined) throw new SdpError('SDP_NOT_ACCEPTABLE', 'T.38 offer without a local UDPTL port');
    media.push(imageMedia(local.image.port, t38Offer(local.image.t38)));
  }
  return session(local, media);
}

/** Audio codecs an m=audio section lists, in preference order, from its formats and rtpmap lines. */
export function readAudioCodecs(m: SdpMedia): AudioCodec[] {
  const maps = new Map<number, { name: string; clockRate: number }>();
  for (const a of attrs(m.attributes, 'rtpmap')) {
    const r = /^(\d{1,3})\s+([^/\s]+)\/(\d+)/.exec(a.value ?? '');
    if (r !== null) maps.set(Number(r[1]), { name: r[2] as string, clockRate: Number(r[3]) });
  }
  const fmtps = new Map<number, string>();
  for (const a of attrs(m.attributes, 'fmtp')) {
    const r = /^(\d{1,3})\s+(.*)$/.exec(a.value ?? '');
    if (r !== null) fmtps.set(Number(r[1]), r[2] as string);
  }
  const out: AudioCodec[] = [];
  for (const f of m.formats) {
    if (!/^\d{1,3}$/.test(f)) continue;
    const pt = Number(f);
    const map = maps.get(pt);
    const known = STATIC_TYPES[pt];
    if (map !== undefined) out.push({ payloadType: pt, name: map.name, clockRate: map.clockRate, fmtp: fmtps.get(pt) });
    else if (known !== undefined) out.push(known);
  }
  return out;
}

/**
 * Answers an offer. `prefer` picks the stream when both are acceptable. Throws
 * SDP_NOT_ACCEPTABLE (the caller answers 488) when nothing can be accepted.
 */
export function answerOffer(offer: SessionDescription, local: LocalMedia, prefer: 'image' | 'audio'): { answer: SessionDescription; negotiated: NegotiatedMedia } {
  const imageIndex = offer.media.findIndex((m) => isT38(m) && m.port !== 0);
  const audioIndex = offer.media.findIndex((m) => m.type === 'audio' && m.port !== 0 && /RTP\/AVP/i.test(m.proto));
  const canImage = imageIndex >= 0 && local.image !== undefined;
  const audioChoice = audioIndex >= 0 && local.audio !== undefined ? chooseAudio(offer.media[audioIndex] as SdpMedia, local.audio.codecs) : undefined;
  const useImage = canImage && (prefer === 'image' || audioChoice === undefined);
  const useAudio = !useImage && audioChoice !== undefined;
  if (!useImage && !useAudio) {
    throw new SdpError('SDP_NOT_ACCEPTABLE', 'no acceptable media in the offer', { streams: offer.media.map((m) => `${m.type}/${m.proto}`).join(' ') || 'none' });
  }
  let negotiated: NegotiatedMedia = {};
  const media = offer.media.map((m, i): SdpMedia => {
    if (useImage && i === imageIndex && local.image !== undefined) {
      const { answer, session: t38 } = negotiateT38(readT38Params(m), local.image.t38);
      negotiated = { t38: { session: t38, remote: remoteOf(offer, m), params: answer } };
      return imageMedia(local.image.port, answer);
    }
    if (useAudio && i === audioIndex && local.audio !== undefined && audioChoice !== undefined) {
      negotiated = { audio: { codec: audioChoice.codec, telephoneEvent: audioChoice.telephoneEvent?.payloadType, remote: remoteOf(offer, m) } };
      const codecs = audioChoice.telephoneEvent === undefined ? [audioChoice.codec] : [audioChoice.codec, audioChoice.telephoneEvent];
      return audioMedia(local.audio.port, codecs, local.audio.ptime);
    }
    return rejected(m);
  });
  return { answer: session(local, media), negotiated };
}

/** Reads the answer to our offer: which stream was accepted, with what parameters. */
export function readAnswer(offer: SessionDescription, answer: SessionDescription, local: LocalMedia): NegotiatedMedia {
  for (let i = 0; i < answer.media.length; i++) {
    const m = answer.media[i] as SdpMedia;
    const offered = offer.media[i];
    if (m.port === 0 || offered === undefined) continue;
    if (isT38(m) && isT38(offered) && local.image !== undefined) {
      const ours = readT38Params(offered);
      const theirs = readT38Params(m);
      return { t38: { session: acceptT38Answer(ours, theirs, local.image.t38), remote: remoteOf(answer, m), params: theirs } };
    }
    if (m.type === 'audio') {
      const codecs = readAudioCodecs(m);
      const codec = codecs.find((c) => isG711(c.name));
      if (codec !== undefined) {
        const te = codecs.find((c) => c.name.toLowerCase() === 'telephone-event');
        return { audio: { codec, telephoneEvent: te?.payloadType, remote: remoteOf(answer, m) } };
      }
    }
  }
  throw new SdpError('SDP_NOT_ACCEPTABLE', 'the answer accepts no stream we offered', {});
}

/** Whether an SDP offers T.38 (`m=image <port != 0> udptl t38`). */
export function offersT38(sd: SessionDescription): boolean {
  return sd.media.some((m) => isT38(m) && m.port !== 0);
}

export function isT38(m: SdpMedia): boolean {
  return m.type.toLowerCase() === 'image' && m.proto.toLowerCase() === 'udptl' && m.formats.some((f) => f.toLowerCase() === 't38');
}

function chooseAudio(m: SdpMedia, ours: readonly AudioCodecName[]): { codec: AudioCodec; telephoneEvent: AudioCodec | undefined } | undefined {
  const offered = readAudioCodecs(m);
  // RFC 3264 6.1: the answerer should keep the offerer's order among codecs it supports.
  const codec = offered.find((c) => isG711(c.name) && c.clockRate === 8000 && ours.includes(c.name.toUpperCase() as AudioCodecName));
  if (codec === undefined) return undefined;
  const te = ours.includes('telephone-event') ? offered.find((c) => c.name.toLowerCase() === 'telephone-event') : undefined;
  return { codec, telephoneEvent: te };
}

function isG711(name: string): boolean {
  const n = name.toUpperCase();
  return n === 'PCMU' || n === 'PCMA';
}

function localCodec(name: AudioCodecName): AudioCodec {
  if (name === 'PCMU') return STATIC_TYPES[0] as AudioCodec;
  if (name === 'PCMA') return STATIC_TYPES[8] as AudioCodec;
  return { payloadType: TELEPHONE_EVENT_PT, name: 'telephone-event', clockRate: 8000, fmtp: '0-15' };
}

function audioMedia(port: number, codecs: readonly AudioCodec[], ptime: number | undefined): SdpMedia {
  const attributes: SdpAttribute[] = [];
  for (const c of codecs) {
    attributes.push({ name: 'rtpmap', value: `${c.payloadType} ${c.name}/${c.clockRate}` });
    if (c.fmtp !== undefined) attributes.push({ name: 'fmtp', value: `${c.payloadType} ${c.fmtp}` });
  }
  if (ptime !== undefined) attributes.push({ name: 'ptime', value: String(ptime) });
  attributes.push({ name: 'sendrecv', value: undefined });
  return { type: 'audio', port, portCount: undefined, proto: 'RTP/AVP', formats: codecs.map((c) => String(c.payloadType)), connection: undefined, attributes, lines: [] };
}

function imageMedia(port: number, params: T38Params): SdpMedia {
  return { type: 'image', port, portCount: undefined, proto: 'udptl', formats: ['t38'], connection: undefined, attributes: t38Attributes(params), lines: [] };
}

function rejected(m: SdpMedia): SdpMedia {
  return { type: m.type, port: 0, portCount: undefined, proto: m.proto, formats: m.formats.length > 0 ? m.formats : ['0'], connection: undefined, attributes: [], lines: [] };
}

function session(local: LocalMedia, media: SdpMedia[]): SessionDescription {
  const addrType = local.address.includes(':') ? 'IP6' : 'IP4';
  return {
    origin: { username: 'faxgate', sessionId: local.sessionId, sessionVersion: String(local.sessionVersion), netType: 'IN', addrType, address: local.address },
    sessionName: 'faxgate',
    connection: { netType: 'IN', addrType, address: local.address },
    timing: [{ type: 't', value: '0 0' }],
    attributes: [],
    lines: [],
    media,
  };
}

function remoteOf(sd: SessionDescription, m: SdpMedia): RemoteEndpoint {
  const address = mediaAddress(sd, m);
  if (address === undefined) throw new SdpError('SDP_NOT_ACCEPTABLE', 'stream without a connection address', { media: m.type });
  return { address, port: m.port };
}
