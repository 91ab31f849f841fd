/**
 * A call as the application sees it: one INVITE dialog, either direction, with typed events.
 * The user agent drives it; the application listens and calls the user agent's methods
 * (answer, reinvite, bye, cancel).
 */
import type { DigestCredentials, SipRequest } from '../../../protocols/sip/index.ts';
import type { Dialog } from '../dialog/dialog.ts';
import { TypedEmitter } from '../emitter.ts';
import type { CallerIdentity } from './messages.ts';

export type CallState =
  /** Outbound: INVITE sent, no answer yet. */
  | 'calling'
  /** Inbound: INVITE received, not answered yet. */
  | 'incoming'
  /** 2xx sent or received. */
  | 'confirmed'
  | 'terminated';

/** Why a call ended: who hung up, or the SIP status that failed it. */
export type CallEnd =
  | { readonly by: 'local' | 'remote' }
  /** Our 2xx was never ACKed (13.3.1.4): we sent BYE. */
  | { readonly by: 'no-ack' }
  | { readonly by: 'failed'; readonly status: number; readonly reason: string };

/** A changed offer in a re-INVITE or UPDATE (e.g. the switch to T.38): answer it or refuse it. */
export interface IncomingOffer {
  readonly method: 'INVITE' | 'UPDATE';
  readonly sdp: string;
  accept(sdpAnswer: string): void;
  /** 488 Not Acceptable Here by default. */
  reject(status?: number): void;
}

export type CallEvents = {
  /** 1xx (outbound). */
  provisional: [status: number, reason: string, sdp: string | undefined];
  /** 2xx to our INVITE, with the answer SDP (outbound). */
  answered: [sdp: string];
  /** The ACK to our 2xx arrived (inbound). */
  confirmed: [];
  /** A final failure: non-2xx, timeout (408), transport failure (503), or CANCEL (487, inbound). */
  failed: [status: number, reason: string];
  /** A re-INVITE or UPDATE with a new offer. With no listener it is refused with 488. */
  offer: [offer: IncomingOffer];
  /** A session refresh (RFC 4028) answered with the unchanged SDP. */
  refreshed: [method: 'INVITE' | 'UPDATE'];
  /** A 491 to our re-INVITE: retrying after `delayMs` (RFC 3261 14.1). */
  glare: [delayMs: number];
  /** The call ended after it was set up. */
  bye: [by: 'local' | 'remote' | 'no-ack'];
};

export interface ReinviteResult {
  readonly ok: boolean;
  readonly status: number;
  readonly reason: string;
  /** The answer SDP of a 2xx. */
  readonly sdp?: string;
}

export class Call extends TypedEmitter<CallEvents> {
  state: CallState;
  end: CallEnd | undefined;
  dialog: Dialog | undefined;
  /** The last SDP we sent and the last the far end sent (offer or answer). */
  localSdp: string | undefined;
  remoteSdp: string | undefined;
  /** Our To tag for an inbound call (chosen on receipt, sent in 1xx and 2xx). */
  readonly localTag: string;
  /** Digest credentials given to invite(), reused for re-INVITE challenges. */
  readonly auth: DigestCredentials | undefined;

  constructor(
    readonly direction: 'outbound' | 'inbound',
    readonly callId: string,
    /** The initial INVITE (for outbound: the last one sent, with credentials if challenged). */
    public invite: SipRequest,
    localTag: string,
    readonly caller: CallerIdentity | undefined,
    auth: DigestCredentials | undefined,
  ) {
    super();
    this.state = direction === 'outbound' ? 'calling' : 'incoming';
    this.localTag = localTag;
    this.auth = auth;
  }

  /** @internal The user agent ends the call once, with the event that says why. */
  finish(end: CallEnd): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.end = end;
    if (end.by === 'failed') this.emit('failed', end.status, end.reason);
    else this.emit('bye', end.by);
  }

  /** @internal */
  notify<K extends keyof CallEvents>(event: K, ...args: CallEvents[K]): void {
    this.emit(event, ...args);
  }
}
