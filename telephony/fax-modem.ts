import type { ModemRate } from '../protocols/t30/index.ts';

/**
 * What the T.30 engine (actors/fax-call) needs from whatever carries fax signals: T.38 now
 * (telephony/t38), audio modems later (a plugin). It is T.30's own view of a fax modem:
 * V.21 HDLC for control frames, a fast modem (V.27ter/V.29/V.17) for TCF, non-ECM page data
 * and ECM frames, tones, and silence. Over T.38 each method becomes indicators and data
 * IFPs paced as the modem would take on a line; each event comes from received IFPs.
 *
 * Octets: control and ECM frames are passed in HDLC octet order as protocols/t30 encodes
 * them (address, control, FCF, FIF; no FCS: the carrier checks it and reports `fcsOk`).
 * Non-ECM image and TCF data are passed in transmission order, first bit in the most
 * significant position (the order our T.4 codec writes with FillOrder 1).
 */
export type Tone = 'cng' | 'ced';
export type Training = 'long' | 'short';

/** Signals from the far end, delivered to the engine as events (named like XState events). */
export type ModemEvent =
  /** A tone indicator: the far end is a fax terminal calling (CNG) or answering (CED). */
  | { readonly type: 'modem.tone'; readonly tone: Tone }
  /** The far end started V.21 (preamble flags): control frames follow. */
  | { readonly type: 'modem.control.carrier' }
  /** One HDLC frame: a control frame over V.21 (`fast` false) or an ECM frame over the fast modem. */
  | { readonly type: 'modem.frame'; readonly frame: Uint8Array; readonly fcsOk: boolean; readonly fast: boolean }
  /** The far end started its fast modem (a training indicator). */
  | { readonly type: 'modem.fast.carrier'; readonly rate: ModemRate; readonly training: Training }
  /** Non-ECM image or TCF data, in arrival order. */
  | { readonly type: 'modem.fast.data'; readonly data: Uint8Array }
  /** The far end's carrier ended (a sig-end), control (`fast` false) or fast. */
  | { readonly type: 'modem.carrier.end'; readonly fast: boolean }
  /** The far end went quiet (no-signal). */
  | { readonly type: 'modem.silence' }
  /** The carrier is gone for good: the transport closed or nothing arrived for too long. */
  | { readonly type: 'modem.closed'; readonly reason: 'hangup' | 'idle-timeout' | 'error'; readonly detail?: string };

export interface FaxModemStats {
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly packetsLost: number;
  readonly packetsRecovered: number;
}

export interface FaxModem {
  /** Subscribes the engine to far-end signals; returns the unsubscribe function. */
  onEvent(listener: (event: ModemEvent) => void): () => void;
  /** A tone for `ms` (CNG bursts are the caller's, CED the answerer's). */
  sendTone(tone: Tone, ms: number): Promise<void>;
  /** V.21 preamble, the frames (the last one is the final frame of the sequence), carrier off. */
  sendControl(frames: readonly Uint8Array[]): Promise<void>;
  /** Fast modem training, then `ms` of zeros (the training check), carrier off. */
  sendTcf(rate: ModemRate, ms: number, training: Training): Promise<void>;
  /** Fast modem training, then non-ECM page data as it is produced, carrier off. */
  sendPage(rate: ModemRate, data: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, training: Training): Promise<void>;
  /** Fast modem training, ECM frames (FCD..., RCP), carrier off. */
  sendEcmFrames(rate: ModemRate, frames: readonly Uint8Array[], training: Training): Promise<void>;
  /** Nothing for `ms` (sends no-signal first). */
  sendSilence(ms: number): Promise<void>;
  readonly stats: FaxModemStats;
  /** Stops sending and receiving; pending sends reject. */
  close(): Promise<void>;
}
