/**
 * Fax tone detection on 8 kHz linear audio (decoded G.711), for the switch to T.38:
 *
 *   CNG   the calling terminal's 1100 Hz +/- 38 Hz, 0.5 s on, 3 s off (T.30 clause 4.2)
 *   CED   the answering terminal's 2100 Hz +/- 15 Hz, 2.6 to 4 s (T.30 clause 4.3); V.8
 *         answerers send ANSam instead: the same 2100 Hz, amplitude-modulated at 15 Hz and
 *         phase-reversed every 450 ms, which this detector accepts as CED.
 *
 * Audio is cut into 20 ms blocks (160 samples). For each block, Goertzel filters measure the
 * power at the tone's frequencies (several filters across the tolerance band, the best one
 * counts), and a block is "tone" when
 *   - the tone carries most of the block's energy (ratio of tone power to total >= minRatio:
 *     speech, DTMF, music and noise spread their energy; a pure tone puts ~all of it in one
 *     bin), and
 *   - the block is loud enough (>= minLevelDbm0; T.30's receivers work down to -43 dBm0).
 * Then durations decide, on runs of tone blocks:
 *   - CNG: a run lasting 400-800 ms that ends (a continuous 1100 Hz tone is not CNG);
 *     `cngBursts` such runs (default 1) in a row, each 2.5-4.5 s apart, fire `CNG`.
 *   - CED: a run reaching cedMinMs (default 500 ms) fires `CED` once for that run; one block
 *     may miss inside the run (an ANSam phase reversal cancels within its block).
 *
 * Pure (no timers): time is the count of samples pushed, so the detector runs the same
 * on live RTP, on a file, or in a test.
 */
import { Goertzel } from './goertzel.ts';
import { DBM0_PEAK } from '../../protocols/g711/index.ts';

export type FaxTone = 'CNG' | 'CED';

export interface ToneEvent {
  readonly tone: FaxTone;
  /** Time of detection, in ms of audio since the detector started. */
  readonly atMs: number;
  /** How long the tone had lasted (the burst for CNG, the run so far for CED). */
  readonly durationMs: number;
  /** Mean level of the tone blocks. */
  readonly levelDbm0: number;
}

export interface ToneDetectorOptions {
  /** Which tones to look for (a caller listens for CED, an answerer for CNG); default both. */
  readonly tones?: readonly FaxTone[];
  readonly minLevelDbm0?: number;
  readonly minRatio?: number;
  readonly cngMinMs?: number;
  readonly cngMaxMs?: number;
  readonly cngBursts?: number;
  readonly cedMinMs?: number;
}

const SAMPLE_RATE = 8000;
const BLOCK = 160;
const BLOCK_MS = (BLOCK * 1000) / SAMPLE_RATE;
/** Mean power of a 0 dBm0 sine per sample. */
const DBM0_POWER = (DBM0_PEAK * DBM0_PEAK) / 2;

interface Band {
  readonly tone: FaxTone;
  readonly filters: readonly Goertzel[];
}

// Filters spaced so that any frequency within the tolerance is at most ~13 Hz (a quarter of
// a 50 Hz bin) from one of them: the Goertzel gain there is still about 0.8.
const BANDS: readonly Band[] = [
  { tone: 'CNG', filters: [1075, 1100, 1125].map((f) => new Goertzel(f, SAMPLE_RATE)) },
  { tone: 'CED', filters: [2090, 2110].map((f) => new Goertzel(f, SAMPLE_RATE)) },
];

interface Run {
  /** Tone blocks in the current run (0 when none). */
  blocks: number;
  /** Consecutive non-tone blocks since the run's last tone block. */
  gap: number;
  /** Blocks that were tone (the run's blocks minus bridged gaps), and their summed level. */
  toneBlocks: number;
  levelSum: number;
  /** CED: already reported for this run. */
  reported: boolean;
}

export class ToneDetector {
  private readonly wanted: ReadonlySet<FaxTone>;
  private readonly minPower: number;
  private readonly minRatio: number;
  private readonly cngMinBlocks: number;
  private readonly cngMaxBlocks: number;
  private readonly cngBursts: number;
  private readonly cedMinBlocks: number;
  private readonly buffer = new Float64Array(BLOCK);
  private filled = 0;
  private blockIndex = 0;
  private readonly runs: Record<FaxTone, Run> = {
    CNG: { blocks: 0, gap: 0, toneBlocks: 0, levelSum: 0, reported: false },
    CED: { blocks: 0, gap: 0, toneBlocks: 0, levelSum: 0, reported: false },
  };
  /** Block indices where qualifying CNG bursts ended, for the cadence. */
  private cngBurstEnds: number[] = [];

