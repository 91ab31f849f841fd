/**
 * SDP (RFC 4566) with offer/answer (RFC 3264) for G.711 audio and T.38 over UDPTL
 * (T.38 Annex D attributes). Pure; throws only SdpError.
 */
export { SdpError, type SdpErrorCode } from './errors.ts';
export {
  DEFAULT_SDP_LIMITS, attr, attrs, mediaAddress, parseSdp, serializeSdp,
  type SdpAttribute, type SdpConnection, type SdpLimits, type SdpLine, type SdpMedia, type SdpOrigin, type SessionDescription,
} from './session.ts';
export {
  DEFAULT_T38_CAPABILITIES, acceptT38Answer, negotiateT38, readT38Params, t38Attributes, t38Offer,
  type T38Capabilities, type T38ErrorCorrection, type T38Params, type T38RateManagement, type T38Session,
} from './t38.ts';
export {
  answerOffer, buildOffer, isT38, offersT38, readAnswer, readAudioCodecs,
  type AudioCodec, type AudioCodecName, type LocalMedia, type NegotiatedMedia, type RemoteEndpoint,
} from './offer-answer.ts';
