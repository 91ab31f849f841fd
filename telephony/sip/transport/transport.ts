/**
 * The transport layer's contract (RFC 3261 18) as the transaction layer sees it: send bytes
 * to an address, get bytes with their source. Framing (datagrams, Content-Length on
 * streams) is the transport's job; parsing is the endpoint's.
 */
export type SipProtocol = 'UDP' | 'TCP' | 'TLS';

export interface SipAddress {
  readonly host: string;
  readonly port: number;
}

export interface SipTransport {
  readonly protocol: SipProtocol;
  /** Reliable transports (TCP, TLS) make the retransmission timers A, E, G unnecessary (17.1.1.2). */
  readonly reliable: boolean;
  /** The address written in Via and Contact. */
  readonly local: SipAddress;
  /** Sends one complete message; connection-oriented transports connect on demand. */
  send(data: Uint8Array, to: SipAddress): void;
  onReceive(listener: (data: Uint8Array, from: SipAddress) => void): void;
  /** Errors after start (connection refused, reset): reported, never thrown at the caller of send. */
  onError(listener: (err: Error, to: SipAddress | undefined) => void): void;
  close(): Promise<void>;
}

export function addressKey(a: SipAddress): string {
  return `${a.host}:${a.port}`;
}

/** Where a message came from: the transport it arrived on and the peer's address. */
export interface SipSource {
  readonly transport: SipTransport;
  readonly address: SipAddress;
}
