/**
 * Integration tier: the T.30 engine (actors/fax-call) on both ends, each over a T.38
 * terminal, joined by the in-memory link with loss, delay and jitter, on a ManualClock.
 * Every page must arrive pixel-equal; the run is exact and repeatable (seeded faults).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../core/clock.ts';
import { T38Terminal, createMemoryLink, type LinkFaults } from '../../../../telephony/t38/index.ts';
import { runFaxCall, type FaxCallResult, type FaxCompression } from '../../../../actors/fax-call/index.ts';
import { bitmapsEqual, type Bitmap } from '../../../../protocols/t4/index.ts';
import { textPage } from '../../../support/pages.ts';

interface Outcome {
  readonly sender: FaxCallResult;
  readonly receiver: FaxCallResult;
  readonly received: Bitmap[];
  readonly lossSeen: number;
}

async function call(pages: Bitmap[], options: { ecm: boolean; compressions: FaxCompression[]; faults?: LinkFaults }): Promise<Outcome> {
  const clock = new ManualClock();
  const link = createMemoryLink(clock, options.faults ?? { delayMs: 5 });
  const a = new T38Terminal({ transport: link.a, clock });
  const b = new T38Terminal({ transport: link.b, clock });
  const received: Bitmap[] = [];
  const sender = runFaxCall({
    modem: a,
    clock,
    role: 'caller',
    ecm: options.ecm,
    compressions: options.compressions,
    localIdent: 'caller',
    send: { pageCount: pages.length, resolution: 'standard', page: async (i) => pages[i] as Bitmap },
  });
  const receiver = runFaxCall({
    modem: b,
    clock,
    role: 'answerer',
    ecm: options.ecm,
    compressions: options.compressions,
    localIdent: 'answerer',
    receive: { onPage: async (p) => void received.push(p.bitmap) },
  });
  let done = false;
  const both = Promise.all([sender.result, receiver.result]).finally(() => (done = true));
  for (let t = 0; t < 400_000 && !done; t += 20) await clock.advanceAsync(20);
  assert.ok(done, 'the call did not end in 400 s of simulated time');
  const [s, r] = await both;
  await Promise.all([a.close(), b.close()]);
  return { sender: s, receiver: r, received, lossSeen: link.stats.dropped };
}

function assertDelivered(o: Outcome, pages: Bitmap[], ecm: boolean, compression: FaxCompression): void {
  const why = JSON.stringify({ sender: o.sender, receiver: o.receiver });
  assert.equal(o.sender.ok, true, why);
  assert.equal(o.receiver.ok, true, why);
  assert.equal(o.sender.pages, pages.length);
  assert.equal(o.receiver.pages, pages.length);
  assert.equal(o.sender.ecm, ecm);
  assert.equal(o.sender.compression, compression);
  assert.equal(o.received.length, pages.length);
  pages.forEach((p, i) => assert.ok(bitmapsEqual(p, o.received[i] as Bitmap), `page ${i + 1} differs`));
}

describe('fax call over two T.38 terminals (in memory, simulated time)', () => {
  const pages = [textPage(1728, 500, 1), textPage(1728, 500, 2)];

  it('ECM, MR, clean link', async () => {
    assertDelivered(await call(pages, { ecm: true, compressions: ['mh', 'mr'] }), pages, true, 'mr');
  });

  it('ECM, MMR, 5% loss with jitter (redundancy 3 repairs it)', async () => {
    const o = await call(pages, { ecm: true, compressions: ['mh', 'mr', 'mmr'], faults: { loss: 0.05, delayMs: 10, jitterMs: 30, seed: 9 } });
    assert.ok(o.lossSeen > 20, `only ${o.lossSeen} datagrams dropped`);
    assertDelivered(o, pages, true, 'mmr');
  });

  it('non-ECM, MH, 5% loss with jitter', async () => {
    const o = await call(pages, { ecm: false, compressions: ['mh'], faults: { loss: 0.05, delayMs: 10, jitterMs: 30, seed: 4 } });
    assert.ok(o.lossSeen > 20, `only ${o.lossSeen} datagrams dropped`);
    assertDelivered(o, pages, false, 'mh');
  });
});
