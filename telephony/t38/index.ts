/**
 * The T.38 terminal: a FaxModem over UDPTL (see terminal.ts), the shared pacer that lets many
 * terminals run on one timer, the datagram transport it needs, and an in-memory link for tests.
 */
export { T38Terminal, T38TerminalClosedError, type RateManagement, type T38TerminalOptions, type T38TerminalStats } from './terminal.ts';
export { Pacer, type PacerMember } from './pacer.ts';
export type { DatagramTransport } from './transport.ts';
export { createMemoryLink, mulberry32, type LinkFaults, type MemoryLink } from './memory-link.ts';
export { withSendLoss } from './lossy-transport.ts';
