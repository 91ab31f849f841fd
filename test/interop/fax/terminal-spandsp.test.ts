/**
 * The T.38 terminal alone against SpanDSP 0.0.6 (no T.30 engine): phase B driven by hand.
 * SpanDSP answers; our terminal must decode its CSI and DIS (IFP, UDPTL, bit order, FCS
 * verdicts), and SpanDSP must accept our TSI, DCS and TCF (V.21 timing, training time,
 * TCF zeros at the rate) by answering CFR. Then our DCN ends the call. Time runs 10x.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScaledClock } from '../../../core/clock.ts';
import type { ModemEvent } from '../../../telephony/fax-modem.ts';
import { T38Terminal } from '../../../telephony/t38/index.ts';
import { UdpTransport } from '../../../telephony/udp/udp-transport.ts';
import { chooseDcs, decodeDis, decodeFrame, decodeIdent, encodeDcs, encodeFrame, encodeIdent, type T30Frame } from '../../../protocols/t30/index.ts';
import { ensureSpandspHarness, pickFreeUdpPorts, runSpandsp } from '../../support/spandsp.ts';

const SCALE = 10;

describe('T.38 terminal against SpanDSP (phase B by hand)', { timeout: 120_000 }, () => {
  before(async () => {
    await ensureSpandspHarness();
  });

  for (const redundancy of [0, 3]) {
    it(`exchanges CSI/DIS, TSI/DCS, TCF and CFR, DCN (our redundancy ${redundancy})`, async () => {
      const [farPort, ourPort] = await pickFreeUdpPorts(2);
      assert.ok(farPort !== undefined && ourPort !== undefined);
      const far = runSpandsp('recv', { localPort: farPort, timeScale: SCALE, timeoutS: 60, csid: '+81 3 5555 0199', log: true, out: join(tmpdir(), `fg-discard-${process.pid}-${Date.now()}.tif`) });
      await far.ready;
      const clock = new ScaledClock(SCALE);
      const transport = await UdpTransport.open({ localPort: ourPort, remote: { host: '127.0.0.1', port: farPort } });
      const modem = new T38Terminal({ transport, clock, errorCorrection: redundancy > 0 ? { mode: 'redundancy', depth: redundancy } : { mode: 'none' } });
      const frames: T30Frame[] = [];
      const events: ModemEvent[] = [];
      let waiter: { fcf: string; resolve: (f: T30Frame) => void } | undefined;
      modem.onEvent((e) => {
        events.push(e);
        if (e.type !== 'modem.frame') return;
        assert.equal(e.fcsOk, true, 'SpanDSP frame arrived damaged on a clean loopback');
        const f = decodeFrame(e.frame);
        frames.push(f);
        if (waiter !== undefined && f.fcf === waiter.fcf) waiter.resolve(f);
      });
      const frame = (fcf: string, withinMs: number): Promise<T30Frame> => {
        const seen = frames.find((f) => f.fcf === fcf);
        if (seen) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`no ${fcf} from SpanDSP; events: ${events.map((e) => e.type).join(",")} stats ${JSON.stringify(modem.stats)}; frames: ${frames.map((f) => String(f.fcf)).join(",")}\n${far.stderr().slice(-3000)}`)), withinMs / SCALE);
          waiter = { fcf, resolve: (f) => (clearTimeout(t), resolve(f)) };
        });
      };
      try {
        await modem.sendSilence(100);
        await modem.sendTone('cng', 500);
        const dis = await frame('DIS', 15_000);
        const csi = frames.find((f) => f.fcf === 'CSI');
        assert.ok(csi, 'CSI before DIS');
        assert.equal(decodeIdent(csi.fif), '+81 3 5555 0199');
        const remote = decodeDis(dis.fif);
        assert.ok(remote.ecm && remote.t6, 'SpanDSP offers ECM and T.6');
        assert.ok(events.some((e) => e.type === 'modem.tone' && e.tone === 'ced'), 'CED seen');

        const params = chooseDcs(remote, remote, { ecm: false, compressions: ['mr', 'mh'] });
        assert.equal(params.rate?.bitRate, 14400);
        await modem.sendSilence(75);
        await modem.sendControl([
          encodeFrame({ fcf: 'TSI', x: true, final: false, fif: encodeIdent('faxgate e1') }),
          encodeFrame({ fcf: 'DCS', x: true, final: true, fif: encodeDcs(params) }),
        ]);
        await modem.sendSilence(75);
        await modem.sendTcf({ modem: 'v17', bitRate: 14400 }, 1500, 'long');
        await frame('CFR', 10_000);
        await modem.sendSilence(75);
        await modem.sendControl([encodeFrame({ fcf: 'DCN', x: true, final: true })]);
        const r = await far.result;
        assert.equal(r.remoteCsid, 'faxgate e1', 'SpanDSP decoded our TSI');
        assert.equal(r.pages, 0);
        assert.ok(r.realMs < 30_000);
        // SpanDSP logged our DCS and TCF as good: it answered CFR, not FTT.
        assert.ok(!frames.some((f) => f.fcf === 'FTT'));
      } finally {
        await modem.close();
        far.process.kill();
      }
    });
  }
});
