/**
 * A mixed document between two faxgate engines over the loopback modem pair: pages that
 * differ in resolution and width go out as separate messages (EOM, DIS, new DCS), and each
 * arrives pixel-equal, at its own resolution and width.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../core/clock.ts';
import { runFaxCall, type FaxResolution, type PageFormat, type ReceivedPage } from '../../../actors/fax-call/index.ts';
import { decodeFrame, decodePps } from '../../../protocols/t30/index.ts';
import { firstDifference, type Bitmap } from '../../../protocols/t4/index.ts';
import { driveClock, loopbackModems } from '../../support/loopback-modem.ts';
import { textPage } from '../../support/pages.ts';

interface MixedPage {
  readonly bitmap: Bitmap;
  readonly format: Required<PageFormat>;
}

const ROWS: Record<FaxResolution, number> = { standard: 150, fine: 300, superfine: 600 };

function mixedPage(resolution: FaxResolution, width: 1728 | 2048 | 2432, seed: number): MixedPage {
  return { bitmap: textPage(width, ROWS[resolution], seed), format: { resolution, width } };
}

const DOCUMENT: readonly MixedPage[] = [
  mixedPage('fine', 1728, 1),
  mixedPage('fine', 1728, 2),
  mixedPage('standard', 1728, 3),
  mixedPage('superfine', 2048, 4),
  mixedPage('fine', 2432, 5),
];

for (const mode of [
  { ecm: true, compression: 'mmr' as const },
  { ecm: false, compression: 'mr' as const },
]) {
  test(`mixed resolutions and widths, ${mode.ecm ? 'ECM MMR' : 'non-ECM MR'}: EOM between messages, every page pixel-equal`, async () => {
    const clock = new ManualClock();
    const pair = loopbackModems(clock);
    const got: ReceivedPage[] = [];
    const tx = runFaxCall({
      modem: pair.a,
      clock,
      role: 'caller',
      ecm: mode.ecm,
      compressions: [mode.compression],
      send: {
        pageCount: DOCUMENT.length,
        resolution: DOCUMENT[0]!.format.resolution,
        page: async (i) => DOCUMENT[i]!.bitmap,
        pageFormat: (i) => DOCUMENT[i]!.format,
      },
    });
    const rx = runFaxCall({ modem: pair.b, clock, role: 'answerer', receive: { onPage: async (p) => void got.push(p) } });
    const { value } = await driveClock(clock, Promise.all([tx.result, rx.result]), 1_800_000, 50);
    const [t, r] = value;
    assert.equal(t.ok, true, t.reason);
    assert.equal(r.ok, true, r.reason);
    assert.equal(t.pages, DOCUMENT.length);
    assert.equal(r.pages, DOCUMENT.length);
    assert.equal(got.length, DOCUMENT.length);
    DOCUMENT.forEach((p, i) => {
      const page = got[i]!;
      assert.equal(page.resolution, p.format.resolution, `page ${i + 1} resolution`);
      assert.equal(page.bitmap.width, p.format.width, `page ${i + 1} width`);
      const d = firstDifference(page.bitmap, p.bitmap);
      assert.equal(d, undefined, `page ${i + 1}: ${d?.message ?? ''}`);
    });
    // One message per run of equal pages: fine x2 | standard | superfine B4 | fine A3.
    const heard = pair.b.received.flatMap((e) => {
      if (e.type !== 'modem.frame' || e.fast) return [];
      const f = decodeFrame(e.frame);
      if (f.fcf !== 'PPS') return f.fcf === 'DCS' || f.fcf === 'MPS' || f.fcf === 'EOM' || f.fcf === 'EOP' ? [f.fcf] : [];
      const fcf2 = decodePps(f).fcf2;
      return fcf2 === 'NULL' ? [] : [fcf2];
    });
    assert.deepEqual(heard, ['DCS', 'MPS', 'EOM', 'DCS', 'EOM', 'DCS', 'EOM', 'DCS', 'EOP']);
  });
}
