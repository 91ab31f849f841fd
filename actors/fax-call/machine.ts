/**
 * T.30 as an XState v5 machine: the calling terminal that sends a document, and the
 * called terminal that receives it, over any FaxModem (telephony/fax-modem.ts).
 *
 *  TRANSMITTER (caller)                               RECEIVER (answerer)
 *  ───────────────────────────────────────────────    ──────────────────────────────────────────
 *  A  phaseA: CNG ─────── wait DIS (T1) ───────┐      A  phaseA: CED
 *                                              │          │
 *  B  phaseB.sendDcs: TSI DCS, TCF ◄─ FTT (slower)│   B  phaseB.sendDis: CSI DIS ◄─ T4 (until T1)
 *     phaseB.waitCfr (T4, 3 tries) ◄───────────┘         phaseB.waitCommand ── DCS ─► checkTcf
 *        │ CFR                                              checkTcf ── good ─► sendCfr ─┐
 *  C  phaseC.loadPage ─► nonEcm: page data ─┐               checkTcf ── bad ──► sendFtt  │
 *                     └► ecm: FCD.. RCP     │          C  phaseC: awaitPage ─► receiving ◄┘
 *                          PPS ─► wait (T4) │                  (data, or FCD frames; T2 watchdog)
 *                          PPR ─► resend    │          D  MPS/EOP/EOM: copy quality ─► MCF/RTP/RTN
 *                          4th PPR ─► CTC   │             PPS: complete block ─► MCF, else PPR
 *  D  phaseD: MPS|EOP|EOM ─► wait (T4) ◄────┘             phaseD.respond ─► phaseC | awaitDcn | phaseB
 *        MCF: next page (C) or E   RTP: retrain (B)     E  DCN ─► released
 *        RTN: retrain, same page (B)
 *        MCF/RTP to EOM (next page differs in resolution or width): phaseB.awaitDis, new DCS
 *  E  disconnect: DCN ─► released
 *
 * Every end goes through `disconnect` (DCN, T.30 5.3.6.1.10) or straight to `released`
 * when the line is already gone, with an outcome from protocols/fax-results.
 *
 * Frames: the root decodes each `modem.frame` and raises it as an event named by its FCF
 * (`DIS`, `CFR`, `MCF`, ...), so the states below read as T.30's flow diagrams. Fast-modem
 * data (TCF, non-ECM page, ECM frames) is taken at the root whatever the state, because it
 * may start while our own response is still leaving the modem.
 *
 * FIXME: polling (DTC) is not implemented: the caller sends, the answerer receives.
 * FIXME: PIP/PIN (procedure interrupt, T3) are treated as unknown responses.
 */
import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import {
  decodeCtc,
  decodeDcs,
  decodeDis,
  decodeEor,
  decodeFcd,
  decodeFrame,
  decodeIdent,
  decodePpr,
  decodePps,
  chooseDcs,
  commonRates,
  encodeCtc,
  encodeDcs,
  encodeDis,
  encodeFrame,
  encodeIdent,
  encodePpr,
  encodePps,
  fallbackRate,
  type DisCapabilities,
  type FcfName,
  type ModemRate,
  type T30Frame,
} from '../../protocols/t30/index.ts';
import type { Bitmap } from '../../protocols/t4/index.ts';
import type { FaxModem, ModemEvent, Tone, Training } from '../../telephony/fax-modem.ts';
import { copyQuality, copyQualityResponse } from '../../telephony/t30/copy-quality.ts';
import { allFrames, ecmBurst, splitIntoBlocks } from '../../telephony/t30/ecm-block.ts';
import type { AssembledPage } from '../../telephony/t30/page-sink.ts';
import { decodeCodedPage, ecmPageData, ecmPassThrough, nonEcmPageChunks, type CodedPage, type PageCoding } from '../../telephony/t30/page-source.ts';
import { TCF_MS, TcfCheck } from '../../telephony/t30/tcf.ts';
import { newPageAssembler, takeEcmFrame, takeFastData } from './reception.ts';
import { MAX_PAGE_RETRIES, MAX_TRIES, PPR_BEFORE_CTC, initialContext, resultOf, type FaxCallContext } from './context.ts';
import type { FaxCallOptions, FaxCallResult, FaxPhase, FaxResolution, FaxSendDocument, PageFormat } from './types.ts';
import type { FaxResultName } from '../../protocols/fax-results/index.ts';

/** A T.30 frame from the far end, raised under its FCF name. */
export interface T30FrameEvent {
  readonly type: FcfName;
  readonly frame: T30Frame;
}
export type FaxCallEvent =
  | ModemEvent
  | T30FrameEvent
  /** The fast modem's carrier ended (TCF or page over). */
  | { readonly type: 'fast.end' }
  | { readonly type: 'abort' };

// ---- frames we send ----------------------------------------------------------------------

/** X bit (T.30 5.3.6.1): 1 from the station that received DIS, the caller here. */
function x(c: FaxCallContext): boolean {
  return c.role === 'caller';
}

function frame(c: FaxCallContext, fcf: FcfName, final = true, fif?: Uint8Array): Uint8Array {
  return encodeFrame(fif === undefined ? { fcf, x: x(c), final } : { fcf, x: x(c), final, fif });
}

function identFrame(c: FaxCallContext, fcf: 'TSI' | 'CSI'): Uint8Array[] {
  return c.localIdent.length > 0 ? [frame(c, fcf, false, encodeIdent(c.localIdent.slice(0, 20)))] : [];
}

