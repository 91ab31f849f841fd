/**
 * UDPTL (ITU-T T.38 clause 9.1): the datagram codec, a sender that adds redundancy or
 * parity FEC, and a receiver that reorders and repairs. Pure: no sockets or timers.
 */
export { UdptlDecodeError, type UdptlErrorCode } from './errors.ts';
export { DEFAULT_UDPTL_LIMITS, decodeUdptl, encodeUdptl, type UdptlFec, type UdptlLimits, type UdptlPacket } from './packet.ts';
export { fecCoveredSeqs, xorParity } from './fec.ts';
export { UdptlSender, type UdptlErrorCorrection, type UdptlSenderOptions } from './sender.ts';
export { UdptlReceiver, type UdptlDelivery, type UdptlReceiverOptions, type UdptlReceiverStats } from './receiver.ts';
