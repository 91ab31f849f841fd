/**
 * Two FaxModems wired to each other in memory, on an injected clock: what one sends, the
 * other receives as ModemEvents, after as long as the signal would take on a line
 * (V.21 at 300 bit/s with a 1 s preamble, the fast modem at its rate after its training).
 * No T.38, no network: this is how the T.30 engine is tested against itself.
 *
 * Faults: `tamper` decides per frame (control or ECM) whether it arrives, arrives with a
 * bad FCS, or is lost; `silence()` makes one end vanish (nothing it sends arrives any more,
 * and it gets no close event), as a far end that hangs up without DCN.
 *
 *   const [a, b] = loopbackModems(clock);
 *   await driveClock(clock, Promise.all([callA.result, callB.result]));
 */
import type { Clock } from '../../core/clock.ts';
import { settle, type ManualClock } from '../../core/clock.ts';
import type { ModemRate } from '../../protocols/t30/index.ts';
import type { FaxModem, FaxModemStats, ModemEvent, Tone, Training } from '../../telephony/fax-modem.ts';

export type FrameFate = 'deliver' | 'lose' | 'corrupt';

export interface LoopbackOptions {
  /** Called for each HDLC frame one end sends; default: delivered. */
  readonly tamper?: (frame: Uint8Array, info: { from: 'a' | 'b'; fast: boolean; index: number }) => FrameFate;
  /** Non-ECM data octets may be damaged: called per chunk, may return a changed copy. */
  readonly tamperData?: (data: Uint8Array, info: { from: 'a' | 'b' }) => Uint8Array;
  /** V.21 preamble before the first frame (default 1000 ms). */
  readonly preambleMs?: number;
}

const TRAINING_MS: Record<Training, number> = { long: 1400, short: 150 };

class LoopbackModem implements FaxModem {
  peer!: LoopbackModem;
  private readonly listeners = new Set<(e: ModemEvent) => void>();
  private closed = false;
  /** Set by `silence()`: sends still take time but reach nobody. */
  mute = false;
  private frameIndex = 0;
  private readonly counts = { packetsSent: 0, packetsReceived: 0, packetsLost: 0, packetsRecovered: 0 };
  /** Every event delivered to this end, for assertions. */
  readonly received: ModemEvent[] = [];

  constructor(
    readonly name: 'a' | 'b',
    private readonly clock: Clock,
    private readonly options: LoopbackOptions,
  ) {}

  get stats(): FaxModemStats {
    return { ...this.counts };
  }

  onEvent(listener: (event: ModemEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  deliver(event: ModemEvent): void {
    if (this.closed) return;
    this.counts.packetsReceived++;
    this.received.push(event);
    for (const l of [...this.listeners]) l(event);
  }

  private emit(event: ModemEvent): void {
    this.counts.packetsSent++;
    if (this.mute) return;
    this.peer.deliver(event);
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('modem closed'));
      this.clock.setTimeout(() => (this.closed ? reject(new Error('modem closed')) : resolve()), ms);
    });
  }

  private sendFrame(frame: Uint8Array, fast: boolean): void {
    const fate = this.options.tamper?.(frame, { from: this.name, fast, index: this.frameIndex++ }) ?? 'deliver';
    if (fate === 'lose') {
      this.counts.packetsLost++;
      return;
    }
    this.emit({ type: 'modem.frame', frame: frame.slice(), fcsOk: fate === 'deliver', fast });
  }

  async sendTone(tone: Tone, ms: number): Promise<void> {
    this.emit({ type: 'modem.tone', tone });
    await this.wait(ms);
  }

  async sendControl(frames: readonly Uint8Array[]): Promise<void> {
    this.emit({ type: 'modem.control.carrier' });
    await this.wait(this.options.preambleMs ?? 1000);
    for (const f of frames) {
      // Octets plus FCS and a flag at 300 bit/s.
      await this.wait(((f.length + 3) * 8 * 1000) / 300);
      this.sendFrame(f, false);
    }
    this.emit({ type: 'modem.carrier.end', fast: false });
  }

  async sendTcf(rate: ModemRate, ms: number, training: Training): Promise<void> {
    this.emit({ type: 'modem.fast.carrier', rate, training });
    await this.wait(TRAINING_MS[training]);
    const octets = Math.round((rate.bitRate * ms) / 8000);
    for (let sent = 0; sent < octets; sent += 512) {
      const n = Math.min(512, octets - sent);
      await this.wait((n * 8000) / rate.bitRate);
      this.emit({ type: 'modem.fast.data', data: new Uint8Array(n) });
    }
    this.emit({ type: 'modem.carrier.end', fast: true });
  }

  async sendPage(rate: ModemRate, data: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, training: Training): Promise<void> {
    this.emit({ type: 'modem.fast.carrier', rate, training });
    await this.wait(TRAINING_MS[training]);
    for await (const chunk of data) {
      if (chunk.length === 0) continue;
      await this.wait((chunk.length * 8000) / rate.bitRate);
      const out = this.options.tamperData?.(chunk.slice(), { from: this.name }) ?? chunk.slice();
      this.emit({ type: 'modem.fast.data', data: out });
    }
    this.emit({ type: 'modem.carrier.end', fast: true });
  }

  async sendEcmFrames(rate: ModemRate, frames: readonly Uint8Array[], training: Training): Promise<void> {
    this.emit({ type: 'modem.fast.carrier', rate, training });
    // T.30 A.3.1: 200 ms of flags before the first ECM frame.
    await this.wait(TRAINING_MS[training] + 200);
    for (const f of frames) {
      await this.wait(((f.length + 3) * 8000) / rate.bitRate);
      this.sendFrame(f, true);
    }
    this.emit({ type: 'modem.carrier.end', fast: true });
  }

  async sendSilence(ms: number): Promise<void> {
    this.emit({ type: 'modem.silence' });
    await this.wait(ms);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.mute) this.peer.deliver({ type: 'modem.closed', reason: 'hangup' });
  }
}

export interface LoopbackPair {
  readonly a: FaxModem & { readonly received: readonly ModemEvent[] };
  readonly b: FaxModem & { readonly received: readonly ModemEvent[] };
  /** End `which` vanishes: it keeps running, but nothing it sends arrives any more. */
  silence(which: 'a' | 'b'): void;
}

export function loopbackModems(clock: Clock, options: LoopbackOptions = {}): LoopbackPair {
  const a = new LoopbackModem('a', clock, options);
  const b = new LoopbackModem('b', clock, options);
  a.peer = b;
  b.peer = a;
  return {
    a,
    b,
    silence: (which) => {
      (which === 'a' ? a : b).mute = true;
    },
  };
}

/**
 * Runs a ManualClock forward in `stepMs` steps, letting promises settle in between, until
 * `done` settles or `limitMs` of simulated time passed. Returns the simulated time taken.
 */
export async function driveClock<T>(clock: ManualClock, done: Promise<T>, limitMs = 3_600_000, stepMs = 20): Promise<{ value: T; elapsedMs: number }> {
  let finished = false;
  let value: T | undefined;
  void done.then((v) => {
    finished = true;
    value = v;
  });
  const start = clock.now();
  while (!finished) {
    if (clock.now() - start > limitMs) throw new Error(`simulated time limit reached [limitMs:${limitMs}]`);
    clock.advance(stepMs);
    await settle(2);
  }
  return { value: value as T, elapsedMs: clock.now() - start };
}
