/**
 * The terminal's UDPTL writer must put the same octets on the wire as protocols/udptl's
 * UdptlSender (the reference encoder), for every redundancy depth and datagram limit.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UdptlSender, decodeUdptl } from '../../../../protocols/udptl/index.ts';
import { UdptlWriter } from '../../../../telephony/t38/udptl-writer.ts';
import { mulberry32 } from '../../../../telephony/t38/index.ts';

describe('UdptlWriter', () => {
  for (const depth of [0, 1, 3, 5, 15]) {
    for (const max of [60, 200, 400, 1500]) {
      it(`matches UdptlSender byte for byte (redundancy ${depth}, max datagram ${max})`, () => {
        const random = mulberry32(depth * 1000 + max);
        const start = Math.floor(random() * 65536);
        const reference = new UdptlSender({ errorCorrection: { mode: 'redundancy', depth }, startSeq: start, maxDatagramSize: max });
        const writer = new UdptlWriter({ mode: 'redundancy', depth }, start, max);
        for (let i = 0; i < 500; i++) {
          // Sizes from 1 octet (indicators) to past the 127-octet short length form.
          const n = 1 + Math.floor(random() ** 2 * 200);
          const ifp = Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
          const a = reference.next(ifp);
          const b = writer.next(ifp);
          assert.deepEqual(b, a, `datagram ${i}`);
          assert.equal(decodeUdptl(b).seq, (start + i) & 0xffff);
        }
      });
    }
  }

  it('falls back to the reference sender for parity FEC', () => {
    const reference = new UdptlSender({ errorCorrection: { mode: 'fec', span: 3, entries: 2 } });
    const writer = new UdptlWriter({ mode: 'fec', span: 3, entries: 2 }, 0, 1500);
    for (let i = 0; i < 40; i++) {
      const ifp = Uint8Array.of(0xc0, i, i + 1);
      assert.deepEqual(writer.next(ifp), reference.next(ifp));
    }
  });
});