/** Page `index`'s resolution and width, the document's own unless it says per page. */
export function formatOf(doc: FaxSendDocument, index: number): Required<PageFormat> {
  const f = doc.pageFormat?.(index);
  return { resolution: f?.resolution ?? doc.resolution, width: f?.width ?? doc.width ?? 1728 };
}

/**
 * True when the page after the current one needs another DCS: T.30 has no way to change
 * resolution or width within a message, so the message ends there (EOM) and phase B
 * starts again.
 */
function nextPageNeedsNewDcs(c: FaxCallContext): boolean {
  const doc = c.send;
  if (doc === undefined || c.pages + 1 >= doc.pageCount) return false;
  const now = formatOf(doc, c.pages);
  const next = formatOf(doc, c.pages + 1);
  return now.resolution !== next.resolution || now.width !== next.width;
}

function postMessageFcf(c: FaxCallContext): 'MPS' | 'EOP' | 'EOM' {
  if (c.send === undefined || c.pages + 1 >= c.send.pageCount) return 'EOP';
  return nextPageNeedsNewDcs(c) ? 'EOM' : 'MPS';
}

function pageCoding(c: FaxCallContext, doc: FaxSendDocument): PageCoding {
  const dcs = c.dcs;
  if (dcs === undefined) throw new Error('page coding before DCS');
  const to = dcs.resolution === 'standard' || dcs.resolution === 'fine' || dcs.resolution === 'superfine' ? dcs.resolution : 'standard';
  return { width: dcs.width === 'invalid' ? 1728 : dcs.width, compression: dcs.compression, fromResolution: formatOf(doc, c.pages).resolution, toResolution: to };
}

function phaseDetail(phase: FaxPhase): string {
  return `in phase ${phase}`;
}

// ---- invoked sends -----------------------------------------------------------------------

const sendTone = fromPromise<void, { modem: FaxModem; tone: Tone; ms: number }>(({ input }) => input.modem.sendTone(input.tone, input.ms));
const sendControl = fromPromise<void, { modem: FaxModem; frames: Uint8Array[] }>(({ input }) => input.modem.sendControl(input.frames));
/** DCS and TCF back to back (T.30 5.3.6.2.7: TCF follows DCS 75 ms later). */
const sendDcsAndTcf = fromPromise<void, { modem: FaxModem; frames: Uint8Array[]; rate: ModemRate }>(async ({ input }) => {
  await input.modem.sendControl(input.frames);
  await input.modem.sendTcf(input.rate, TCF_MS, 'long');
});
const sendNonEcmPage = fromPromise<void, { modem: FaxModem; rate: ModemRate; data: Iterable<Uint8Array>; training: Training }>(({ input }) =>
  input.modem.sendPage(input.rate, input.data, input.training),
);
const sendEcmFrames = fromPromise<void, { modem: FaxModem; rate: ModemRate; frames: Uint8Array[]; training: Training }>(({ input }) =>
  input.modem.sendEcmFrames(input.rate, input.frames, input.training),
);
const loadPage = fromPromise<Bitmap | CodedPage, { doc: FaxSendDocument; index: number }>(({ input }) => input.doc.page(input.index));

// ---- the machine ---------------------------------------------------------------------------

/** T.30 A.4 responses to a PPS (or to RR after RNR): the same transitions in both places. */
const blockConfirmed = [
  { guard: 'moreBlocks', target: '#ecm.sendFrames', actions: 'nextBlock' },
  { guard: 'endOfMessage', target: '#tx.phaseB.awaitDis', actions: 'pageConfirmed' },
  { guard: 'morePages', target: '#tx.phaseC', reenter: true, actions: 'pageConfirmed' },
  { target: '#faxCall.disconnect', actions: ['pageConfirmed', 'succeed', { type: 'enterPhase', params: 'E' }] },
] as const;
const framesMissing = [
  { guard: 'mayRetransmit', target: '#ecm.sendFrames', actions: 'takePpr' },
  { guard: 'canFallBack', target: '#ecm.sendCtc', actions: ['takePpr', 'fallBack'] },
  {
    target: '#faxCall.disconnect',
    actions: { type: 'fail', params: ({ context: c }: { context: FaxCallContext }) => ({ name: 'too-many-retransmissions' as const, detail: `block ${c.block} of page ${c.pages + 1}` }) },
  },
] as const;

