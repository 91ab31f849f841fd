/** The T.38 terminal for a negotiated session: the SDP's choices turned into terminal options. */
import type { Clock } from '../../core/clock.ts';
import { DEFAULT_T38_CAPABILITIES, type NegotiatedMedia, type T38Capabilities, type T38Session } from '../../protocols/sdp/index.ts';
import type { T38Version } from '../../protocols/t38/index.ts';
import type { UdptlErrorCorrection } from '../../protocols/udptl/index.ts';
import { T38Terminal } from '../t38/index.ts';
import type { T38Settings } from '../trunks/schema.ts';
import type { CallMedia } from './call-media.ts';

export type T38Negotiated = NonNullable<NegotiatedMedia['t38']>;

export type ModemRate = 14400 | 12000 | 9600 | 7200 | 4800 | 2400;

/** What we offer and accept on a trunk: faxgate's capabilities within the trunk's T.38 settings. */
export function t38CapabilitiesFor(t38: T38Settings): T38Capabilities {
  return { ...DEFAULT_T38_CAPABILITIES, maxVersion: t38.version, maxBitRate: t38.maxBitRate, maxDatagram: t38.maxDatagram, fec: t38.errorCorrection === 'fec' };
}

export interface T38ModemOptions {
  /** Secondary IFPs per UDPTL packet when redundancy was negotiated (default 3). */
  readonly redundancyDepth?: number;
}

/** Connects the call's UDPTL socket to the far end and puts a T.38 terminal on it. */
export function openT38Modem(media: CallMedia, t38: T38Negotiated, clock: Clock, options: T38ModemOptions = {}): T38Terminal {
  media.udptl.connectTo({ host: t38.remote.address, port: t38.remote.port });
  return new T38Terminal({
    transport: media.udptl,
    clock,
    version: Math.min(3, t38.session.version) as T38Version,
    rateManagement: t38.session.rateManagement,
    errorCorrection: errorCorrection(t38.session, options.redundancyDepth ?? 3),
    maxDatagramSize: t38.session.remoteMaxDatagram,
  });
}

export function errorCorrection(s: T38Session, depth: number): UdptlErrorCorrection {
  if (s.errorCorrection === 't38UDPFEC') return { mode: 'fec', span: 3, entries: 3 };
  if (s.errorCorrection === 't38UDPNoEC' || depth === 0) return { mode: 'none' };
  return { mode: 'redundancy', depth };
}

/** The highest V.17/V.29/V.27ter rate within the session's T38MaxBitRate. */
export function modemRate(bps: number): ModemRate {
  const rates = [14400, 12000, 9600, 7200, 4800, 2400] as const;
  return rates.find((r) => r <= bps) ?? 2400;
}
