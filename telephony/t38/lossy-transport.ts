/**
 * Drops a share of outgoing datagrams, reproducibly from a seed: the `--loss` test option of
 * `faxgate t38`, so a real peer (SpanDSP) can be shown to survive a lossy path.
 */
import { mulberry32 } from './memory-link.ts';
import type { DatagramTransport } from './transport.ts';

export function withSendLoss(inner: DatagramTransport, lossPercent: number, seed = 1): DatagramTransport & { readonly dropped: number } {
  const random = mulberry32(seed);
  const p = Math.min(100, Math.max(0, lossPercent)) / 100;
  let dropped = 0;
  return {
    send(datagram) {
      if (p > 0 && random() < p) {
        dropped++;
        return;
      }
      inner.send(datagram);
    },
    onDatagram: (l) => inner.onDatagram(l),
    close: () => inner.close(),
    get dropped() {
      return dropped;
    },
  };
}
