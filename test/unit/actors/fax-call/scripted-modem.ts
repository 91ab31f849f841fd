/**
 * A FaxModem driven by the test: it records what the engine sends (decoded to FCF names)
 * and lets the test answer with frames and data as the far end would, on a ManualClock.
 * Sends take a fixed simulated time so T.30 timers run as on a line.
 */
import type { Clock } from '../../../../core/clock.ts';
import { decodeFrame, encodeFrame, type FcfName, type ModemRate, type T30FrameInit } from '../../../../protocols/t30/index.ts';
import type { FaxModem, FaxModemStats, ModemEvent, Tone, Training } from '../../../../telephony/fax-modem.ts';

export type Sent =
  | { kind: 'tone'; tone: Tone; at: number }
  | { kind: 'control'; fcfs: (FcfName | '?')[]; frames: Uint8Array[]; at: number }
  | { kind: 'tcf'; rate: ModemRate; at: number }
  | { kind: 'page'; rate: ModemRate; octets: number; at: number }
  | { kind: 'ecm'; rate: ModemRate; frames: Uint8Array[]; at: number }
  | { kind: 'silence'; at: number };

export class ScriptedModem implements FaxModem {
  readonly sent: Sent[] = [];
  private readonly listeners = new Set<(e: ModemEvent) => void>();
  /** Called after each send completes: the far end's turn. */
  onSent: (s: Sent) => void = () => undefined;

  constructor(private readonly clock: Clock) {}

  readonly stats: FaxModemStats = { packetsSent: 0, packetsReceived: 0, packetsLost: 0, packetsRecovered: 0 };

  onEvent(listener: (event: ModemEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ModemEvent): void {
    for (const l of [...this.listeners]) l(event);
  }

  /** The far end sends control frames: each as one `modem.frame`. */
  frames(...frames: (FcfName | T30FrameInit)[]): void {
    const list = frames.map((f) => (typeof f === 'string' ? { fcf: f } : f));
    list.forEach((f, i) => this.emit({ type: 'modem.frame', frame: encodeFrame({ ...f, final: i === list.length - 1 }), fcsOk: true, fast: false }));
  }

  /** The far end sends non-ECM data (TCF or a page) between a fast carrier and its end. */
  fastData(rate: ModemRate, data: Uint8Array): void {
    this.emit({ type: 'modem.fast.carrier', rate, training: 'long' });
    this.emit({ type: 'modem.fast.data', data });
    this.emit({ type: 'modem.carrier.end', fast: true });
  }

  private record(s: Sent, ms: number): Promise<void> {
    this.sent.push(s);
    return new Promise((resolve) =>
      this.clock.setTimeout(() => {
        resolve();
        this.onSent(s);
      }, ms),
    );
  }

  sendTone(tone: Tone, ms: number): Promise<void> {
    return this.record({ kind: 'tone', tone, at: this.clock.now() }, ms);
  }
  sendControl(frames: readonly Uint8Array[]): Promise<void> {
    const fcfs = frames.map((f) => decodeFrame(f).fcf ?? '?');
    return this.record({ kind: 'control', fcfs, frames: [...frames], at: this.clock.now() }, 1000 + frames.length * 200);
  }
  sendTcf(rate: ModemRate, ms: number, _training: Training): Promise<void> {
    return this.record({ kind: 'tcf', rate, at: this.clock.now() }, ms + 200);
  }
  async sendPage(rate: ModemRate, data: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, _training: Training): Promise<void> {
    let octets = 0;
    for await (const chunk of data) octets += chunk.length;
    return this.record({ kind: 'page', rate, octets, at: this.clock.now() }, Math.ceil((octets * 8000) / rate.bitRate));
  }
  sendEcmFrames(rate: ModemRate, frames: readonly Uint8Array[], _training: Training): Promise<void> {
    const octets = frames.reduce((n, f) => n + f.length, 0);
    return this.record({ kind: 'ecm', rate, frames: [...frames], at: this.clock.now() }, Math.ceil((octets * 8000) / rate.bitRate) + 200);
  }
  sendSilence(ms: number): Promise<void> {
    return this.record({ kind: 'silence', at: this.clock.now() }, ms);
  }
  async close(): Promise<void> {}

  /** FCF names of every control transmission, e.g. ['TSI DCS', 'MPS', 'DCN']. */
  get controls(): string[] {
    return this.sent.flatMap((s) => (s.kind === 'control' ? [s.fcfs.join(' ')] : []));
  }
}
