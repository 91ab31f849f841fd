/**
 * RFC 3261 timer values (Table 4, 17.1.1.1, 17.1.2.2): T1 the RTT estimate, T2 the cap on
 * retransmission intervals, T4 the longest a message stays in the network. The lettered
 * timers derive from them; on reliable transports D, I, J and K are zero.
 */
export interface SipTimerValues {
  readonly T1: number;
  readonly T2: number;
  readonly T4: number;
}

export const RFC3261_TIMERS: SipTimerValues = { T1: 500, T2: 4000, T4: 5000 };

export class SipTimers {
  constructor(readonly values: SipTimerValues = RFC3261_TIMERS) {}
  get T1(): number { return this.values.T1; }
  get T2(): number { return this.values.T2; }
  get T4(): number { return this.values.T4; }
  /** INVITE transaction timeout (Calling state). */
  get B(): number { return 64 * this.T1; }
  /** Wait for response retransmissions after a non-2xx final: at least 32 s on UDP. */
  D(reliable: boolean): number { return reliable ? 0 : Math.max(32_000, 64 * this.T1); }
  /** Non-INVITE transaction timeout. */
  get F(): number { return 64 * this.T1; }
  /** Wait for the ACK to a non-2xx final response. */
  get H(): number { return 64 * this.T1; }
  /** Absorb ACK retransmissions in Confirmed. */
  I(reliable: boolean): number { return reliable ? 0 : this.T4; }
  /** Absorb non-INVITE request retransmissions in Completed. */
  J(reliable: boolean): number { return reliable ? 0 : 64 * this.T1; }
  /** Absorb non-INVITE response retransmissions in Completed. */
  K(reliable: boolean): number { return reliable ? 0 : this.T4; }
  /** RFC 6026: how long an accepted INVITE server transaction absorbs INVITE/ACK retransmissions. */
  get L(): number { return 64 * this.T1; }
  /** RFC 6026: how long an accepted INVITE client transaction passes 2xx retransmissions up. */
  get M(): number { return 64 * this.T1; }
}
