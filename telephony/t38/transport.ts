/**
 * What the T.38 terminal needs below it: something that carries whole datagrams. A UDP
 * socket (telephony/udp) in production, an in-memory link (./memory-link.ts) in tests.
 */
export interface DatagramTransport {
  /** Sends one datagram to the far end; silently dropped when the far end is not yet known. */
  send(datagram: Uint8Array): void;
  /** Registers the receiver of incoming datagrams (one listener: the terminal). */
  onDatagram(listener: (datagram: Uint8Array) => void): void;
  /** Releases the transport; no datagram is delivered after it resolves. */
  close(): Promise<void>;
}
