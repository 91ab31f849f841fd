/**
 * The T.38 terminal (ITU-T T.38 clause 5 and 7): a FaxModem whose "line" is a stream of IFP
 * packets in UDPTL datagrams. Each FaxModem call becomes indicators and data paced as the
 * modem would take on a PSTN line; each received IFP becomes a ModemEvent for the T.30 engine.
 *
 *   engine ──sendControl/sendTcf/sendPage/sendEcmFrames/sendTone/sendSilence──▶ tx queue
 *     tx queue ──(one Pacer wake-up per terminal, shared timer)──▶ IFP ─▶ UdptlSender ─▶ transport
 *   transport ─▶ UdptlReceiver (reorder, redundancy/FEC repair) ─▶ IFP ─▶ ModemEvent ─▶ engine
 *
 * Timing follows SpanDSP 0.0.6's terminal (test/interop/spandsp/README.md) and the field
 * notes: at least 1 s of V.21 preamble before the first HDLC octet, training time before
 * fast data, data chunks that last `dataChunkMs` at the modem rate, key packets (indicators
 * and sig-ends) sent as `keyPacketCopies` copies `keyPacketSpacingMs` apart, a no-signal
 * after every sig-end, and never an hdlc-sig-end after hdlc-fcs-OK-sig-end.
 */
import type { Clock } from '../../core/clock.ts';
import type { FaxModem, FaxModemStats, ModemEvent, Tone, Training } from '../fax-modem.ts';
import type { ModemRate } from '../../protocols/t30/index.ts';
import {
  decodeIfp,
  encodeIfp,
  INDICATOR_TIMING,
  trainingIndicatorFor,
  type FieldType,
  type IfpPacket,
  type T30DataType,
  type T30Indicator,
  type T38Version,
} from '../../protocols/t38/index.ts';
import { UdptlReceiver, type UdptlErrorCorrection } from '../../protocols/udptl/index.ts';
import { UdptlWriter } from './udptl-writer.ts';
import { Pacer, type PacerMember } from './pacer.ts';
import type { DatagramTransport } from './transport.ts';

export type RateManagement = 'transferredTCF' | 'localTCF';

export interface T38TerminalOptions {
  readonly transport: DatagramTransport;
  readonly clock: Clock;
  /** Shared by many terminals (one timer for all); default: a pacer of this terminal's own. */
  readonly pacer?: Pacer;
  /** Negotiated T38FaxVersion; default 0. */
  readonly version?: T38Version;
  /** transferredTCF (default): TCF travels as data. localTCF: the receiving side assumes it good. */
  readonly rateManagement?: RateManagement;
  /** Default: redundancy with depth 3. */
  readonly errorCorrection?: UdptlErrorCorrection;
  /** Largest UDPTL datagram sent (T38FaxMaxDatagram); default 400. */
  readonly maxDatagramSize?: number;
  /** Copies of each indicator and sig-end; default 3. */
  readonly keyPacketCopies?: number;
  readonly keyPacketSpacingMs?: number;
  /** V.21 HDLC octets per IFP (SpanDSP sends 1); default 2. */
  readonly v21OctetsPerIfp?: number;
  /** Modem time each fast data IFP carries; default 30 ms (54 octets at 14,400 bit/s). */
  readonly dataChunkMs?: number;
  /**
   * Zeros after the page data, so no receiver cuts the last rows (field notes: >= 40 ms after
   * RTC). Default 0: the T.30 engine already ends its page data with that padding.
   */
  readonly padAfterPageMs?: number;
  /** Talker echo protection before fast training. */
  readonly tep?: boolean;
  /** Nothing received for this long: `modem.closed` with `idle-timeout`; default 60 s. */
  readonly idleTimeoutMs?: number;
  /** Later packets to wait for before a gap counts as lost (0 = at once, as SpanDSP). */
  readonly reorderDepth?: number;
  /** First UDPTL sequence number sent. */
  readonly startSeq?: number;
}

export interface T38TerminalStats extends FaxModemStats {
  readonly malformed: number;
  readonly ifpsSent: number;
  readonly ifpsReceived: number;
}

