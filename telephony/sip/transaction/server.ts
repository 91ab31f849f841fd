/**
 * Server transactions (RFC 3261 17.2, with RFC 6026's Accepted state for INVITE).
 *
 * INVITE (17.2.1, RFC 6026 figure 5):
 *
 *          INVITE received, 100 Trying sent
 *                  v
 *   INVITE: resend +------------+ 2xx from TU            +----------+
 *   last 1xx       | Proceeding |----------------------->| Accepted |--Timer L--> Terminated
 *                  +------------+  (TU resends 2xx)      +----------+ (absorbs INVITE and ACK)
 *                        | 300-699 from TU, Timer G (UDP), H
 *                        v
 *   INVITE: resend +-----------+ ACK, Timer I  +-----------+
 *   Timer G: resend| Completed |-------------->| Confirmed |--Timer I--> Terminated
 *   Timer H: to TU +-----------+               +-----------+
 *
 * non-INVITE (17.2.2, figure 8): Trying -1xx-> Proceeding; final -> Completed -Timer J->
 * Terminated; request retransmissions get the last response again.
 */
import { serializeSipMessage, type SipRequest, type SipResponse } from '../../../protocols/sip/index.ts';
import type { SipSource } from '../transport/transport.ts';
import { Transaction, type TransactionContext } from './transaction.ts';

export type InviteServerState = 'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted' | 'Terminated';

export class InviteServerTransaction extends Transaction<InviteServerState> {
  private last: Uint8Array | undefined;
  /** Timer H fired: the far end never ACKed our failure response (17.2.1). */
  onAckTimeout: () => void = () => undefined;
  /** The INVITE's ACK arrived (for a non-2xx: absorbed here, reported for logging). */
  onAck: (ack: SipRequest) => void = () => undefined;

  constructor(key: string, ctx: TransactionContext, readonly request: SipRequest, readonly source: SipSource) {
    super(key, ctx, 'Proceeding');
  }

  /** The TU's response. Provisional responses are sent only in Proceeding; finals move the state. */
  respond(res: SipResponse): void {
    if (this.state !== 'Proceeding') return;
    this.last = serializeSipMessage(res);
    this.ctx.send(this.last);
    if (res.status < 200) return;
    if (res.status < 300) {
      // RFC 6026 8.5: "the server transaction MUST transition to the Accepted state ... start timer L (64*T1)".
      this.transition('Accepted');
      this.startTimer('L', this.ctx.timers.L, () => this.transition('Terminated'));
      return;
    }
    this.transition('Completed');
    // 17.2.1: "For unreliable transports, timer G is set to fire in T1 seconds ... timer H MUST be set to fire in 64*T1 seconds".
    if (!this.ctx.reliable) this.armG(this.ctx.timers.T1);
    this.startTimer('H', this.ctx.timers.H, () => {
      if (this.state !== 'Completed') return;
      this.transition('Terminated');
      this.onAckTimeout();
    });
  }

  private armG(interval: number): void {
    this.startTimer('G', interval, () => {
      if (this.state !== 'Completed' || this.last === undefined) return;
      // "the response is passed to the transport layer once more ... timer G is reset with a value of MIN(2*T1, T2)".
      this.ctx.send(this.last);
      this.armG(Math.min(2 * interval, this.ctx.timers.T2));
    });
  }

  /** A retransmitted INVITE matched this transaction. */
  receiveRequestRetransmission(): void {
    // Proceeding: resend the last provisional; Completed: the final. Accepted absorbs it (RFC 6026 8.6).
    if ((this.state === 'Proceeding' || this.state === 'Completed') && this.last !== undefined) this.ctx.send(this.last);
  }

  receiveAck(ack: SipRequest): void {
    if (this.state === 'Completed') {
      // "If an ACK is received while the server transaction is in the Completed state, the server transaction MUST transition to the Confirmed state."
      this.stopTimer('G');
      this.stopTimer('H');
      this.transition('Confirmed');
      this.startTimer('I', this.ctx.timers.I(this.ctx.reliable), () => this.transition('Terminated'));
      this.onAck(ack);
    }
  }

  get finalSent(): boolean {
    return this.state !== 'Proceeding';
  }

  transportError(): void {
    if (this.state !== 'Terminated') this.transition('Terminated');
  }
}

export type NonInviteServerState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

export class NonInviteServerTransaction extends Transaction<NonInviteServerState> {
  private last: Uint8Array | undefined;

  constructor(key: string, ctx: TransactionContext, readonly request: SipRequest, readonly source: SipSource) {
    super(key, ctx, 'Trying');
  }

  respond(res: SipResponse): void {
    if (this.state === 'Completed' || this.state === 'Terminated') return;
    this.last = serializeSipMessage(res);
    this.ctx.send(this.last);
    if (res.status < 200) {
      this.transition('Proceeding');
      return;
    }
    this.transition('Completed');
    // 17.2.2: "timer J to fire in 64*T1 seconds for unreliable transports, and zero seconds for reliable transports".
    this.startTimer('J', this.ctx.timers.J(this.ctx.reliable), () => this.transition('Terminated'));
  }

  receiveRequestRetransmission(): void {
    // Trying: discarded. Proceeding and Completed: the last response again.
    if (this.state !== 'Trying' && this.last !== undefined) this.ctx.send(this.last);
  }

  get finalSent(): boolean {
    return this.state === 'Completed' || this.state === 'Terminated';
  }

  transportError(): void {
    if (this.state !== 'Terminated') this.transition('Terminated');
  }
}
