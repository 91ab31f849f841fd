/**
 * A SIP call carrying a fax: its media sockets, the way onto T.38 by the trunk's policy (tones
 * and re-INVITEs both ways) and the T.38 terminal for the negotiated session. The fax engine
 * (actors/fax-call) runs on that terminal; plugins/sip-gateway and `faxgate call` put the two
 * together.
 */
export { CallMedia, firstExternalIPv4, type CallMediaOptions, type MediaPortRange } from './call-media.ts';
export { answerT38Call, placeT38Call, type T38Outcome, type T38SwitchOptions, type T38Via } from './t38-switch.ts';
export { errorCorrection, modemRate, openT38Modem, t38CapabilitiesFor, type ModemRate, type T38ModemOptions, type T38Negotiated } from './t38-modem.ts';
