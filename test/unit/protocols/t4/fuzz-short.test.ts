/** A short run of the t4 fuzz target (test/fuzz/t4.fuzz.ts) in every test run. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatReport } from '../../../fuzz/harness.ts';
import { fuzzT4 } from '../../../fuzz/t4.fuzz.ts';

it('2000 fuzz inputs: only T4DecodeError, invariants hold, every input fast', () => {
  // A fixed seed keeps the normal test run reproducible; the long run varies it.
  const report = fuzzT4(2000, 20240601);
  assert.equal(report.findings.length, 0, formatReport(report));
  assert.equal(report.inputs, 2000);
});
