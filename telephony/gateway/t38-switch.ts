/**
 * Getting a SIP call onto T.38, both directions, by the trunk's policy:
 *
 *   policy               we call                            we answer
 *   offer-in-invite      INVITE offers T.38                 T.38 offered: accept it; audio: as below
 *   audio-then-reinvite  INVITE offers audio; on CED (or   answer audio, play CED; on CNG (or
 *                        after a grace) our re-INVITE       after a grace) our re-INVITE
 *   wait-for-reinvite    audio; play CNG; only the far      answer audio, play CED; only the far
 *                        end's re-INVITE switches           end's re-INVITE switches
 *   never                (refused before dialling)          488: no G.711 modem fax yet
 *
 * In every audio case a re-INVITE to T.38 from the far end is accepted, and ours waits a
 * moment after the tone: a gateway usually re-INVITEs itself right after it hears CED or CNG,
 * and two re-INVITEs at once only collide (491 both ways, RFC 3261 14.1). A re-INVITE that
 * is refused (488/606) fails the call with the SIP status: the caller maps it to the fax
 * result "T.38 refused" and remembers the destination (telephony/trunks/t38-refusals).
 */
import type { Clock, TimerId } from '../../core/clock.ts';
import {
  SdpError, answerOffer, buildOffer, offersT38, parseSdp, readAnswer, serializeSdp, type NegotiatedMedia, type SessionDescription,
} from '../../protocols/sdp/index.ts';
import { FaxToneWatch } from '../media/fax-tone-watch.ts';
import type { Call, InviteOptions, UserAgent } from '../sip/index.ts';
import type { T38Policy } from '../trunks/schema.ts';
import type { CallMedia } from './call-media.ts';
import type { T38Negotiated } from './t38-modem.ts';

export type T38Via = 'invite' | 'our-reinvite' | 'their-reinvite';

export type T38Outcome =
  | { readonly ok: true; readonly t38: T38Negotiated; readonly via: T38Via; readonly tone?: 'CNG' | 'CED' }
  /** `status`: the SIP status that ended it; 0 when no T.38 came in time. */
  | { readonly ok: false; readonly status: number; readonly reason: string };