export const faxCallMachine = setup({
  types: {
    context: {} as FaxCallContext,
    events: {} as FaxCallEvent,
    input: {} as FaxCallOptions,
    output: {} as FaxCallResult,
  },
  actors: { sendTone, sendControl, sendDcsAndTcf, sendNonEcmPage, sendEcmFrames, loadPage },
  delays: {
    T1: ({ context }) => context.timeouts.t1,
    T2: ({ context }) => context.timeouts.t2,
    /** T3 (procedure interrupt, operator alerted): named for completeness, faxgate never asks for an operator. */
    T3: ({ context }) => context.timeouts.t3,
    T4: ({ context }) => context.timeouts.t4,
    T5: ({ context }) => context.timeouts.t5,
    /** How often phase C checks that the far end is still heard. */
    WATCHDOG: ({ context }) => Math.min(1000, context.timeouts.t2 / 4),
    GRACE: 200,
  },
  guards: {
    isTransmitter: ({ context }) => context.role === 'caller' && context.send !== undefined,
    isReceiver: ({ context }) => context.role === 'answerer' && context.receive !== undefined,
    mayRepeat: ({ context }) => context.tries < MAX_TRIES,
    documentComplete: ({ context }) => context.documentComplete,
    incompatible: ({ context }) => {
      const remote = context.remoteDis;
      return remote === undefined || !remote.readyToReceive || commonRates(context.local, remote, { maxBitRate: context.maxBitRate }).length === 0;
    },
    canFallBack: ({ context }) => context.rate !== undefined && fallbackRate(context.rate, context.rates) !== undefined,
    usesEcm: ({ context }) => context.dcs?.ecm === true,
    morePages: ({ context }) => context.send !== undefined && context.pages + 1 < context.send.pageCount,
    /** The command just confirmed was EOM: the next page starts in phase B. */
    endOfMessage: ({ context }) => nextPageNeedsNewDcs(context),
    moreBlocks: ({ context }) => context.block + 1 < context.blocks.length,
    mayRetransmit: ({ context }) => context.pprCount + 1 < PPR_BEFORE_CTC,
    mayResendPage: ({ context }) => context.pageRetries < MAX_PAGE_RETRIES,
    tcfGood: ({ context }) => context.rx.tcf?.good === true,
    inPhaseB: ({ context }) => context.phase === 'B' || context.phase === 'A',
    notEnding: ({ context }) => context.outcome === undefined,
    nextIsPage: ({ context }) => context.rx.next === 'phaseC',
    nextIsDis: ({ context }) => context.rx.next === 'phaseB',
    farEndSilent: ({ context }) => context.clock.now() - context.rx.lastHeardAt >= context.timeouts.t2,
  },
  actions: {
    /** Ends the call with `name` unless an outcome is already set (the first cause wins). */
    fail: assign({
      outcome: ({ context }, p: { name: FaxResultName; detail?: string }) => context.outcome ?? p,
    }),
    enterPhase: assign({ phase: (_, p: FaxPhase) => p }),
    resetTries: assign({ tries: 0 }),
    countTry: assign({ tries: ({ context }) => context.tries + 1 }),
    log: ({ context }, p: { message: string }) => context.logger?.debug(p.message, { phase: context.phase }),

    /** The root's frame decoder: control frames become events, ECM frames go to the block. */
    takeFrame: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'modem.frame') return;
      if (event.fast) return takeEcmFrame(context, event.frame, event.fcsOk);
      // T.30 5.4.2 (and T.38: the carrier checks the FCS): a frame with a bad FCS is discarded.
      if (!event.fcsOk) return;
      let f: T30Frame;
      try {
        f = decodeFrame(event.frame);
      } catch {
        return;
      }
      if (f.fcf === 'FCD' || f.fcf === 'RCP' || f.fcf === undefined) return;
      enqueue.raise({ type: f.fcf, frame: f });
    }),
    takeRemoteIdent: assign({
      remoteCsid: ({ context, event }) => {
        if (event.type !== 'CSI' && event.type !== 'TSI') return context.remoteCsid;
        try {
          return decodeIdent((event as T30FrameEvent).frame.fif.subarray(0, 20));
        } catch {
          return context.remoteCsid;
        }
      },
    }),
    fastCarrier: ({ context }) => {
      const rx = context.rx;
      if (rx.expect === 'tcf' && context.rate !== undefined) rx.tcf = new TcfCheck(context.rate.bitRate);
    },
    takeFastData: ({ context, event }) => {
      if (event.type === 'modem.fast.data') takeFastData(context, event.data);
    },
    /** Phase C's T2 counts from the moment we stop talking. */
    listenFromNow: ({ context }) => {
      context.rx.lastHeardAt = Math.max(context.rx.lastHeardAt, context.clock.now());
    },
    carrierEnd: enqueueActions(({ event, enqueue }) => {
      if (event.type === 'modem.carrier.end' && event.fast) enqueue.raise({ type: 'fast.end' });
    }),

    // ---- transmitter ----
    takeDis: assign(({ context, event }) => {
      let remoteDis: DisCapabilities | undefined;
      try {
        remoteDis = decodeDis((event as T30FrameEvent).frame.fif);
      } catch {
        remoteDis = undefined;
      }
      return { remoteDis, tries: 0 };
    }),
    chooseDcs: assign(({ context }) => {
      const remote = context.remoteDis as DisCapabilities;
      const format = formatOf(context.send as FaxSendDocument, context.pages);
      const prefs = {
        maxBitRate: context.maxBitRate,
        ecm: context.ecmWanted,
        ecmFrameSize: remote.prefer64OctetFrames ? 64 : context.ecmFrameSize,
        resolution: format.resolution,
        width: format.width,
        compressions: context.compressions,
      } as const;
      const dcs = chooseDcs(context.local, remote, prefs);
      return { dcs, rate: dcs.rate, rates: commonRates(context.local, remote, prefs) };
    }),
    fallBack: assign(({ context }) => {
      const next = context.rate === undefined ? undefined : fallbackRate(context.rate, context.rates);
      if (next === undefined || context.dcs === undefined) return {};
      return { rate: next, dcs: { ...context.dcs, rate: next }, tries: 0 };
    }),
    pageLoaded: assign(({ context, event }) => {
      const loaded = (event as unknown as { output: Bitmap | CodedPage }).output;
      const doc = context.send as FaxSendDocument;
      const coding = pageCoding(context, doc);
      const coded = 'kind' in loaded ? loaded : undefined;
      const passThrough = coded !== undefined && context.dcs?.ecm === true ? ecmPassThrough(coded, coding) : undefined;
      const page = passThrough !== undefined ? undefined : coded !== undefined ? decodeCodedPage(coded) : (loaded as Bitmap);
      if (context.dcs?.ecm !== true) return { page, training: 'short' as Training };
      const data = passThrough ?? ecmPageData(page!, coding);
      const blocks = splitIntoBlocks(data, context.dcs.ecmFrameSize);
      return { page: undefined, blocks, block: 0, framesToSend: allFrames(blocks[0]?.length ?? 0), pprCount: 0, tries: 0, training: 'short' as Training };
    }),
    nextBlock: assign(({ context }) => ({
      block: context.block + 1,
      framesToSend: allFrames(context.blocks[context.block + 1]?.length ?? 0),
      pprCount: 0,
      tries: 0,
      training: 'short' as Training,
    })),
    takePpr: assign(({ context, event }) => {
      const count = context.blocks[context.block]?.length ?? 0;
      let wanted: number[];
      try {
        wanted = decodePpr((event as T30FrameEvent).frame).filter((n) => n < count);
      } catch {
        wanted = allFrames(count);
      }
      return { framesToSend: wanted.length > 0 ? wanted : allFrames(count), pprCount: context.pprCount + 1, tries: 0, training: 'short' as Training };
    }),
    rateChanged: assign({ pprCount: 0, tries: 0, training: 'long' as Training }),
    pageConfirmed: assign(({ context }) => ({
      pages: context.pages + 1,
      pageRetries: 0,
      tries: 0,
      page: undefined,
      blocks: [],
      documentComplete: context.send !== undefined && context.pages + 1 >= context.send.pageCount,
    })),
    pageRejected: assign(({ context }) => {
      const next = context.rate === undefined ? undefined : fallbackRate(context.rate, context.rates);
      const rate = next ?? context.rate;
      return {
        pageRetries: context.pageRetries + 1,
        tries: 0,
        rate,
        dcs: context.dcs === undefined || rate === undefined ? context.dcs : { ...context.dcs, rate },
      };
    }),
    succeed: assign({ outcome: () => ({ name: 'ok' as const }) }),
    dcnReceived: assign({
      outcome: ({ context }) =>
        context.outcome ??
        (context.phase === 'A' || context.phase === 'B'
          ? { name: 'dcn-in-negotiation' as const, detail: phaseDetail(context.phase) }
          : { name: 'unexpected-dcn' as const, detail: phaseDetail(context.phase) }),
    }),
    hungUp: assign({
      outcome: ({ context, event }) => {
        if (context.outcome !== undefined) return context.outcome;
        const why = event.type === 'modem.closed' ? `${event.reason}${event.detail === undefined ? '' : ` (${event.detail})`}` : 'send failed';
        const name: FaxResultName = context.phase === 'A' ? 'remote-no-response' : 'remote-hangup';
        return { name, detail: `${phaseDetail(context.phase)}: ${why}` };
      },
    }),
    cancelled: assign({ outcome: ({ context }) => context.outcome ?? { name: 'cancelled' as const } }),

    // ---- receiver ----
    takeDcs: assign(({ context, event }) => {
      const rx = context.rx;
      rx.expect = 'tcf';
      rx.tcf = undefined;
      rx.page = undefined;
      rx.block.reset();
      try {
        const dcs = decodeDcs((event as T30FrameEvent).frame.fif);
        return { dcs, rate: dcs.rate, tries: 0 };
      } catch {
        return {};
      }
    }),
    /** Fast data is page data from now on; a partial ECM block stays (its PPR is pending). */
    expectPage: ({ context }) => {
      context.rx.expect = 'page';
    },
    /** Non-ECM post-message command (T.30 5.3.6.1.6): judge the page just received. */
    takePostMessage: ({ context, event }) => {
      const rx = context.rx;
      const cmd = (event as T30FrameEvent).type as 'MPS' | 'EOP' | 'EOM';
      if (rx.page === undefined) {
        // No new page since our last response: the sender missed it; say it again.
        rx.response ??= frame(context, 'RTN');
        rx.next = nextAfter(cmd, rx.response);
        return;
      }
      const page = rx.page.finish();
      rx.page = undefined;
      const resolution = resolutionOfDcs(context);
      const verdict = copyQualityResponse(copyQuality(page, resolution));
      if (verdict !== 'RTN') deliver(context, page);
      rx.response = frame(context, verdict);
      rx.next = nextAfter(cmd, rx.response);
    },
    /** ECM end of partial page (T.30 A.4): all frames in -> MCF, else PPR for the missing ones. */
    takePps: ({ context, event }) => {
      const rx = context.rx;
      let pps: ReturnType<typeof decodePps>;
      try {
        pps = decodePps((event as T30FrameEvent).frame);
      } catch {
        return;
      }
      const fcf2 = pps.fcf2 === 'NULL' ? 'MPS' : pps.fcf2 === 'PRI-EOP' ? 'EOP' : pps.fcf2 === 'PRI-MPS' ? 'MPS' : pps.fcf2 === 'PRI-EOM' || pps.fcf2 === 'EOS' ? 'EOM' : pps.fcf2;
      // A PPS for the block we took already is a repeat (our MCF crossed it): answer again,
      // keeping the frames of the next block that may have started to arrive.
      const repeat = rx.lastBlock !== undefined && rx.lastBlock.page === pps.page && rx.lastBlock.block === pps.block;
      if (repeat && rx.response !== undefined) {
        rx.next = nextAfter(fcf2, rx.response);
        return;
      }
      const missing = rx.block.missing(pps.frames);
      if (missing.length > 0) {
        rx.response = encodePpr(missing, x(context));
        rx.next = 'phaseC';
        return;
      }
      acceptBlock(context, pps.frames, pps.page, pps.block, pps.fcf2 !== 'NULL');
      rx.response = frame(context, 'MCF');
      rx.next = pps.fcf2 === 'NULL' ? 'phaseC' : nextAfter(fcf2, rx.response);
    },
    /** CTC (T.30 A.4.3): the sender continues at a new rate; CTR, then its frames again. */
    takeCtc: ({ context, event }) => {
      try {
        const ctc = decodeCtc((event as T30FrameEvent).frame);
        if (ctc.rate !== undefined) context.rate = ctc.rate;
      } catch {
        // The rate is the modem's business over T.38; CTR all the same.
      }
      context.rx.response = frame(context, 'CTR');
      context.rx.next = 'phaseC';
    },
    /** EOR (T.30 A.4.4): the sender gives up on the missing frames; keep what came (ERR). */
    takeEor: ({ context, event }) => {
      const rx = context.rx;
      let fcf2 = 'NULL' as ReturnType<typeof decodeEor>['fcf2'];
      try {
        fcf2 = decodeEor((event as T30FrameEvent).frame).fcf2;
      } catch {
        // Treated as EOR-NULL.
      }
      const last = rx.lastBlock;
      acceptBlock(context, 256, last?.page ?? 0, (last?.block ?? -1) + 1, fcf2 !== 'NULL');
      rx.response = frame(context, 'ERR');
      rx.next = fcf2 === 'NULL' || fcf2 === 'MPS' ? 'phaseC' : fcf2 === 'EOP' || fcf2 === 'PRI-EOP' ? 'awaitDcn' : 'phaseB';
    },
    repeatResponse: ({ context }) => {
      context.rx.response ??= frame(context, 'MCF');
    },
    /** Decided with the response, not after it is sent: the DCN may come first. */
    receiverDone: assign(({ context }) => ({ documentComplete: context.rx.next === 'awaitDcn' })),
  },
}).createMachine({
  id: 'faxCall',
  context: ({ input }) => initialContext(input),
  output: ({ context }) => resultOf(context),
  initial: 'start',
  on: {
    'modem.frame': { actions: 'takeFrame' },
    'modem.fast.carrier': { actions: 'fastCarrier' },
    'modem.fast.data': { actions: 'takeFastData' },
    'modem.carrier.end': { actions: 'carrierEnd' },
    CSI: { actions: 'takeRemoteIdent' },
    TSI: { actions: 'takeRemoteIdent' },
    // The line is gone: nothing more can be sent.
    'modem.closed': [
      { guard: 'documentComplete', target: '.released', actions: 'succeed' },
      { target: '.released', actions: 'hungUp' },
    ],
    abort: { guard: 'notEnding', target: '.disconnect', actions: 'cancelled' },
  },
  states: {
    start: {
      always: [
        { guard: 'isTransmitter', target: 'transmitter' },
        { guard: 'isReceiver', target: 'receiver' },
        // FIXME: polling (a caller that receives, DTC) is not implemented.
        { target: 'released', actions: { type: 'fail', params: { name: 'incompatible', detail: 'caller sends and answerer receives (no polling)' } } },
      ],
    },

    // ================================ transmitter (calling terminal) ==========================
    transmitter: {
      id: 'tx',
      initial: 'phaseA',
      on: {
        // T.30 5.3.6.1.10: DCN from the far end ends the call whatever we were doing.
        DCN: [
          { guard: 'documentComplete', target: '#faxCall.released', actions: 'succeed' },
          { target: '#faxCall.released', actions: 'dcnReceived' },
        ],
      },
      states: {
        // Phase A (T.30 5.1, 5.4.3.1): CNG, then wait for the called terminal's DIS for T1.
        phaseA: {
          entry: { type: 'enterPhase', params: 'A' },
          invoke: { src: 'sendTone', input: ({ context }) => ({ modem: context.modem, tone: 'cng' as const, ms: 500 }), onError: { actions: [] } },
          after: { T1: { target: '#faxCall.released', actions: { type: 'fail', params: { name: 'remote-no-response', detail: 'no DIS within T1' } } } },
          on: { DIS: { target: 'phaseB', actions: 'takeDis' } },
        },

        // Phase B (T.30 5.3.6.2): DCS chosen from DIS, TCF, CFR or FTT.
        phaseB: {
          entry: { type: 'enterPhase', params: 'B' },
          initial: 'choose',
          on: {
            // T.30 5.3.6.2.7: CFR, the training was good: the message follows.
            CFR: { target: 'phaseC', actions: 'resetTries' },
            // FTT: train again at the next slower rate (14400 > 12000 > 9600 > 7200 > 4800 > 2400).
            FTT: [
              { guard: 'canFallBack', target: '.sendDcs', actions: 'fallBack' },
              { target: '#faxCall.disconnect', actions: { type: 'fail', params: ({ context: c }) => ({ name: 'training-failed' as const, detail: `FTT at ${c.rate?.bitRate ?? 0} bit/s` }) } },
            ],
          },
          states: {
            choose: {
              always: [
                { guard: 'incompatible', target: '#faxCall.disconnect', actions: { type: 'fail', params: { name: 'incompatible', detail: 'no common modem or receiver not ready' } } },
                { target: 'sendDcs', actions: 'chooseDcs' },
              ],
            },
            // After MCF (or RTP) to EOM: the receiver starts phase B again with DIS (T.30
            // 5.3.6.1.6), and the DCS for the next page answers it.
            awaitDis: {
              entry: 'resetTries',
              on: { DIS: { target: 'choose', actions: 'takeDis' } },
              after: { T1: { target: '#faxCall.disconnect', actions: { type: 'fail', params: { name: 'remote-no-response', detail: 'no DIS within T1 after EOM' } } } },
            },
            sendDcs: {
              entry: 'countTry',
              invoke: {
                src: 'sendDcsAndTcf',
                input: ({ context }) => ({
                  modem: context.modem,
                  frames: [...identFrame(context, 'TSI'), frame(context, 'DCS', true, encodeDcs(context.dcs!))],
                  rate: context.rate!,
                }),
                onDone: 'waitCfr',
                onError: { target: '#faxCall.released', actions: 'hungUp' },
              },
            },
            waitCfr: {
              after: {
                // T.30 5.4.3: a command without response is repeated, three times at most.
                T4: [
                  { guard: 'mayRepeat', target: 'sendDcs' },
                  { target: '#faxCall.disconnect', actions: { type: 'fail', params: { name: 'remote-no-response', detail: 'no response to DCS' } } },
                ],
              },
              on: {
                // The far end started to answer (V.21 flags): T4 again for the frame (T4A).
                'modem.control.carrier': { target: 'waitCfr', reenter: true },
                // DIS again: our DCS was not heard (T.30 5.3.6.2).
                DIS: [
                  { guard: 'mayRepeat', target: 'sendDcs' },
                  { target: '#faxCall.disconnect', actions: { type: 'fail', params: { name: 'remote-no-response', detail: 'DIS repeated, DCS not taken' } } },
                ],
              },
            },
          },
        },

        // Phase C (T.4; T.30 Annex A for ECM): the page.
        phaseC: {
          entry: { type: 'enterPhase', params: 'C' },
          initial: 'loadPage',
          states: {
            loadPage: {
              invoke: {
                src: 'loadPage',
                input: ({ context }) => ({ doc: context.send!, index: context.pages }),
                onDone: [
                  { guard: 'usesEcm', target: 'ecm', actions: 'pageLoaded' },
                  { target: 'nonEcm', actions: 'pageLoaded' },
                ],
                onError: { target: '#faxCall.disconnect', actions: { type: 'fail', params: { name: 'internal', detail: 'page could not be read' } } },
              },
            },
            nonEcm: {
              invoke: {
                src: 'sendNonEcmPage',
                input: ({ context }) => ({
                  modem: context.modem,
                  rate: context.rate!,
                  training: context.training,
                  data: nonEcmPageChunks(context.page!, pageCoding(context, context.send!), {
                    minScanLineMs: context.dcs!.minScanLineMs,
                    bitRate: context.rate!.bitRate,
                  }),
                }),
                onDone: '#tx.phaseD',
                onError: { target: '#faxCall.released', actions: 'hungUp' },
              },
            },
            ecm: {
              id: 'ecm',
              initial: 'sendFrames',
              states: {
                sendFrames: {
                  invoke: {
                    src: 'sendEcmFrames',
                    input: ({ context }) => ({
                      modem: context.modem,
                      rate: context.rate!,
                      training: context.training,
                      frames: ecmBurst(context.blocks[context.block] ?? [], context.framesToSend),
                    }),
                    onDone: 'endOfBlock',
                    onError: { target: '#faxCall.released', actions: 'hungUp' },
                  },
                },
                endOfBlock: {
                  initial: 'sendPps',
                  // Responses count only once our PPS (or RR) is out: a late one to a
                  // repeated PPS must not act on the next block.
                  on: {
                    // T.30 A.4: MCF, the partial page is complete; PPR: send the listed frames
                    // again, at the fourth change rate (CTC) or give up. Same after PPS or RR.
                    MCF: blockConfirmed,
                    PPR: framesMissing,
                    // RNR: the receiver is busy; poll it with RR under T5.
                    RNR: '#ecm.receiverNotReady',
                  },
                  states: {
                    sendPps: {
                      entry: 'countTry',
                      invoke: {
                        src: 'sendControl',
                        input: ({ context }) => ({
                          modem: context.modem,
                          frames: [
                            encodePps(
                              {
                                fcf2: context.block + 1 < context.blocks.length ? 'NULL' : postMessageFcf(context),
                                page: context.pages & 0xff,
                                block: context.block & 0xff,
                                frames: context.blocks[context.block]?.length ?? 1,
                              },
                              x(context),
                            ),
                          ],
                        }),
                        onDone: 'waitResponse',
                        onError: { target: '#faxCall.released', actions: 'hungUp' },
                      },
                    },
                    waitResponse: {
                      on: { 'modem.control.carrier': { target: 'waitResponse', reenter: true } },
                      after: {
                        T4: [
                          { guard: 'mayRepeat', target: 'sendPps' },
                          { target: '#faxCall.disconnect', actions: { type: 'fail', params: { name: 'remote-hangup', detail: 'no response to PPS in phase D' } } },
                        ],
                      },
                    },
                  },
                },
                sendCtc: {
                  entry: 'countTry',
                  on: { CTR: { target: 'sendFrames', actions: 'rateChanged' } },
                  invoke: {
                    src: 'sendControl',
                    input: ({ context }) => ({ modem: context.modem, frames: [encodeCtc(context.rate!, x(context))] }),
                    onDone: 'waitCtr',
                    onError: { target: '#faxCall.released', actions: 'hungUp' },
                  },
                },
                waitCtr: {
                  on: { CTR: { target: 'sendFrames', actions: 'rateChanged' }, 'modem.control.carrier': { target: 'waitCtr', reenter: true } },
                  after: {
                    T4: [
                      { guard: 'mayRepeat', target: 'sendCtc' },
                      { target: '#faxCall.disconnect', actions: { type: 'fail', params: { name: 'remote-hangup', detail: 'no response to CTC' } } },
                    ],
                  },
                },
                receiverNotReady: {
                  initial: 'sendRr',
                  after: { T5: { target: '#faxCall.disconnect', actions: { type: 'fail', params: { name: 'remote-no-response', detail: 'receiver not ready for T5' } } } },
                  // RR asks for the response the PPS was waiting for (T.30 A.4.2).
                  on: {
                    // T.30 A.4: MCF, the partial page is complete; PPR: send the listed frames
                    // again, at the fourth change rate (CTC) or give up. Same after PPS or RR.
                    MCF: blockConfirmed,
                    PPR: framesMissing,
                    // RNR: the receiver is busy; poll it with RR under T5.
                    RNR: '.sendRr',
                  },
                  states: {
                    sendRr: {
                      invoke: {
                        src: 'sendControl',
                        input: ({ context }) => ({ modem: context.modem, frames: [frame(context, 'RR')] }),
                        onDone: 'waitRr',
                        onError: { target: '#faxCall.released', actions: 'hungUp' },
                      },
                    },
                    waitRr: { after: { T4: 'sendRr' } },
                  },
                },
              },
            },
          },
        },

        // Phase D (T.30 5.3.6.1.6), non-ECM: post-message command, MCF/RTP/RTN.
        phaseD: {
          entry: { type: 'enterPhase', params: 'D' },
          initial: 'sendCommand',
          on: {
            MCF: [
              { guard: 'endOfMessage', target: 'phaseB.awaitDis', actions: 'pageConfirmed' },
              { guard: 'morePages', target: 'phaseC', actions: 'pageConfirmed' },
              { target: '#faxCall.disconnect', actions: ['pageConfirmed', 'succeed', { type: 'enterPhase', params: 'E' }] },
            ],
            // RTP: the page is taken, but the line needs retraining before the next.
            RTP: [
              { guard: 'endOfMessage', target: 'phaseB.awaitDis', actions: 'pageConfirmed' },
              { guard: 'morePages', target: 'phaseB.sendDcs', actions: ['pageConfirmed', 'resetTries'] },
              { target: '#faxCall.disconnect', actions: ['pageConfirmed', 'succeed', { type: 'enterPhase', params: 'E' }] },
            ],
            // RTN: the page is refused: retrain (one rate slower) and send it again.
            RTN: [
              { guard: 'mayResendPage', target: 'phaseB.sendDcs', actions: 'pageRejected' },
              { target: '#faxCall.disconnect', actions: { type: 'fail', params: ({ context: c }) => ({ name: 'page-rejected' as const, detail: `page ${c.pages + 1} refused ${c.pageRetries + 1} times` }) } },
            ],
          },
          states: {
            sendCommand: {
              entry: 'countTry',
              invoke: {
                src: 'sendControl',
                input: ({ context }) => ({ modem: context.modem, frames: [frame(context, postMessageFcf(context))] }),
                onDone: 'waitResponse',
                onError: { target: '#faxCall.released', actions: 'hungUp' },
              },
            },
            waitResponse: {
              on: { 'modem.control.carrier': { target: 'waitResponse', reenter: true } },
              after: {
                T4: [
                  { guard: 'mayRepeat', target: 'sendCommand' },
                  { target: '#faxCall.disconnect', actions: { type: 'fail', params: { name: 'remote-hangup', detail: 'no response to the post-message command in phase D' } } },
                ],
              },
            },
          },
        },
      },
    },

    // ================================ receiver (called terminal) ==============================
    receiver: {
      id: 'rx',
      initial: 'phaseA',
      on: {
        // Commands are taken in any phase: a repeated or early command must not be lost.
        DCS: { target: '.phaseB.checkTcf', actions: 'takeDcs' },
        MPS: { target: '.phaseD', actions: ['takePostMessage', 'receiverDone'] },
        EOP: { target: '.phaseD', actions: ['takePostMessage', 'receiverDone'] },
        EOM: { target: '.phaseD', actions: ['takePostMessage', 'receiverDone'] },
        PPS: { target: '.phaseD', actions: ['takePps', 'receiverDone'] },
        CTC: { target: '.phaseD', actions: 'takeCtc' },
        EOR: { target: '.phaseD', actions: ['takeEor', 'receiverDone'] },
        RR: { target: '.phaseD', actions: 'repeatResponse' },
        DCN: [
          { guard: 'documentComplete', target: '#faxCall.released', actions: ['succeed', { type: 'enterPhase', params: 'E' }] },
          { target: '#faxCall.released', actions: 'dcnReceived' },
        ],
      },
      states: {
        // Phase A: CED (T.30 5.1), then 75 ms before the first V.21 preamble.
        phaseA: {
          entry: { type: 'enterPhase', params: 'A' },
          invoke: {
            src: 'sendTone',
            input: ({ context }) => ({ modem: context.modem, tone: 'ced' as const, ms: 3000 }),
            onDone: 'phaseB',
            onError: { target: '#faxCall.released', actions: 'hungUp' },
          },
        },

        // Phase B: DIS every T4 until DCS, for T1 at most; TCF -> CFR or FTT.
        phaseB: {
          entry: { type: 'enterPhase', params: 'B' },
          initial: 'sendDis',
          after: { T1: { target: '#faxCall.disconnect', actions: { type: 'fail', params: { name: 'remote-no-response', detail: 'no DCS within T1' } } } },
          states: {
            sendDis: {
              invoke: {
                src: 'sendControl',
                input: ({ context }) => ({
                  modem: context.modem,
                  frames: [...identFrame(context, 'CSI'), encodeFrame({ fcf: 'DIS', final: true, fif: encodeDis(context.local) })],
                }),
                onDone: 'waitCommand',
                onError: { target: '#faxCall.released', actions: 'hungUp' },
              },
            },
            // DIS again after T4, unless the caller has started to talk (T.30 5.3.6.2).
            waitCommand: { on: { 'modem.control.carrier': { target: 'waitCommand', reenter: true } }, after: { T4: 'sendDis' } },
            checkTcf: {
              on: {
                'fast.end': [{ guard: 'tcfGood', target: 'sendCfr' }, { target: 'sendFtt' }],
              },
              // TCF never came (or its end was lost): judge what did come.
              after: { T2: [{ guard: 'tcfGood', target: 'sendCfr' }, { target: 'sendFtt' }] },
            },
            sendCfr: {
              entry: 'expectPage',
              invoke: {
                src: 'sendControl',
                input: ({ context }) => ({ modem: context.modem, frames: [frame(context, 'CFR')] }),
                onDone: '#rx.phaseC',
                onError: { target: '#faxCall.released', actions: 'hungUp' },
              },
            },
            sendFtt: {
              invoke: {
                src: 'sendControl',
                input: ({ context }) => ({ modem: context.modem, frames: [frame(context, 'FTT')] }),
                onDone: 'waitCommand',
                onError: { target: '#faxCall.released', actions: 'hungUp' },
              },
            },
          },
        },

        // Phase C: the page streams in (reception.ts, outside the machine); T2 without
        // hearing anything (no data, frame or carrier) means the sender is gone.
        phaseC: {
          entry: [{ type: 'enterPhase', params: 'C' }, 'listenFromNow'],
          initial: 'listening',
          states: {
            listening: {
              after: {
                WATCHDOG: [{ guard: 'farEndSilent', target: 'confirmSilence' }, { target: 'listening', reenter: true }],
              },
            },
            // Checked again a moment later: after a stalled event loop (a loaded host, a
            // scaled clock) timers run before the packets that arrived meanwhile.
            confirmSilence: {
              after: {
                GRACE: [
                  { guard: 'farEndSilent', target: '#faxCall.released', actions: { type: 'fail', params: { name: 'remote-hangup', detail: 'nothing heard for T2 in phase C' } } },
                  { target: 'listening' },
                ],
              },
            },
          },
        },

        // Phase D: the response decided by the command's action; then where it leads.
        phaseD: {
          entry: { type: 'enterPhase', params: 'D' },
          initial: 'respond',
          states: {
            respond: {
              invoke: {
                src: 'sendControl',
                input: ({ context }) => ({ modem: context.modem, frames: [context.rx.response ?? frame(context, 'MCF')] }),
                onDone: [
                  { guard: 'nextIsPage', target: '#rx.phaseC', actions: 'expectPage' },
                  { guard: 'nextIsDis', target: '#rx.phaseB' },
                  { target: 'awaitDcn' },
                ],
                onError: { target: '#faxCall.released', actions: 'hungUp' },
              },
            },
            // T.30 5.3.6.1.10: after MCF to EOP the transmitter sends DCN; the document is ours already.
            awaitDcn: { after: { T2: { target: '#faxCall.released', actions: ['succeed', { type: 'enterPhase', params: 'E' }] } } },
          },
        },
      },
    },

    // Phase E (T.30 5.3.6.1.10): DCN, then release. Failures pass here too.
    disconnect: {
      invoke: {
        src: 'sendControl',
        input: ({ context }) => ({ modem: context.modem, frames: [frame(context, 'DCN')] }),
        onDone: 'released',
        onError: 'released',
      },
      after: { T4: 'released' },
    },
    released: { type: 'final' },
  },
});