export class T38TerminalClosedError extends Error {
  override readonly name = 'T38TerminalClosedError';
  readonly code = 'T38_TERMINAL_CLOSED';
}

/** One packet to send, then how long (modem time) until the next. No IFP: a pure wait. */
interface Step {
  readonly ifp: Uint8Array | undefined;
  readonly copies: number;
  readonly gapMs: number;
  /**
   * The carrier ends with this packet (a sig-end): the FaxModem call resolves here, so the
   * engine listens for the answer at once; the no-signal that follows still goes out first.
   */
  readonly completes?: boolean;
}

const STARVED = 'starved' as const;

/** One FaxModem call in the queue: fixed steps, optionally a streamed middle (page data). */
interface TxOp {
  readonly head: Step[];
  readonly stream: PageStream | undefined;
  readonly tail: Step[];
  index: number;
  tailIndex: number;
  resolved: boolean;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

// Carrier-off tail before no-signal; T.30's 75 ms gap between carriers is kept by the engine.
const SIG_END_TO_NO_SIGNAL_MS = 75;

export class T38Terminal implements FaxModem, PacerMember {
  private readonly transport: DatagramTransport;
  private readonly clock: Clock;
  private readonly pacer: Pacer;
  private readonly version: T38Version;
  private readonly rateManagement: RateManagement;
  private readonly sender: UdptlWriter;
  private readonly receiver: UdptlReceiver;
  private readonly maxDatagramSize: number;
  private readonly keyCopies: number;
  private readonly keySpacing: number;
  private readonly v21Octets: number;
  private readonly chunkMs: number;
  private readonly padMs: number;
  private readonly tep: boolean;
  private readonly idleTimeoutMs: number;
  private readonly reorderDepth: number;
  private readonly decodeOptions: { version: T38Version; allowZeroPadding: boolean };
  private readonly listeners = new Set<(e: ModemEvent) => void>();
  private readonly indicatorIfps = new Map<T30Indicator, Uint8Array>();

  // Transmit side.
  private readonly queue: TxOp[] = [];
  private nextAt = 0;
  private starved = false;
  private resumed = false;
  private copyIfp: Uint8Array | undefined;
  private copiesLeft = 0;
  private copyAt = 0;
  private lastIndicatorSent: T30Indicator | undefined;

  // Receive side.
  private lastRxAt: number;
  private flushedSinceRx = true;
  private lastIndicatorRx: T30Indicator | undefined;
  private carrier: 'off' | 'control' | 'fast' | 'ended' = 'off';
  private fastRate: ModemRate | undefined;
  private fastDataSeen = false;
  private frame = new Uint8Array(512);
  private frameLength = 0;
  private frameDamaged = false;

  private closed = false;
  /** Stopped by the idle watchdog: no more sending or events, but `close()` still releases the transport. */
  private dead = false;
  private counters = { packetsSent: 0, packetsReceived: 0, malformed: 0, ifpsSent: 0, ifpsReceived: 0 };

  constructor(options: T38TerminalOptions) {
    this.transport = options.transport;
    this.clock = options.clock;
    this.pacer = options.pacer ?? new Pacer(options.clock);
    this.version = options.version ?? 0;
    this.rateManagement = options.rateManagement ?? 'transferredTCF';
    const ec = options.errorCorrection ?? { mode: 'redundancy', depth: 3 };
    this.maxDatagramSize = options.maxDatagramSize ?? 400;
    this.sender = new UdptlWriter(ec, options.startSeq ?? 0, this.maxDatagramSize);
    this.reorderDepth = options.reorderDepth ?? 0;
    this.receiver = new UdptlReceiver({ reorderDepth: this.reorderDepth });
    this.keyCopies = Math.max(1, options.keyPacketCopies ?? 3);
    this.keySpacing = options.keyPacketSpacingMs ?? 15;
    this.v21Octets = Math.max(1, options.v21OctetsPerIfp ?? 2);
    this.chunkMs = options.dataChunkMs ?? 30;
    this.padMs = options.padAfterPageMs ?? 0;
    this.tep = options.tep ?? false;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    // A FEC-rebuilt IFP is as long as the longest in its span, padded with zeros.
    this.decodeOptions = { version: this.version, allowZeroPadding: ec.mode === 'fec' };
    this.lastRxAt = this.clock.now();
    this.nextAt = this.lastRxAt;
    this.transport.onDatagram(this.onDatagram);
    this.reschedule();
  }

