/**
 * Client transactions (RFC 3261 17.1, with RFC 6026's Accepted state for INVITE).
 *
 * INVITE (17.1.1, figure 5 as amended by RFC 6026 figure 3):
 *
 *                  |INVITE sent, Timer A (UDP) and B
 *                  v
 *   Timer A: resend +-------+ 1xx           +------------+
 *   Timer B: timeout|Calling|-------------->| Proceeding |--1xx to TU
 *                   +-------+               +------------+
 *          300-699 / |  \ 2xx                /       \ 2xx
 *        ACK, to TU  |   \------------------/---------\-------> Accepted --Timer M--> Terminated
 *                    v                     / 300-699         (2xx to TU each time: the UA re-ACKs)
 *               Completed <---------------/  ACK, to TU
 *        (300-699: resend ACK)  --Timer D--> Terminated
 *
 * non-INVITE (17.1.2, figure 6): Trying -1xx-> Proceeding; final -> Completed -Timer K->
 * Terminated; Timer E retransmits (doubling to T2; T2 in Proceeding), Timer F times out.
 */
import { getHeader, getHeaders, serializeSipMessage, type SipRequest, type SipResponse } from '../../../protocols/sip/index.ts';
import { Transaction, type TransactionContext } from './transaction.ts';

export interface ClientTransactionUser {
  /** Responses the TU must see (provisional and final; for INVITE also 2xx retransmissions). */
  receiveResponse(res: SipResponse): void;
  /** Timer B or F fired, or the transport failed: the TU acts as on a 408 (17.1.1.2, 8.1.3.1). */
  timeout(reason: 'timeout' | 'transport'): void;
}

export type InviteClientState = 'Calling' | 'Proceeding' | 'Completed' | 'Accepted' | 'Terminated';

export class InviteClientTransaction extends Transaction<InviteClientState> {
  private readonly bytes: Uint8Array;
  private ack: Uint8Array | undefined;

  constructor(key: string, ctx: TransactionContext, readonly request: SipRequest, private readonly user: ClientTransactionUser) {
    super(key, ctx, 'Calling');
    this.bytes = serializeSipMessage(request);
    ctx.send(this.bytes);
    // 17.1.1.2: "For unreliable transports, the client transaction MUST start timer A with a value of T1."
    if (!ctx.reliable) this.armA(ctx.timers.T1);
    // "For any transport, the client transaction MUST start timer B with a value of 64*T1."
    this.startTimer('B', ctx.timers.B, () => {
      if (this.state !== 'Calling') return;
      this.transition('Terminated');
      this.user.timeout('timeout');
    });
  }

  private armA(interval: number): void {
    this.startTimer('A', interval, () => {
      if (this.state !== 'Calling') return;
      // "When timer A fires, the client transaction MUST retransmit the request ... and reset the timer with a value of 2*T1."
      this.ctx.send(this.bytes);
      this.armA(interval * 2);
    });
  }

  receiveResponse(res: SipResponse): void {
    const s = this.state;
    if (res.status < 200) {
      if (s === 'Calling' || s === 'Proceeding') {
        // "If the client transaction receives a provisional response while in the Calling state, it transitions to Proceeding ... SHOULD NOT retransmit."
        this.stopTimer('A');
        this.transition('Proceeding');
        this.user.receiveResponse(res);
      }
      return;
    }
    if (res.status < 300) {
      if (s === 'Calling' || s === 'Proceeding') {
        // RFC 6026 7.2: a 2xx moves to Accepted; Timer M keeps the transaction to catch retransmitted 2xx.
        this.stopTimer('A');
        this.stopTimer('B');
        this.transition('Accepted');
        this.startTimer('M', this.ctx.timers.M, () => this.transition('Terminated'));
        this.user.receiveResponse(res);
      } else if (s === 'Accepted') {
        this.user.receiveResponse(res);
      }
      return;
    }
    if (s === 'Calling' || s === 'Proceeding') {
      // "the client transaction MUST transition to Completed ... generate an ACK ... pass the response up."
      this.stopTimer('A');
      this.stopTimer('B');
      this.ack = serializeSipMessage(ackForNon2xx(this.request, res));
      this.ctx.send(this.ack);
      this.transition('Completed');
      this.startTimer('D', this.ctx.timers.D(this.ctx.reliable), () => this.transition('Terminated'));
      this.user.receiveResponse(res);
    } else if (s === 'Completed' && this.ack !== undefined) {
      // "Any retransmissions of the final response ... MUST cause the ACK to be re-passed to the transport layer."
      this.ctx.send(this.ack);
    }
  }

