/**
 * Listens for a fax tone on the audio leg of a call, and plays ours meanwhile: the step
 * between "the call is up with G.711" and "re-INVITE to T.38".
 *
 *   we answered  detect CNG (the caller is a fax machine), play CED or ANSam so that the
 *                caller's gateway recognizes a fax line and may switch to T.38 itself
 *   we called    detect CED, play CNG
 *
 * `detected` resolves with the first fax tone heard, or with undefined when the watch is
 * stopped or its time runs out. Listening ends there; the tone we play goes on until
 * stop() (or until the endpoint closes), because the far end may still be deciding whether
 * to switch: the owner stops it once the re-INVITE is settled.
 *
 * Audio reaches the detector on its RTP timeline, not as packets: a gap in the timestamps
 * (a lost packet, or a sender that suppresses silence between CNG bursts) is fed as
 * silence, so a 0.5 s burst still measures 0.5 s. A sender that goes quiet without a
 * further packet would leave the last burst unfinished in the detector; after `idleMs`
 * without a packet the watch feeds the silence it assumes, so a single CNG burst is
 * reported before the next one comes 3 s later.
 */
import type { Clock, TimerId } from '../../core/clock.ts';
import { decodeG711, lawForPayloadType, type G711Law } from '../../protocols/g711/index.ts';
import { timestampDelta } from '../../protocols/rtp/index.ts';
import type { InOrderPacket } from './reorder-buffer.ts';
import type { RtpEndpoint } from './rtp-endpoint.ts';
import { ToneDetector, type FaxTone, type ToneDetectorOptions, type ToneEvent } from './tone-detector.ts';
import { ANSAM, CED, CNG, SAMPLE_RATE, ToneGenerator, type ToneSpec } from './tone-generator.ts';

/** The tones a fax terminal announces itself with. */
export type FaxToneToPlay = 'CNG' | 'CED' | 'ANSam';

const PLAYED: Readonly<Record<FaxToneToPlay, ToneSpec>> = { CNG, CED, ANSam: ANSAM };

export interface FaxToneWatchOptions {
  /** Open, on the negotiated audio stream; the watch takes its packet listener. */
  readonly endpoint: RtpEndpoint;
  /** The negotiated G.711 payload type (0 PCMU, 8 PCMA): the law of the tone we play. */
  readonly payloadType: number;
  readonly clock: Clock;
  /** CNG when we answered, CED when we called. */
  readonly detect: readonly FaxTone[];
  readonly play?: FaxToneToPlay;
  /** Resolve undefined after this long without a tone; absent: wait until stop(). */
  readonly timeoutMs?: number;
  /** Silence assumed after this long without a packet (default 200 ms: beyond any jitter a fax call survives). */
  readonly idleMs?: number;
  /** Detector thresholds, for trunks whose levels are unusual. */
  readonly detector?: Omit<ToneDetectorOptions, 'tones'>;
}

/** A timestamp jump longer than this is a new timeline, not a pause to fill (5 s of audio). */
const MAX_GAP_SAMPLES = 5 * SAMPLE_RATE;
/** Silence fed when the far end goes quiet: enough for the detector to end a burst (two 20 ms blocks) with margin. */
const IDLE_FILL_SAMPLES = 480;

export class FaxToneWatch {
  /** The first fax tone heard (atMs counts audio from the first packet), or undefined. */
  readonly detected: Promise<ToneEvent | undefined>;
  private resolve!: (tone: ToneEvent | undefined) => void;
  private readonly detector: ToneDetector;
  private readonly idleMs: number;
  private listening = true;
  private playing = false;
  private idleTimer: TimerId | undefined;
  private timeoutTimer: TimerId | undefined;
  /** RTP timeline: the SSRC followed and the timestamp the next packet should carry. */
  private ssrc: number | undefined;
  private nextTimestamp = 0;

  constructor(private readonly options: FaxToneWatchOptions) {
    const law = lawForPayloadType(options.payloadType);
    if (law === undefined) throw new RangeError(`fax tone watch needs G.711 [payloadType:${options.payloadType}]`);
    this.detected = new Promise((resolve) => (this.resolve = resolve));
    this.detector = new ToneDetector({ ...options.detector, tones: options.detect });
    this.idleMs = options.idleMs ?? 200;
    options.endpoint.onPacket(this.onPacket);
    if (options.timeoutMs !== undefined) this.timeoutTimer = options.clock.setTimeout(() => this.finish(undefined), options.timeoutMs);
    if (options.play !== undefined) this.startPlaying(PLAYED[options.play], law);
  }

  /** Stops playing and listening; `detected` resolves undefined if no tone came first. */
  stop(): void {
    if (this.playing) this.options.endpoint.stopSending();
    this.playing = false;
    this.finish(undefined);
  }

  private startPlaying(spec: ToneSpec, law: G711Law): void {
    const generator = new ToneGenerator(spec);
    // After a single-burst tone (CED) the generator yields zeros: they go out as G.711
    // silence, keeping the RTP flowing for the far end's media timers and NAT bindings.
    this.playing = true;
    this.options.endpoint.startSending(() => generator.nextG711(law));
  }

  private readonly onPacket = ({ packet }: InOrderPacket): void => {
    if (!this.listening) return;
    // telephone-event and comfort noise share the stream: only the audio counts.
    const law = lawForPayloadType(packet.payloadType);
    if (law === undefined || packet.payload.length === 0) return;
    if (packet.ssrc === this.ssrc) {
      const gap = timestampDelta(this.nextTimestamp, packet.timestamp);
      if (gap > 0) this.feedSilence(Math.min(gap, MAX_GAP_SAMPLES));
    }
    this.ssrc = packet.ssrc;
    this.nextTimestamp = (packet.timestamp + packet.payload.length) >>> 0;
    this.feed(decodeG711(law, packet.payload));
    if (this.listening) this.armIdle();
  };

  private armIdle(): void {
    const clock = this.options.clock;
    if (this.idleTimer !== undefined) clock.clearTimeout(this.idleTimer);
    // After a stalled event loop, due timers run before the datagrams that queued up
    // meanwhile are read: the fill waits one more turn (a 0 ms timer runs after the loop
    // has polled sockets), so that audio already received cancels it instead of being cut
    // in two by assumed silence.
    this.idleTimer = clock.setTimeout(() => {
      this.idleTimer = clock.setTimeout(() => this.idleFill(), 0);
    }, this.idleMs);
  }

  private idleFill(): void {
    this.idleTimer = undefined;
    // Packets held behind a loss come first. If there were any, they re-armed the idle
    // timer: the silence is assumed after them, one idle period later.
    this.options.endpoint.flush();
    if (!this.listening || this.idleTimer !== undefined) return;
    this.feedSilence(IDLE_FILL_SAMPLES);
    // The fill stands in for audio: a packet that follows counts its gap from here.
    this.nextTimestamp = (this.nextTimestamp + IDLE_FILL_SAMPLES) >>> 0;
  }

  private feedSilence(samples: number): void {
    this.feed(new Int16Array(samples));
  }

  private feed(samples: Int16Array): void {
    const tone = this.detector.push(samples)[0];
    if (tone !== undefined) this.finish(tone);
  }

  private finish(tone: ToneEvent | undefined): void {
    if (!this.listening) return;
    this.listening = false;
    const clock = this.options.clock;
    if (this.idleTimer !== undefined) clock.clearTimeout(this.idleTimer);
    if (this.timeoutTimer !== undefined) clock.clearTimeout(this.timeoutTimer);
    this.idleTimer = undefined;
    this.timeoutTimer = undefined;
    this.resolve(tone);
  }
}
