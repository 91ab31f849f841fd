/**
 * Fax tones as 8 kHz linear audio and as G.711: CNG (1100 Hz, 0.5 s on / 3 s off), CED
 * (2100 Hz) and ANSam (2100 Hz, 15 Hz AM at 20 %, phase reversal every 450 ms; V.25/V.8).
 * Used by tests and by an audio-first call that must announce itself as a fax (a caller
 * sends CNG so that a gateway detects it and re-INVITEs to T.38).
 */
import { dbm0ToPeak, encodeG711, type G711Law } from '../../protocols/g711/index.ts';

export const SAMPLE_RATE = 8000;
/** Samples in one 20 ms RTP packet of G.711. */
export const FRAME_SAMPLES = 160;

export interface ToneSpec {
  readonly frequency: number;
  readonly levelDbm0: number;
  /** Time on, then off, in ms; off 0 means a single burst of `onMs`. */
  readonly onMs: number;
  readonly offMs: number;
  /** ANSam: 15 Hz amplitude modulation (20 %) and a phase reversal every 450 ms. */
  readonly ansam?: boolean;
}

/** T.30: CNG 1100 Hz, 0.5 s on, 3 s off. */
export const CNG: ToneSpec = { frequency: 1100, levelDbm0: -12, onMs: 500, offMs: 3000 };
/** T.30: CED 2100 Hz, 2.6-4 s (3.3 s here, the middle). */
export const CED: ToneSpec = { frequency: 2100, levelDbm0: -12, onMs: 3300, offMs: 0 };
export const ANSAM: ToneSpec = { ...CED, ansam: true };

/**
 * Streams a tone pattern frame by frame, keeping phase across frames, so an RTP sender can
 * pull 20 ms at a time for as long as the call needs.
 */
export class ToneGenerator {
  private sample = 0;
  private readonly peak: number;

  constructor(private readonly spec: ToneSpec) {
    this.peak = dbm0ToPeak(spec.levelDbm0);
  }

  /** The next `count` samples (floats in 16-bit range). */
  next(count = FRAME_SAMPLES): Float64Array {
    const out = new Float64Array(count);
    const { frequency, onMs, offMs, ansam } = this.spec;
    const onSamples = (onMs * SAMPLE_RATE) / 1000;
    const period = offMs > 0 ? ((onMs + offMs) * SAMPLE_RATE) / 1000 : Infinity;
    for (let i = 0; i < count; i++, this.sample++) {
      const inPeriod = period === Infinity ? this.sample : this.sample % period;
      if (inPeriod >= onSamples) continue;
      const t = this.sample / SAMPLE_RATE;
      let phase = 2 * Math.PI * frequency * t;
      let amp = this.peak;
      if (ansam === true) {
        if (Math.floor(t / 0.45) % 2 === 1) phase += Math.PI;
        amp *= 1 + 0.2 * Math.sin(2 * Math.PI * 15 * t);
      }
      out[i] = amp * Math.sin(phase);
    }
    return out;
  }

  /** The next frame as G.711 octets, ready for an RTP payload. */
  nextG711(law: G711Law, count = FRAME_SAMPLES): Uint8Array {
    return encodeG711(law, this.next(count));
  }
}

/** `ms` of a tone pattern from its start. */
export function toneSamples(spec: ToneSpec, ms: number): Float64Array {
  return new ToneGenerator(spec).next(Math.round((ms * SAMPLE_RATE) / 1000));
}

/** A plain sine, for tests and line checks. */
export function sine(frequency: number, levelDbm0: number, ms: number, phase = 0): Float64Array {
  const n = Math.round((ms * SAMPLE_RATE) / 1000);
  const peak = dbm0ToPeak(levelDbm0);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = peak * Math.sin((2 * Math.PI * frequency * i) / SAMPLE_RATE + phase);
  return out;
}