  transportError(): void {
    if (this.state === 'Terminated') return;
    const notify = this.state === 'Calling' || this.state === 'Proceeding';
    this.transition('Terminated');
    if (notify) this.user.timeout('transport');
  }
}

/** 17.1.1.3: the ACK to a non-2xx final response, part of the INVITE transaction. */
export function ackForNon2xx(invite: SipRequest, res: SipResponse): SipRequest {
  const headers = [
    { name: 'Via', value: getHeader(invite, 'Via') ?? '' },
    ...getHeaders(invite, 'Route').map((value) => ({ name: 'Route', value })),
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: getHeader(invite, 'From') ?? '' },
    { name: 'To', value: getHeader(res, 'To') ?? '' },
    { name: 'Call-ID', value: getHeader(invite, 'Call-ID') ?? '' },
    { name: 'CSeq', value: `${(getHeader(invite, 'CSeq') ?? '').split(/\s+/)[0]} ACK` },
  ];
  return { kind: 'request', method: 'ACK', uri: invite.uri, headers, body: new Uint8Array(0) };
}

export type NonInviteClientState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

export class NonInviteClientTransaction extends Transaction<NonInviteClientState> {
  private readonly bytes: Uint8Array;

  constructor(key: string, ctx: TransactionContext, readonly request: SipRequest, private readonly user: ClientTransactionUser) {
    super(key, ctx, 'Trying');
    this.bytes = serializeSipMessage(request);
    ctx.send(this.bytes);
    // 17.1.2.2: "timer F MUST be set to fire in 64*T1 seconds"; on UDP "timer E MUST be set to fire in T1 seconds".
    this.startTimer('F', ctx.timers.F, () => {
      if (this.state !== 'Trying' && this.state !== 'Proceeding') return;
      this.transition('Terminated');
      this.user.timeout('timeout');
    });
    if (!ctx.reliable) this.armE(ctx.timers.T1);
  }

  private armE(interval: number): void {
    this.startTimer('E', interval, () => {
      if (this.state === 'Trying') {
        // "the timer is reset with a value of MIN(2*T1, T2) ... MIN(4*T1, T2) ..."
        this.ctx.send(this.bytes);
        this.armE(Math.min(2 * interval, this.ctx.timers.T2));
      } else if (this.state === 'Proceeding') {
        // "If Timer E fires while in the Proceeding state, the request MUST be passed to the transport layer ... reset with a value of T2."
        this.ctx.send(this.bytes);
        this.armE(this.ctx.timers.T2);
      }
    });
  }

  receiveResponse(res: SipResponse): void {
    const s = this.state;
    if (s !== 'Trying' && s !== 'Proceeding') return; // Completed absorbs retransmissions
    if (res.status < 200) {
      this.transition('Proceeding');
      this.user.receiveResponse(res);
      return;
    }
    this.stopTimer('E');
    this.stopTimer('F');
    this.transition('Completed');
    // "Once the client transaction enters the Completed state, it MUST set Timer K to fire in T4 seconds for unreliable transports, and zero seconds for reliable transports."
    this.startTimer('K', this.ctx.timers.K(this.ctx.reliable), () => this.transition('Terminated'));
    this.user.receiveResponse(res);
  }

  transportError(): void {
    if (this.state === 'Terminated') return;
    const notify = this.state === 'Trying' || this.state === 'Proceeding';
    this.transition('Terminated');
    if (notify) this.user.timeout('transport');
  }
}