  // ---- FaxModem: the engine's side -------------------------------------------------------

  onEvent(listener: (event: ModemEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get stats(): T38TerminalStats {
    const r = this.receiver.stats;
    return {
      packetsSent: this.counters.packetsSent,
      packetsReceived: this.counters.packetsReceived,
      packetsLost: r.lost,
      packetsRecovered: r.recoveredByRedundancy + r.recoveredByFec,
      malformed: this.counters.malformed,
      ifpsSent: this.counters.ifpsSent,
      ifpsReceived: this.counters.ifpsReceived,
    };
  }

  sendTone(tone: Tone, ms: number): Promise<void> {
    return this.enqueue([this.indicatorStep(tone, ms), ...this.noSignalSteps()]);
  }

  sendSilence(ms: number): Promise<void> {
    const steps: Step[] = [];
    // The line is already quiet after a no-signal: another one would only be noise.
    if (this.lastQueuedIndicator() !== 'no-signal') steps.push(this.indicatorStep('no-signal', 0));
    steps.push({ ifp: undefined, copies: 0, gapMs: ms });
    return this.enqueue(steps);
  }

  sendControl(frames: readonly Uint8Array[]): Promise<void> {
    // T.30 5.3.1: 1 s +/-15% of flags before the first frame; never shorter (field notes).
    const steps: Step[] = [this.indicatorStep('v21-preamble', INDICATOR_TIMING['v21-preamble'].preambleMs)];
    const octetMs = 8000 / 300;
    frames.forEach((frame, i) => {
      const last = i === frames.length - 1;
      this.pushHdlcFrame(steps, 'v21', frame, this.v21Octets, octetMs, last);
    });
    if (frames.length === 0) steps.push(completing(this.fieldStep('v21', 'hdlc-sig-end', undefined, true, SIG_END_TO_NO_SIGNAL_MS)));
    steps.push(...this.noSignalSteps());
    return this.enqueue(steps);
  }

  sendTcf(rate: ModemRate, ms: number, training: Training): Promise<void> {
    const indicator = this.trainingIndicator(rate, training);
    const t = INDICATOR_TIMING[indicator];
    const trainMs = t.trainingMs + (this.tep ? t.tepMs : 0);
    if (this.rateManagement === 'localTCF') {
      // T.38 clause 7: with local TCF the receiving gateway makes and checks it; nothing of it is relayed.
      return this.enqueue([this.indicatorStep(indicator, trainMs + ms), ...this.noSignalSteps()]);
    }
    const dataType = t.dataType as T30DataType;
    const chunk = this.fastChunkOctets(rate.bitRate);
    const octetMs = 8000 / rate.bitRate;
    const total = Math.max(1, Math.round((ms * rate.bitRate) / 8000));
    const steps: Step[] = [this.indicatorStep(indicator, trainMs)];
    const zeros = new Uint8Array(chunk);
    for (let sent = 0; sent < total; ) {
      const n = Math.min(chunk, total - sent);
      sent += n;
      const data = n === chunk ? zeros : zeros.subarray(0, n);
      if (sent < total) steps.push(this.fieldStep(dataType, 't4-non-ecm-data', data, false, n * octetMs));
      else steps.push(completing(this.fieldStep(dataType, 't4-non-ecm-sig-end', data, true, n * octetMs + SIG_END_TO_NO_SIGNAL_MS)));
    }
    steps.push(...this.noSignalSteps());
    return this.enqueue(steps);
  }

  sendPage(rate: ModemRate, data: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, training: Training): Promise<void> {
    const indicator = this.trainingIndicator(rate, training);
    const t = INDICATOR_TIMING[indicator];
    const chunk = this.fastChunkOctets(rate.bitRate);
    const padOctets = Math.ceil((this.padMs * rate.bitRate) / 8000);
    const stream = new PageStream(data, chunk, padOctets, t.dataType as T30DataType, rate.bitRate, this.onStreamData);
    return this.enqueue([this.indicatorStep(indicator, t.trainingMs + (this.tep ? t.tepMs : 0))], stream, this.noSignalSteps());
  }

  sendEcmFrames(rate: ModemRate, frames: readonly Uint8Array[], training: Training): Promise<void> {
    const indicator = this.trainingIndicator(rate, training);
    const t = INDICATOR_TIMING[indicator];
    // T.30 Annex A: 200 ms of flags before the first ECM frame, after the training.
    const steps: Step[] = [this.indicatorStep(indicator, t.trainingMs + t.preambleMs + (this.tep ? t.tepMs : 0))];
    const chunk = this.fastChunkOctets(rate.bitRate);
    const octetMs = 8000 / rate.bitRate;
    frames.forEach((frame, i) => this.pushHdlcFrame(steps, t.dataType as T30DataType, frame, chunk, octetMs, i === frames.length - 1));
    if (frames.length === 0) steps.push(completing(this.fieldStep(t.dataType as T30DataType, 'hdlc-sig-end', undefined, true, SIG_END_TO_NO_SIGNAL_MS)));
    steps.push(...this.noSignalSteps());
    return this.enqueue(steps);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pacer.cancel(this);
    const err = new T38TerminalClosedError('T.38 terminal closed');
    for (const op of this.queue.splice(0)) {
      op.stream?.cancel();
      op.reject(err);
    }
    await this.transport.close();
  }

  // ---- Transmit --------------------------------------------------------------------------

  private trainingIndicator(rate: ModemRate, training: Training): T30Indicator {
    const indicator = trainingIndicatorFor(rate.modem, rate.bitRate, training);
    if (indicator === undefined) throw new RangeError(`no T.38 training indicator for ${rate.modem} at ${rate.bitRate} bit/s`);
    return indicator;
  }

  /** Octets per fast data IFP: `dataChunkMs` at the rate, within the datagram size. */
  private fastChunkOctets(bitRate: number): number {
    const byTime = Math.max(1, Math.round((this.chunkMs * bitRate) / 8000));
    // Room for the UDPTL and IFP headers (seq, lengths, type octets): about 12 octets.
    return Math.max(1, Math.min(byTime, this.maxDatagramSize - 16));
  }

  private indicatorStep(indicator: T30Indicator, gapMs: number): Step {
    let ifp = this.indicatorIfps.get(indicator);
    if (ifp === undefined) {
      ifp = encodeIfp({ type: 't30-indicator', indicator }, { version: this.version });
      this.indicatorIfps.set(indicator, ifp);
    }
    return { ifp, copies: this.keyCopies, gapMs };
  }

  private noSignalSteps(): Step[] {
    // The copies go out before anything newer, so leave them room.
    return [this.indicatorStep('no-signal', (this.keyCopies - 1) * this.keySpacing + 5)];
  }

  private fieldStep(dataType: T30DataType, type: FieldType, data: Uint8Array | undefined, key: boolean, gapMs: number): Step {
    const packet: IfpPacket = { type: 't30-data', dataType, fields: [data === undefined ? { type } : { type, data }] };
    return { ifp: encodeIfp(packet, { version: this.version }), copies: key ? this.keyCopies : 1, gapMs };
  }

  private pushHdlcFrame(steps: Step[], dataType: T30DataType, frame: Uint8Array, chunk: number, octetMs: number, last: boolean): void {
    const wire = reverseBits(frame);
    for (let at = 0; at < wire.length; at += chunk) {
      const part = wire.subarray(at, Math.min(wire.length, at + chunk));
      steps.push(this.fieldStep(dataType, 'hdlc-data', part, false, part.length * octetMs));
    }
    // The FCS and a closing flag take three octets of line time after the last data octet.
    if (last) steps.push(completing(this.fieldStep(dataType, 'hdlc-fcs-OK-sig-end', undefined, true, 3 * octetMs + SIG_END_TO_NO_SIGNAL_MS)));
    else steps.push(this.fieldStep(dataType, 'hdlc-fcs-OK', undefined, false, 3 * octetMs));
  }

  private lastQueuedIndicator(): T30Indicator | undefined {
    // Only an idle queue tells what the line is doing now.
    return this.queue.length === 0 ? this.lastIndicatorSent : undefined;
  }

  private enqueue(head: Step[], stream?: PageStream, tail: Step[] = []): Promise<void> {
    if (this.closed || this.dead) return Promise.reject(new T38TerminalClosedError('T.38 terminal closed'));
    return new Promise<void>((resolve, reject) => {
      const op: TxOp = { head, stream, tail, index: 0, tailIndex: 0, resolved: false, resolve, reject };
      if (this.queue.length === 0) this.nextAt = Math.max(this.nextAt, this.clock.now());
      this.queue.push(op);
      stream?.start();
      this.reschedule();
    });
  }

  private readonly onStreamData = (): void => {
    if (!this.starved) return;
    this.starved = false;
    this.resumed = true;
    this.reschedule();
  };

  /** The next step of the op at the head of the queue, or STARVED, or undefined when it is done. */
  private nextStep(op: TxOp): Step | typeof STARVED | undefined {
    if (op.index < op.head.length) return op.head[op.index++];
    if (op.stream !== undefined && !op.stream.done) {
      const s = op.stream.take(this);
      if (s !== undefined) return s;
      if (!op.stream.done) return STARVED;
      if (op.stream.error !== undefined) throw op.stream.error;
    }
    if (op.tailIndex < op.tail.length) return op.tail[op.tailIndex++];
    return undefined;
  }

  /** @internal Builds a page data IFP (for PageStream, which does not know the codec options). */
  pageStep(dataType: T30DataType, data: Uint8Array, last: boolean, gapMs: number): Step {
    const step = this.fieldStep(dataType, last ? 't4-non-ecm-sig-end' : 't4-non-ecm-data', data, last, last ? gapMs + SIG_END_TO_NO_SIGNAL_MS : gapMs);
    return last ? completing(step) : step;
  }

  private transmit(ifp: Uint8Array): void {
    this.transport.send(this.sender.next(ifp));
    this.counters.packetsSent++;
  }

  onPacerTick(now: number): number | undefined {
    if (this.closed || this.dead) return undefined;
    this.pumpTx(now);
    this.checkRx(now);
    return this.closed || this.dead ? undefined : this.nextWake();
  }

  private pumpTx(now: number): void {
    for (;;) {
      if (this.copiesLeft > 0 && this.copyAt <= now) {
        this.sendCopy();
        continue;
      }
      const op = this.queue[0];
      if (op === undefined || this.nextAt > now) return;
      let step: Step | typeof STARVED | undefined;
      try {
        step = this.nextStep(op);
      } catch (err) {
        this.queue.shift();
        if (!op.resolved) op.reject(err);
        continue;
      }
      if (step === STARVED) {
        this.starved = true;
        return;
      }
      if (this.resumed) {
        // A modem that ran out of data delays what follows; it does not catch up.
        this.resumed = false;
        this.nextAt = Math.max(this.nextAt, now);
      }
      if (step === undefined) {
        this.queue.shift();
        if (!op.resolved) op.resolve();
        continue;
      }
      // Copies of the previous key packet go before anything newer.
      while (this.copiesLeft > 0) this.sendCopy();
      if (step.ifp !== undefined) {
        this.transmit(step.ifp);
        this.counters.ifpsSent++;
        if (step.copies > 1) {
          this.copyIfp = step.ifp;
          this.copiesLeft = step.copies - 1;
          this.copyAt = this.nextAt + this.keySpacing;
        }
        const indicator = this.indicatorOf(step.ifp);
        if (indicator !== undefined) this.lastIndicatorSent = indicator;
      }
      if (step.completes === true && !op.resolved) {
        op.resolved = true;
        op.resolve();
      }
      this.nextAt += step.gapMs;
    }
  }

  private indicatorOf(ifp: Uint8Array): T30Indicator | undefined {
    for (const [name, bytes] of this.indicatorIfps) if (bytes === ifp) return name;
    return undefined;
  }

  private sendCopy(): void {
    if (this.copyIfp !== undefined) this.transmit(this.copyIfp);
    this.copiesLeft--;
    this.copyAt += this.keySpacing;
  }

  private nextWake(): number {
    let next = this.lastRxAt + this.idleTimeoutMs;
    if (this.copiesLeft > 0) next = Math.min(next, this.copyAt);
    if (this.queue.length > 0 && !this.starved) next = Math.min(next, this.nextAt);
    if (this.reorderDepth > 0 && !this.flushedSinceRx) next = Math.min(next, this.lastRxAt + REORDER_FLUSH_MS);
    return next;
  }

  private reschedule(): void {
    if (this.closed || this.dead) return;
    this.pacer.wakeAt(this, this.nextWake());
  }

  // ---- Receive ---------------------------------------------------------------------------

  private checkRx(now: number): void {
    if (this.reorderDepth > 0 && !this.flushedSinceRx && now - this.lastRxAt >= REORDER_FLUSH_MS) {
      this.flushedSinceRx = true;
      this.deliver(this.receiver.flush());
    }
    if (now - this.lastRxAt >= this.idleTimeoutMs) {
      this.emit({ type: 'modem.closed', reason: 'idle-timeout', detail: `nothing received for ${Math.round((now - this.lastRxAt) / 1000)} s` });
      this.dead = true;
      this.pacer.cancel(this);
      const err = new T38TerminalClosedError('T.38 terminal idle');
      for (const op of this.queue.splice(0)) {
        op.stream?.cancel();
        op.reject(err);
      }
    }
  }

  private readonly onDatagram = (datagram: Uint8Array): void => {
    if (this.closed || this.dead) return;
    this.counters.packetsReceived++;
    this.lastRxAt = this.clock.now();
    this.flushedSinceRx = false;
    let deliveries;
    try {
      deliveries = this.receiver.receiveDatagram(datagram);
    } catch {
      this.counters.malformed++;
      return;
    }
    this.deliver(deliveries);
    if (this.reorderDepth > 0) this.reschedule();
  };

  private deliver(deliveries: ReturnType<UdptlReceiver['receive']>): void {
    for (const d of deliveries) {
      if (d.type === 'lost') {
        // A frame with a hole cannot pass its FCS (the hole may be its first octets, or the
        // fcs-OK that ended the frame before); image data simply has a gap.
        if (this.carrier === 'control' || this.carrier === 'fast') this.frameDamaged = true;
        continue;
      }
      let packet: IfpPacket;
      try {
        packet = decodeIfp(d.ifp, this.decodeOptions);
      } catch {
        this.counters.malformed++;
        continue;
      }
      this.counters.ifpsReceived++;
      if (packet.type === 't30-indicator') this.onIndicator(packet.indicator);
      else this.onData(packet.dataType, packet.fields);
      if (this.closed || this.dead) return;
    }
  }

  private onIndicator(indicator: T30Indicator): void {
    // Key packets come in copies: the same indicator again, with nothing in between, is one.
    if (indicator === this.lastIndicatorRx) return;
    this.lastIndicatorRx = indicator;
    const t = INDICATOR_TIMING[indicator];
    switch (t.modem) {
      case 'none':
        this.endCarrier();
        this.emit({ type: 'modem.silence' });
        return;
      case 'tone':
        this.endCarrier();
        if (indicator === 'cng' || indicator === 'ced') this.emit({ type: 'modem.tone', tone: indicator });
        return;
      case 'v21':
        this.endCarrier();
        this.startCarrier('control', undefined, 'long');
        return;
      case 'v27ter':
      case 'v29':
      case 'v17': {
        this.endCarrier();
        const rate = { modem: t.modem, bitRate: t.bitRate } as ModemRate;
        this.startCarrier('fast', rate, t.training ?? 'long');
        return;
      }
      default:
        // V.8, V.34 and V.33 are never negotiated by faxgate: ignored.
        return;
    }
  }

  private startCarrier(kind: 'control' | 'fast', rate: ModemRate | undefined, training: Training): void {
    this.carrier = kind;
    this.resetFrame();
    if (kind === 'control') {
      this.emit({ type: 'modem.control.carrier' });
    } else if (rate !== undefined) {
      this.fastRate = rate;
      this.fastDataSeen = false;
      this.emit({ type: 'modem.fast.carrier', rate, training });
    }
  }

  /**
   * Ends a carrier that got no sig-end (every copy lost, or silence or another signal came
   * instead). After a sig-end (`ended`) the no-signal that follows only confirms it.
   */
  private endCarrier(): void {
    if (this.carrier === 'control' || this.carrier === 'fast') {
      const fast = this.carrier === 'fast';
      if (this.frameLength > 0) this.emitFrame(false, fast);
      this.finishFast(fast);
      this.emit({ type: 'modem.carrier.end', fast });
    }
    this.carrier = 'off';
  }

  /** localTCF: the far end's TCF never crosses the network; report it as the good TCF it was. */
  private finishFast(fast: boolean): void {
    if (!fast || this.rateManagement !== 'localTCF' || this.fastDataSeen || this.fastRate === undefined) return;
    const octets = Math.round((1500 * this.fastRate.bitRate) / 8000);
    this.fastDataSeen = true;
    this.emit({ type: 'modem.fast.data', data: new Uint8Array(octets) });
  }

  private onData(dataType: T30DataType, fields: readonly { type: string; data?: Uint8Array }[]): void {
    this.lastIndicatorRx = undefined;
    const fast = dataType !== 'v21';
    if (this.carrier === 'ended') return; // Copies of the sig-end, or stray data after it.
    if (this.carrier === 'off') {
      // Every copy of the indicator was lost: the data itself says a carrier is up.
      const rate = rateOfDataType(dataType);
      if (fast && rate === undefined) return;
      this.startCarrier(fast ? 'fast' : 'control', rate, 'short');
    }
    for (const field of fields) {
      if (this.carrier !== 'control' && this.carrier !== 'fast') return;
      switch (field.type) {
        case 'hdlc-data':
          if (field.data !== undefined) this.appendFrame(field.data);
          break;
        case 'hdlc-fcs-OK':
        case 'hdlc-fcs-BAD':
          if (field.data !== undefined) this.appendFrame(field.data);
          if (this.frameLength > 0 || this.frameDamaged) this.emitFrame(field.type === 'hdlc-fcs-OK', fast);
          break;
        case 'hdlc-fcs-OK-sig-end':
        case 'hdlc-fcs-BAD-sig-end':
          if (field.data !== undefined) this.appendFrame(field.data);
          if (this.frameLength > 0 || this.frameDamaged) this.emitFrame(field.type === 'hdlc-fcs-OK-sig-end', fast);
          this.sigEnd(fast);
          break;
        case 'hdlc-sig-end':
          // Also ends a TCF from gateways that close non-ECM data with it (field notes).
          this.resetFrame();
          this.sigEnd(fast);
          break;
        case 't4-non-ecm-data':
          if (field.data !== undefined) this.fastData(field.data);
          break;
        case 't4-non-ecm-sig-end':
          if (field.data !== undefined) this.fastData(field.data);
          this.sigEnd(fast);
          break;
        default:
          break;
      }
    }
  }

  private fastData(data: Uint8Array): void {
    this.fastDataSeen = true;
    this.emit({ type: 'modem.fast.data', data });
  }

  private sigEnd(fast: boolean): void {
    this.finishFast(fast);
    this.carrier = 'ended';
    this.emit({ type: 'modem.carrier.end', fast });
  }

  private appendFrame(data: Uint8Array): void {
    if (this.frameLength + data.length > this.frame.length) {
      const bigger = new Uint8Array(Math.max(this.frame.length * 2, this.frameLength + data.length));
      bigger.set(this.frame.subarray(0, this.frameLength));
      this.frame = bigger;
    }
    this.frame.set(data, this.frameLength);
    this.frameLength += data.length;
  }

  private emitFrame(fcsOk: boolean, fast: boolean): void {
    const frame = reverseBits(this.frame.subarray(0, this.frameLength));
    const ok = fcsOk && !this.frameDamaged && frame.length > 0;
    this.resetFrame();
    this.emit({ type: 'modem.frame', frame, fcsOk: ok, fast });
  }

  private resetFrame(): void {
    this.frameLength = 0;
    this.frameDamaged = false;
  }

  private emit(event: ModemEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A throwing listener must not stop the terminal or the other listeners.
      }
    }
  }
}

const REORDER_FLUSH_MS = 60;

function completing(step: Step): Step {
  return { ...step, completes: true };
}

const RATE_OF_DATA_TYPE: Partial<Record<T30DataType, ModemRate>> = {
  'v27-2400': { modem: 'v27ter', bitRate: 2400 },
  'v27-4800': { modem: 'v27ter', bitRate: 4800 },
  'v29-7200': { modem: 'v29', bitRate: 7200 },
  'v29-9600': { modem: 'v29', bitRate: 9600 },
  'v17-7200': { modem: 'v17', bitRate: 7200 },
  'v17-9600': { modem: 'v17', bitRate: 9600 },
  'v17-12000': { modem: 'v17', bitRate: 12000 },
  'v17-14400': { modem: 'v17', bitRate: 14400 },
};

function rateOfDataType(dataType: T30DataType): ModemRate | undefined {
  const r = RATE_OF_DATA_TYPE[dataType];
  return r === undefined ? undefined : { ...r };
}

const REVERSED = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let r = 0;
    for (let b = 0; b < 8; b++) if (i & (1 << b)) r |= 0x80 >> b;
    t[i] = r;
  }
  return t;
})();