  constructor(options: ToneDetectorOptions = {}) {
    this.wanted = new Set(options.tones ?? ['CNG', 'CED']);
    this.minPower = DBM0_POWER * 10 ** ((options.minLevelDbm0 ?? -45) / 10);
    this.minRatio = options.minRatio ?? 0.5;
    this.cngMinBlocks = Math.round((options.cngMinMs ?? 400) / BLOCK_MS);
    this.cngMaxBlocks = Math.round((options.cngMaxMs ?? 800) / BLOCK_MS);
    this.cngBursts = options.cngBursts ?? 1;
    this.cedMinBlocks = Math.round((options.cedMinMs ?? 500) / BLOCK_MS);
  }

  /** Feeds samples (any chunk size); returns the tones detected within them. */
  push(samples: ArrayLike<number>): ToneEvent[] {
    const events: ToneEvent[] = [];
    for (let i = 0; i < samples.length; i++) {
      this.buffer[this.filled++] = samples[i] as number;
      if (this.filled === BLOCK) {
        this.filled = 0;
        this.block(events);
      }
    }
    return events;
  }

  /** Audio time consumed so far, in ms. */
  get elapsedMs(): number {
    return ((this.blockIndex * BLOCK + this.filled) * 1000) / SAMPLE_RATE;
  }

  private block(events: ToneEvent[]): void {
    const x = this.buffer;
    let energy = 0;
    for (let i = 0; i < BLOCK; i++) energy += (x[i] as number) * (x[i] as number);
    const meanPower = energy / BLOCK;
    for (const band of BANDS) {
      if (!this.wanted.has(band.tone)) continue;
      let best = 0;
      for (const f of band.filters) best = Math.max(best, f.power(x));
      // (A N / 2)^2 for the tone against A^2 N / 2 of total energy: ratio 1 for a pure tone.
      const ratio = energy > 0 ? (2 * best) / (BLOCK * energy) : 0;
      const isTone = meanPower >= this.minPower && ratio >= this.minRatio;
      this.advance(band.tone, isTone, meanPower, events);
    }
    this.blockIndex++;
  }

  private advance(tone: FaxTone, isTone: boolean, power: number, events: ToneEvent[]): void {
    const run = this.runs[tone];
    if (isTone) {
      run.blocks += run.gap > 0 && run.blocks > 0 ? run.gap : 0; // a bridged gap counts in the duration
      run.gap = 0;
      run.blocks++;
      run.toneBlocks++;
      run.levelSum += 10 * Math.log10(power / DBM0_POWER);
      if (tone === 'CED' && !run.reported && run.blocks >= this.cedMinBlocks) {
        run.reported = true;
        events.push(this.event('CED', run));
      }
      return;
    }
    if (run.blocks === 0) return;
    run.gap++;
    // CED tolerates one missing block (ANSam's phase reversal); CNG's burst ends after two.
    if (run.gap < 2) return;
    if (tone === 'CNG') this.cngBurstEnded(run, events);
    run.blocks = 0;
    run.gap = 0;
    run.toneBlocks = 0;
    run.levelSum = 0;
    run.reported = false;
  }

  private cngBurstEnded(run: Run, events: ToneEvent[]): void {
    if (run.blocks < this.cngMinBlocks || run.blocks > this.cngMaxBlocks) {
      this.cngBurstEnds = [];
      return;
    }
    const end = this.blockIndex - run.gap;
    const last = this.cngBurstEnds[this.cngBurstEnds.length - 1];
    // 3 s off plus 0.5 s on between burst ends, with a wide margin for jitter.
    if (last !== undefined && (end - last < 2500 / BLOCK_MS || end - last > 4500 / BLOCK_MS)) this.cngBurstEnds = [];
    this.cngBurstEnds.push(end);
    if (this.cngBurstEnds.length >= this.cngBursts) {
      events.push(this.event('CNG', run));
      this.cngBurstEnds = [];
    }
  }

  private event(tone: FaxTone, run: Run): ToneEvent {
    return {
      tone,
      atMs: (this.blockIndex + 1) * BLOCK_MS,
      durationMs: run.blocks * BLOCK_MS,
      levelDbm0: run.levelSum / Math.max(1, run.toneBlocks),
    };
  }
}