// ---- receiver helpers (called from actions) ------------------------------------------------

function resolutionOfDcs(c: FaxCallContext): FaxResolution {
  const r = c.dcs?.resolution;
  return r === 'fine' || r === 'standard' ? r : 'superfine';
}

function nextAfter(cmd: 'MPS' | 'EOP' | 'EOM', response: Uint8Array): 'phaseB' | 'phaseC' | 'awaitDcn' {
  const fcf = decodeFrame(response).fcf;
  if (fcf === 'RTN' || fcf === 'PPR') return 'phaseC';
  return cmd === 'MPS' ? 'phaseC' : cmd === 'EOP' ? 'awaitDcn' : 'phaseB';
}

function acceptBlock(c: FaxCallContext, frames: number, page: number, block: number, endOfPage: boolean): void {
  const rx = c.rx;
  rx.page ??= newPageAssembler(c);
  rx.page.pushHdlcOrder(rx.block.assemble(frames));
  rx.block.reset();
  rx.lastBlock = { page, block };
  if (endOfPage) {
    deliver(c, rx.page.finish());
    rx.page = undefined;
  }
}

function deliver(c: FaxCallContext, page: AssembledPage): void {
  const rx = c.rx;
  const index = c.pages;
  c.pages = index + 1;
  const sink = c.receive;
  if (sink === undefined) return;
  const dcs = c.dcs!;
  rx.deliveries = rx.deliveries.then(() =>
    sink
      .onPage({
        index,
        bitmap: page.bitmap,
        resolution: resolutionOfDcs(c),
        compression: dcs.compression,
        ecm: dcs.ecm,
        badLines: page.badLines,
        consecutiveBadLinesMax: page.consecutiveBadLinesMax,
      })
      .catch((err: unknown) => {
        rx.deliveryError ??= err;
      }),
  );
}
