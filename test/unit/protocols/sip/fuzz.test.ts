import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzzSip } from '../../../fuzz/sip.fuzz.ts';

test('fuzz: SIP and SDP parsers raise only their typed errors and write back stably (short run)', () => {
  const report = fuzzSip(1500, 7);
  assert.equal(report.iterations, 1500);
  // Mutations must also reach the success paths, or the run proves little.
  for (const k of ['message', 'via', 'nameaddr', 'uri', 'challenge', 'sdp', 'answer']) assert.ok((report.parsed[k] ?? 0) >= 20, `${k}: ${report.parsed[k]}`);
});
