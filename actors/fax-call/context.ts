/**
 * The state a fax call keeps between T.30 frames, and the result it ends with. Protocol
 * facts (DCS, rate, counters) change only through the machine's assign actions; the
 * streaming parts of reception (TCF check, page decoder, ECM block) are mutable objects the
 * machine holds, as it would hold child actors, because they take data chunk by chunk.
 */
import type { Clock } from '../../core/clock.ts';
import { outcome, type FaxResultName } from '../../protocols/fax-results/index.ts';
import type { DcsParameters, DisCapabilities, ModemRate } from '../../protocols/t30/index.ts';
import type { Bitmap } from '../../protocols/t4/index.ts';
import type { FaxModem, Training } from '../../telephony/fax-modem.ts';
import { localCapabilities } from '../../telephony/t30/capabilities.ts';
import { EcmBlockCollector } from '../../telephony/t30/ecm-block.ts';
import type { PageAssembler } from '../../telephony/t30/page-sink.ts';
import type { TcfCheck } from '../../telephony/t30/tcf.ts';
import type {
  FaxCallLogger,
  FaxCallOptions,
  FaxCallResult,
  FaxCompression,
  FaxPhase,
  FaxReceiveSink,
  FaxResolution,
  FaxSendDocument,
  T30Timeouts,
} from './types.ts';

export const DEFAULT_TIMEOUTS: Readonly<T30Timeouts> = Object.freeze({ t1: 35_000, t2: 6_000, t3: 10_000, t4: 3_000, t5: 60_000 });

/** T.30 5.4.3: a command is sent at most three times without a response. */
export const MAX_TRIES = 3;
/** RTN: the page is sent again after retraining at most this many times. */
export const MAX_PAGE_RETRIES = 3;
/** T.30 A.4: after the fourth PPR for a block the sender must change something (CTC) or stop. */
export const PPR_BEFORE_CTC = 4;

/** What the receiver side holds while data streams in. */
export interface ReceiverState {
  /** What fast-modem data is for right now. */
  expect: 'nothing' | 'tcf' | 'page';
  tcf: TcfCheck | undefined;
  /** The page being decoded (non-ECM: since its carrier; ECM: since its first block). */
  page: PageAssembler | undefined;
  readonly block: EcmBlockCollector;
  /** The last accepted ECM block, to answer a repeated PPS again without taking it twice. */
  lastBlock: { page: number; block: number } | undefined;
  /** The response to send, and the last one sent (repeated when the command is repeated). */
  response: Uint8Array | undefined;
  /** Where the receiver goes once the response is out. */
  next: 'phaseB' | 'phaseC' | 'awaitDcn';
  /** Pages handed to the sink, in order. */
  deliveries: Promise<void>;
  deliveryError: unknown;
  /** When the far end was last heard (any signal): the phase C watchdog's reference. */
  lastHeardAt: number;
}

export interface FaxCallContext {
  readonly modem: FaxModem;
  readonly clock: Clock;
  readonly role: 'caller' | 'answerer';
  readonly send: FaxSendDocument | undefined;
  readonly receive: FaxReceiveSink | undefined;
  readonly localIdent: string;
  readonly local: DisCapabilities;
  readonly ecmWanted: boolean;
  readonly maxBitRate: number;
  readonly compressions: readonly FaxCompression[];
  readonly ecmFrameSize: 64 | 256;
  readonly timeouts: T30Timeouts;
  readonly logger: FaxCallLogger | undefined;
  readonly startedAt: number;

  phase: FaxPhase;
  remoteCsid: string;
  remoteDis: DisCapabilities | undefined;
  dcs: DcsParameters | undefined;
  /** The rate for the next fast-modem transmission. */
  rate: ModemRate | undefined;
  /** Rates both ends have, for fallback. */
  rates: readonly ModemRate[];
  training: Training;
  /** Times the current command was sent (T4 repeats). */
  tries: number;
  /** RTN count for the current page. */
  pageRetries: number;
  /** Pages confirmed (sender) or accepted (receiver). */
  pages: number;
  /** Everything confirmed: the sender got its last MCF, or the receiver answered EOP. */
  documentComplete: boolean;

  // Sender: the page in hand.
  page: Bitmap | undefined;
  blocks: Uint8Array[][];
  block: number;
  framesToSend: number[];
  pprCount: number;

  // Receiver.
  readonly rx: ReceiverState;

  outcome: { name: FaxResultName; detail?: string } | undefined;
}

export function initialContext(o: FaxCallOptions): FaxCallContext {
  const ecm = o.ecm ?? true;
  const compressions = o.compressions ?? ['mh', 'mr', 'mmr'];
  const maxBitRate = o.maxBitRate ?? 14400;
  const resolutions: readonly FaxResolution[] = o.resolutions ?? ['standard', 'fine', 'superfine'];
  return {
    modem: o.modem,
    clock: o.clock,
    role: o.role,
    send: o.send,
    receive: o.receive,
    localIdent: o.localIdent ?? '',
    local: localCapabilities({ ecm, maxBitRate, compressions, resolutions }),
    ecmWanted: ecm,
    maxBitRate,
    compressions,
    ecmFrameSize: o.ecmFrameSize ?? 256,
    timeouts: { ...DEFAULT_TIMEOUTS, ...o.timeouts },
    logger: o.logger,
    startedAt: o.clock.now(),
    phase: 'A',
    remoteCsid: '',
    remoteDis: undefined,
    dcs: undefined,
    rate: undefined,
    rates: [],
    training: 'long',
    tries: 0,
    pageRetries: 0,
    pages: 0,
    documentComplete: false,
    page: undefined,
    blocks: [],
    block: 0,
    framesToSend: [],
    pprCount: 0,
    rx: {
      expect: 'nothing',
      tcf: undefined,
      page: undefined,
      block: new EcmBlockCollector(),
      lastBlock: undefined,
      response: undefined,
      next: 'phaseC',
      deliveries: Promise.resolve(),
      deliveryError: undefined,
      lastHeardAt: o.clock.now(),
    },
    outcome: undefined,
  };
}

function resolutionOf(dcs: DcsParameters | undefined): FaxResolution | 'none' {
  if (dcs === undefined) return 'none';
  return dcs.resolution === 'superfine' || dcs.resolution === 'fine' ? dcs.resolution : dcs.resolution === 'standard' ? 'standard' : 'superfine';
}

export function resultOf(c: FaxCallContext): FaxCallResult {
  // A far end gone silent is "the receiver hung up" to a sender and "the sender hung up" to a receiver.
  const name = c.outcome?.name === 'remote-hangup' && c.send === undefined ? 'sender-hangup' : (c.outcome?.name ?? 'unspecified');
  const o = outcome(name, c.outcome?.detail);
  const trained = c.dcs !== undefined && c.rate !== undefined;
  return {
    ok: o.ok,
    code: o.code,
    reason: o.reason,
    reasonJa: o.reasonJa,
    name: o.name,
    pages: c.pages,
    remoteCsid: c.remoteCsid,
    ecm: c.dcs?.ecm ?? false,
    bitRate: trained ? (c.rate?.bitRate ?? 0) : 0,
    compression: c.dcs?.compression ?? 'none',
    resolution: resolutionOf(c.dcs),
    durationMs: c.clock.now() - c.startedAt,
    phase: c.phase,
  };
}
