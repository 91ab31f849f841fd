import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzT38 } from '../../../fuzz/t38.fuzz.ts';

test('fuzz: IFP, UDPTL, HDLC, DIS/DCS and ECM decoders raise only their typed errors (short run)', () => {
  const report = fuzzT38(1500, 42);
  assert.equal(report.iterations, 1500);
  // The mutations must reach the decoders' success paths too, or the run proves little.
  for (const k of ['ifp', 'udptl', 'frame', 'dis', 'dcs']) assert.ok((report.decoded[k] ?? 0) >= 10, `${k}: ${report.decoded[k]}`);
});
