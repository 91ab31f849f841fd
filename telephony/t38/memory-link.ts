/**
 * Two DatagramTransports joined in memory, with the faults a real IP path has: loss (random,
 * reproducible from a seed), delay with jitter (which reorders), and a cut (the far end
 * vanishing). Delivery runs on the injected clock, so tests on a ManualClock are exact.
 */
import type { Clock } from '../../core/clock.ts';
import type { DatagramTransport } from './transport.ts';

export interface LinkFaults {
  /** Probability (0..1) that a datagram is dropped. */
  readonly loss?: number;
  /** Fixed one-way delay in ms. */
  readonly delayMs?: number;
  /** Extra random delay, uniform in [0, jitterMs): datagrams can overtake each other. */
  readonly jitterMs?: number;
  readonly seed?: number;
}

export interface MemoryLink {
  readonly a: DatagramTransport;
  readonly b: DatagramTransport;
  /** Changes the faults from now on (per direction: a->b, b->a). */
  setFaults(faults: LinkFaults, direction?: 'a->b' | 'b->a' | 'both'): void;
  /** Stops all delivery both ways, as if the far end's network vanished. */
  cut(): void;
  readonly stats: { sent: number; dropped: number; delivered: number };
}

export function createMemoryLink(clock: Clock, faults: LinkFaults = {}): MemoryLink {
  const stats = { sent: 0, dropped: 0, delivered: 0 };
  let cut = false;
  const faultsOf = { 'a->b': faults, 'b->a': faults };
  const random = mulberry32(faults.seed ?? 1);

  class End implements DatagramTransport {
    listener: ((d: Uint8Array) => void) | undefined;
    closed = false;
    peer: End | undefined;
    constructor(readonly dir: 'a->b' | 'b->a') {}
    send(datagram: Uint8Array): void {
      if (this.closed || cut) return;
      stats.sent++;
      const f = faultsOf[this.dir];
      if ((f.loss ?? 0) > 0 && random() < (f.loss ?? 0)) {
        stats.dropped++;
        return;
      }
      const copy = datagram.slice();
      const delay = (f.delayMs ?? 0) + (f.jitterMs !== undefined ? random() * f.jitterMs : 0);
      const peer = this.peer;
      clock.setTimeout(() => {
        if (cut || peer === undefined || peer.closed) return;
        stats.delivered++;
        peer.listener?.(copy);
      }, delay);
    }
    onDatagram(listener: (d: Uint8Array) => void): void {
      this.listener = listener;
    }
    async close(): Promise<void> {
      this.closed = true;
    }
  }
  const a = new End('a->b');
  const b = new End('b->a');
  a.peer = b;
  b.peer = a;
  return {
    a,
    b,
    stats,
    setFaults(f, direction = 'both') {
      if (direction !== 'b->a') faultsOf['a->b'] = f;
      if (direction !== 'a->b') faultsOf['b->a'] = f;
    },
    cut() {
      cut = true;
    },
  };
}

/** mulberry32: small and seeded, so a lossy run is the same run every time. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