/** HDLC octets travel least significant bit first; T.38 hdlc-data carries them first bit in the MSB. */
function reverseBits(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = REVERSED[bytes[i] as number] as number;
  return out;
}

/**
 * Non-ECM page data as the engine produces it (rows, strips, the whole page), cut into IFP
 * chunks as the modem sends them. It reads ahead a little, and holds the last chunk back
 * until the source ends, so the final data rides in the t4-non-ecm-sig-end (as SpanDSP does).
 */
class PageStream {
  private readonly chunks: Uint8Array[] = [];
  private offset = 0;
  private buffered = 0;
  private ended = false;
  private started = false;
  private cancelled = false;
  private resume: (() => void) | undefined;
  done = false;
  error: unknown;

  constructor(
    private readonly source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    private readonly chunk: number,
    private readonly padOctets: number,
    private readonly dataType: T30DataType,
    private readonly bitRate: number,
    private readonly onData: () => void,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.pump();
  }

  cancel(): void {
    this.cancelled = true;
    this.resume?.();
  }

  private get highWater(): number {
    return this.chunk * 32;
  }

  private async pump(): Promise<void> {
    try {
      for await (const data of this.source) {
        if (this.cancelled) return;
        if (data.length === 0) continue;
        this.chunks.push(data);
        this.buffered += data.length;
        this.onData();
        while (this.buffered > this.highWater && !this.cancelled) await new Promise<void>((r) => (this.resume = r));
      }
      if (this.padOctets > 0) {
        this.chunks.push(new Uint8Array(this.padOctets));
        this.buffered += this.padOctets;
      }
    } catch (err) {
      this.error = err ?? new Error('page source failed');
    }
    this.ended = true;
    this.onData();
  }

  /** The next data step, or undefined when starved or finished (see `done`). */
  take(terminal: T38Terminal): Step | undefined {
    if (this.error !== undefined) {
      this.done = true;
      return undefined;
    }
    if (!this.ended && this.buffered <= this.chunk) return undefined;
    if (this.buffered === 0) {
      this.done = true;
      return undefined;
    }
    const n = Math.min(this.chunk, this.buffered);
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0] as Uint8Array;
      const take = Math.min(n - filled, head.length - this.offset);
      out.set(head.subarray(this.offset, this.offset + take), filled);
      filled += take;
      this.offset += take;
      if (this.offset === head.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    this.buffered -= n;
    if (this.buffered <= this.highWater && this.resume !== undefined) {
      const r = this.resume;
      this.resume = undefined;
      r();
    }
    const last = this.ended && this.buffered === 0;
    if (last) this.done = true;
    return terminal.pageStep(this.dataType, out, last, (n * 8000) / this.bitRate);
  }
}
