/**
 * faxgate's SIP stack (RFC 3261), in layers that each declare what they need below:
 * transport (UDP, TCP, TLS, in-memory) -> transaction (client/server, INVITE/non-INVITE,
 * timers A-M on the injected clock) -> dialog -> user agent (calls, re-INVITE with glare
 * handling, session refresh, CANCEL, BYE, OPTIONS, REGISTER, digest). See README.md.
 */
export type { SipAddress, SipProtocol, SipSource, SipTransport } from './transport/transport.ts';
export { UdpSipTransport } from './transport/udp.ts';
export { StreamSipTransport, type StreamTransportOptions } from './transport/stream.ts';
export { MemoryNetwork, MemorySipTransport, type MemoryPacket } from './transport/memory.ts';
export { RFC3261_TIMERS, SipTimers, type SipTimerValues } from './transaction/timers.ts';
export { TransactionLayer, type SipDestination, type TransactionLayerStats } from './transaction/transaction-layer.ts';
export { Dialog, uriDestination } from './dialog/dialog.ts';
export { Call, type CallEnd, type CallEvents, type CallState, type IncomingOffer, type ReinviteResult } from './user-agent/call.ts';
export { UserAgent, type InviteOptions, type UserAgentEvents, type UserAgentOptions } from './user-agent/user-agent.ts';
export { Registration, type RegisterOptions, type RegistrationEvents, type RegistrationState } from './user-agent/registration.ts';
export { callerIdentity, makeResponse, type CallerIdentity } from './user-agent/messages.ts';
