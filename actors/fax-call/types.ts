/**
 * What a fax call is asked to do and what it reports. The CLI (`faxgate t38 send|recv`),
 * the SIP gateway and the tests build a `FaxCallOptions`, call `runFaxCall`, and read one
 * `FaxCallResult` whose name/code/reason come from the shared outcome table
 * (protocols/fax-results).
 */
import type { FaxResultName } from '../../protocols/fax-results/index.ts';
import type { Bitmap } from '../../protocols/t4/index.ts';
import type { FaxModem } from '../../telephony/fax-modem.ts';
import type { Clock } from '../../core/clock.ts';
import type { CodedPage } from '../../telephony/t30/page-source.ts';

export type { CodedPage };

export type FaxResolution = 'standard' | 'fine' | 'superfine';
export type FaxCompression = 'mh' | 'mr' | 'mmr';
export type FaxBitRate = 2400 | 4800 | 7200 | 9600 | 12000 | 14400;

/** The document a sending call transmits; pages are asked for one at a time, when needed. */
export interface FaxSendDocument {
  readonly pageCount: number;
  /**
   * Page `index` (0-based) as a bitmap, 1 = black. Any width: a page wider than the
   * receiver takes is cropped around its centre, a narrower one is centred on white.
   * A `CodedPage` (e.g. a TIFF's G4 strip) is sent as it is when the call negotiates ECM
   * with its coding, width and resolution; otherwise it is decoded and coded again.
   */
  page(index: number): Promise<Bitmap | CodedPage>;
  /** Vertical resolution of the bitmaps. A receiver without it gets every other row pair merged (fine -> standard). */
  readonly resolution: FaxResolution;
  /** Width the pages are meant for (default 1728): DCS asks for it when the receiver has it. */
  readonly width?: 1728 | 2048 | 2432;
  /**
   * Page `index`'s own resolution and width, for a document whose pages differ (default:
   * `resolution` and `width` for every page). Where the next page differs from the one just
   * sent, the sender ends the message with EOM and negotiates a new DCS for it (T.30 phase B).
   */
  pageFormat?(index: number): PageFormat;
}

/** What DCS has to say about one page. */
export interface PageFormat {
  readonly resolution: FaxResolution;
  readonly width?: 1728 | 2048 | 2432;
}

/** One received page, decoded. */
export interface ReceivedPage {
  /** 0-based page number in this call. */
  readonly index: number;
  readonly bitmap: Bitmap;
  readonly resolution: FaxResolution;
  readonly compression: FaxCompression;
  readonly ecm: boolean;
  /** Rows that could not be decoded and were repaired (non-ECM only; ECM pages are exact). */
  readonly badLines: number;
  readonly consecutiveBadLinesMax: number;
}

export interface FaxReceiveSink {
  /** Called once per accepted page, in order; the call waits for it before it reports its result. */
  onPage(page: ReceivedPage): Promise<void>;
}

/** T.30 timers (T.30 5.4.3), milliseconds; defaults are the nominal values. */
export interface T30Timeouts {
  /** T1: 35 s, waiting for the far end to identify itself (DIS from an answerer, DCS from a caller). */
  readonly t1: number;
  /** T2: 6 s, waiting for a command (receiver). */
  readonly t2: number;
  /** T3: 10 s, procedure interrupt (unused: faxgate never asks for an operator). */
  readonly t3: number;
  /** T4: 3 s, waiting for a response (automatic terminal). */
  readonly t4: number;
  /** T5: 60 s, ECM receiver not ready (RNR/RR polling). */
  readonly t5: number;
}

export interface FaxCallLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
}

export interface FaxCallOptions {
  readonly modem: FaxModem;
  /** Every T.30 timer and the duration run on this clock (ManualClock in unit tests, ScaledClock in interop). */
  readonly clock: Clock;
  /** The caller sends CNG and waits for DIS; the answerer sends CED then DIS. */
  readonly role: 'caller' | 'answerer';
  /** Pages to send (the caller, normally). */
  readonly send?: FaxSendDocument;
  /** Where received pages go (the answerer, normally). */
  readonly receive?: FaxReceiveSink;
  /** Our identity (TSI when sending, CSI when receiving); up to 20 characters. */
  readonly localIdent?: string;
  /** Offer/use ECM (default true). */
  readonly ecm?: boolean;
  /** Cap on the modem rate (default 14400). */
  readonly maxBitRate?: FaxBitRate;
  /** Codings offered/used (default all; MMR needs ECM). */
  readonly compressions?: readonly FaxCompression[];
  /** Resolutions a receiver accepts (default all three). */
  readonly resolutions?: readonly FaxResolution[];
  /** ECM frame size the sender uses (default 256). */
  readonly ecmFrameSize?: 64 | 256;
  readonly timeouts?: Partial<T30Timeouts>;
  readonly logger?: FaxCallLogger;
}

export type FaxPhase = 'A' | 'B' | 'C' | 'D' | 'E';

export interface FaxCallResult {
  readonly ok: boolean;
  /** protocols/fax-results code (0 = success). */
  readonly code: number;
  readonly reason: string;
  readonly reasonJa: string;
  /** The fax-results name, e.g. 'ok', 'remote-no-response', 'training-failed'. */
  readonly name: FaxResultName;
  /** Pages sent and confirmed (sender) or received and accepted (receiver). */
  readonly pages: number;
  /** The far end's CSI (we sent) or TSI (we received), '' if none came. */
  readonly remoteCsid: string;
  readonly ecm: boolean;
  /** The modem rate of the last page, 0 before any training succeeded. */
  readonly bitRate: number;
  readonly compression: FaxCompression | 'none';
  readonly resolution: FaxResolution | 'none';
  /** Call length on the injected clock. */
  readonly durationMs: number;
  /** The T.30 phase the call was in when it ended. */
  readonly phase: FaxPhase;
}
