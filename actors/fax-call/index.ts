/**
 * The T.30 fax engine: one call, calling (sending) or answering (receiving), over any
 * FaxModem (T.38 now). `runFaxCall` starts the XState machine (machine.ts) on the given
 * clock and returns its result promise; the promise always resolves (never rejects), with
 * a result whose name is from protocols/fax-results.
 *
 *   const call = runFaxCall({ modem, clock, role: 'caller', send: { pageCount, page, resolution } });
 *   const result = await call.result;   // { ok, code, reason, pages, remoteCsid, ecm, bitRate, ... }
 *   call.abort();                       // ends the call with 'cancelled' (DCN first)
 *
 * The receiving side's `onPage` is awaited before the result resolves; if it throws, the
 * result is 'internal' with the error's message.
 */
import { createActor, type ActorRefFrom } from 'xstate';
import { outcome } from '../../protocols/fax-results/index.ts';
import { faxCallMachine } from './machine.ts';
import { takeEcmFrame, takeFastData } from './reception.ts';
import type { FaxCallOptions, FaxCallResult } from './types.ts';

export type * from './types.ts';
export { faxCallMachine, type FaxCallEvent, type T30FrameEvent } from './machine.ts';
export { DEFAULT_TIMEOUTS } from './context.ts';
export { TiffFileSink, tiffDocument } from './tiff-files.ts';

export type FaxCallActor = ActorRefFrom<typeof faxCallMachine>;

export interface FaxCall {
  readonly result: Promise<FaxCallResult>;
  /** The running machine, for inspection (snapshots, state values). */
  readonly actor: FaxCallActor;
  /** Ends the call with 'cancelled' (sends DCN first). */
  abort(): void;
  /**
   * The line is gone (a BYE from the far end): T.30 ends at once as a hang-up, without a DCN
   * to nobody; a document whose last page was confirmed before it is complete.
   */
  hangUp(detail: string): void;
}

export function runFaxCall(options: FaxCallOptions): FaxCall {
  const actor = createActor(faxCallMachine, { input: options, clock: options.clock });
  const result = new Promise<FaxCallResult>((resolve) => {
    let unsubscribeModem: (() => void) | undefined;
    let finished = false;
    const finish = (r: FaxCallResult): void => {
      if (finished) return;
      finished = true;
      unsubscribeModem?.();
      const rx = actor.getSnapshot().context.rx;
      void rx.deliveries.then(() => {
        if (rx.deliveryError === undefined) return resolve(r);
        const message = rx.deliveryError instanceof Error ? rx.deliveryError.message : String(rx.deliveryError);
        const o = outcome('internal', `page sink failed: ${message}`);
        resolve({ ...r, ok: false, code: o.code, reason: o.reason, reasonJa: o.reasonJa, name: o.name });
      });
    };
    let lastState = '';
    actor.subscribe({
      next: (snapshot) => {
        if (options.logger !== undefined) {
          const state = JSON.stringify(snapshot.value);
          if (state !== lastState) options.logger.debug('fax-call state', { state, phase: snapshot.context.phase });
          lastState = state;
        }
        if (snapshot.status === 'done') finish(snapshot.output);
      },
      error: (err) => {
        const c = actor.getSnapshot().context;
        const o = outcome('internal', err instanceof Error ? err.message : String(err));
        finish({
          ok: false, code: o.code, reason: o.reason, reasonJa: o.reasonJa, name: o.name,
          pages: c.pages, remoteCsid: c.remoteCsid, ecm: c.dcs?.ecm ?? false, bitRate: c.rate?.bitRate ?? 0,
          compression: c.dcs?.compression ?? 'none', resolution: 'none',
          durationMs: options.clock.now() - c.startedAt, phase: c.phase,
        });
      },
    });
    actor.start();
    if (!finished) {
      // The hot path (reception.ts): page data and ECM frames skip the machine.
      // The context object changes with every assign, so it is read per event.
      unsubscribeModem = options.modem.onEvent((event) => {
        const context = actor.getSnapshot().context;
        if (event.type === 'modem.fast.data') return takeFastData(context, event.data);
        if (event.type === 'modem.frame' && event.fast) return takeEcmFrame(context, event.frame, event.fcsOk);
        context.rx.lastHeardAt = options.clock.now();
        actor.send(event);
      });
    }
  });
  return {
    result,
    actor,
    abort: () => actor.send({ type: 'abort' }),
    hangUp: (detail) => actor.send({ type: 'modem.closed', reason: 'hangup', detail }),
  };
}