export interface T38SwitchOptions {
  readonly ua: UserAgent;
  readonly media: CallMedia;
  readonly policy: T38Policy;
  readonly clock: Clock;
  /** Give up when no T.38 session is up by then (from the INVITE). */
  readonly timeoutMs: number;
  /** Our re-INVITE this long after a tone (the far end's own re-INVITE goes first). Default 1,000 ms. */
  readonly reinviteDelayMs?: number;
  /** With no tone heard, our re-INVITE this long after the audio answer. Default: 4,000 ms (answerer), 1,500 ms (caller). */
  readonly toneGraceMs?: number;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Places a call by the policy and resolves once T.38 runs (or the call failed). */
export function placeT38Call(target: string, invite: InviteOptions, options: T38SwitchOptions): { readonly call: Call; readonly t38: Promise<T38Outcome> } {
  if (options.policy === 'never') throw new RangeError('T.38 policy "never": no fax call can be placed without a G.711 modem');
  const local = options.media.nextLocal();
  const offer = buildOffer(local, { audio: options.policy !== 'offer-in-invite', image: options.policy === 'offer-in-invite' });
  const call = options.ua.invite(target, serializeSdp(offer), invite);
  const t38 = new Promise<T38Outcome>((settle) => {
    const s = new Switch(call, 'caller', options, settle);
    call.on('failed', (status, reason) => s.finish({ ok: false, status, reason: `SIP ${status} ${reason}` }));
    call.on('answered', (sdp) => {
      let n: NegotiatedMedia;
      try {
        n = readAnswer(offer, parseSdp(sdp), local);
      } catch (err) {
        s.finish({ ok: false, status: 488, reason: `the answer: ${err instanceof Error ? err.message : String(err)}` });
        return;
      }
      if (n.t38 !== undefined) s.finish({ ok: true, t38: n.t38, via: 'invite' });
      else if (n.audio !== undefined) s.onAudio(n.audio);
      else s.finish({ ok: false, status: 488, reason: 'the answer has neither T.38 nor audio' });
    });
  });
  return { call, t38 };
}

/**
 * Answers an incoming call by the policy and resolves once T.38 runs. An offer we cannot take
 * is refused here with 488 (the outcome says so); the caller has already decided to take the
 * call (routing, channels).
 */
export function answerT38Call(call: Call, options: T38SwitchOptions): Promise<T38Outcome> {
  return new Promise<T38Outcome>((settle) => {
    const s = new Switch(call, 'answerer', options, settle);
    call.on('failed', (status, reason) => s.finish({ ok: false, status, reason: `SIP ${status} ${reason}` }));
    if (options.policy === 'never') {
      options.ua.reject(call, 488);
      s.finish({ ok: false, status: 488, reason: 'T.38 is off for this trunk and G.711 modem fax is not available' });
      return;
    }
    if (call.remoteSdp === undefined) {
      // A delayed offer (an INVITE without SDP, as some SBCs send): our offer goes in the 200
      // (T.38 when the policy offers it first, else audio) and the answer comes in the ACK.
      const local = options.media.nextLocal();
      const offer = buildOffer(local, { audio: options.policy !== 'offer-in-invite', image: options.policy === 'offer-in-invite' });
      call.on('confirmed', () => {
        let n: NegotiatedMedia;
        try {
          n = readAnswer(offer, parseSdp(call.remoteSdp ?? ''), local);
        } catch (err) {
          void options.ua.bye(call);
          s.finish({ ok: false, status: 488, reason: `the ACK's answer to our offer: ${err instanceof Error ? err.message : String(err)}` });
          return;
        }
        if (n.t38 !== undefined) s.finish({ ok: true, t38: n.t38, via: 'invite' });
        else if (n.audio !== undefined) s.onAudio(n.audio);
      });
      options.ua.answer(call, serializeSdp(offer));
      return;
    }
    let offer: SessionDescription;
    try {
      offer = parseSdp(call.remoteSdp);
    } catch (err) {
      options.ua.reject(call, 400);
      s.finish({ ok: false, status: 400, reason: `unreadable SDP: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    const takeT38 = offersT38(offer);
    let answered: { answer: SessionDescription; negotiated: NegotiatedMedia };
    try {
      answered = answerOffer(offer, options.media.nextLocal(), takeT38 ? 'image' : 'audio');
    } catch (err) {
      if (!(err instanceof SdpError)) throw err;
      options.ua.reject(call, 488);
      s.finish({ ok: false, status: 488, reason: `offer not acceptable: ${err.message}` });
      return;
    }
    options.ua.answer(call, serializeSdp(answered.answer));
    const n = answered.negotiated;
    if (n.t38 !== undefined) s.finish({ ok: true, t38: n.t38, via: 'invite' });
    else if (n.audio !== undefined) s.onAudio(n.audio);
  });
}

type AudioLeg = NonNullable<NegotiatedMedia['audio']>;

/** One call's way from audio to T.38: tones, re-INVITEs both ways, the deadline. */
class Switch {
  private done = false;
  private watch: FaxToneWatch | undefined;
  private readonly timers: TimerId[] = [];

  constructor(
    private readonly call: Call,
    private readonly role: 'caller' | 'answerer',
    private readonly o: T38SwitchOptions,
    private readonly settle: (r: T38Outcome) => void,
  ) {
    this.timers.push(o.clock.setTimeout(() => this.finish({ ok: false, status: 0, reason: `no T.38 within ${o.timeoutMs / 1000} s` }), o.timeoutMs));
    call.on('bye', () => this.finish({ ok: false, status: 487, reason: 'the far end hung up before T.38' }));
    call.on('offer', (offer) => {
      // A re-INVITE (or UPDATE) from the far end: T.38 when it offers it, else the audio again.
      let r: ReturnType<typeof answerOffer>;
      try {
        r = answerOffer(parseSdp(offer.sdp), this.o.media.nextLocal(), 'image');
      } catch {
        offer.reject(488);
        return;
      }
      offer.accept(serializeSdp(r.answer));
      if (r.negotiated.t38 !== undefined) this.finish({ ok: true, t38: r.negotiated.t38, via: 'their-reinvite' });
      else if (r.negotiated.audio !== undefined) this.o.media.rtp?.setRemote({ host: r.negotiated.audio.remote.address, port: r.negotiated.audio.remote.port });
    });
  }

  /** The call is up with G.711: listen for the far end's fax tone, play ours, switch by the policy. */
  onAudio(audio: AudioLeg): void {
    if (this.done) return;
    const rtp = this.o.media.rtp;
    if (rtp === undefined) {
      this.finish({ ok: false, status: 488, reason: 'audio answered but no RTP socket was opened for it' });
      return;
    }
    rtp.payloadType = audio.codec.payloadType;
    rtp.setRemote({ host: audio.remote.address, port: audio.remote.port });
    const ourReinvite = this.o.policy !== 'wait-for-reinvite';
    this.watch = new FaxToneWatch({
      endpoint: rtp,
      payloadType: audio.codec.payloadType,
      clock: this.o.clock,
      detect: [this.role === 'answerer' ? 'CNG' : 'CED'],
      play: this.role === 'answerer' ? 'CED' : 'CNG',
    });
    void this.watch.detected.then((tone) => {
      if (tone === undefined || this.done) return;
      this.o.log?.('fax tone heard', { tone: tone.tone, atMs: tone.atMs });
      if (ourReinvite) this.later(this.o.reinviteDelayMs ?? 1000, () => this.reinvite(tone.tone));
    });
    if (ourReinvite) this.later(this.o.toneGraceMs ?? (this.role === 'answerer' ? 4000 : 1500), () => this.reinvite(undefined));
  }

  private reinviting = false;

  private reinvite(tone: 'CNG' | 'CED' | undefined): void {
    if (this.done || this.reinviting || this.call.state !== 'confirmed') return;
    this.reinviting = true;
    const local = this.o.media.nextLocal();
    const offer = buildOffer(local, { audio: false, image: true });
    this.o.log?.('re-INVITE to T.38', { after: tone ?? 'grace' });
    void this.o.ua.reinvite(this.call, serializeSdp(offer)).then((r) => {
      if (this.done) return;
      if (!r.ok) {
        // A 491 that outlived its retries while the far end's own re-INVITE is being answered is not a refusal.
        if (r.status === 491) return;
        this.finish({ ok: false, status: r.status, reason: `re-INVITE to T.38: SIP ${r.status} ${r.reason}` });
        return;
      }
      let t: T38Negotiated | undefined;
      try {
        t = r.sdp === undefined ? undefined : readAnswer(offer, parseSdp(r.sdp), local).t38;
      } catch {
        t = undefined;
      }
      if (t === undefined) this.finish({ ok: false, status: 488, reason: 're-INVITE to T.38 answered without T.38' });
      else this.finish({ ok: true, t38: t, via: 'our-reinvite', ...(tone === undefined ? {} : { tone }) });
    });
  }

  private later(ms: number, fn: () => void): void {
    this.timers.push(this.o.clock.setTimeout(fn, ms));
  }

  finish(r: T38Outcome): void {
    if (this.done) return;
    this.done = true;
    for (const t of this.timers) this.o.clock.clearTimeout(t);
    this.watch?.stop();
    this.o.media.rtp?.stopSending();
    this.settle(r);
  }
}
