import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INDICATOR_TIMING, T30_INDICATORS, indicatorDelayMs, trainingIndicatorFor } from '../../../../protocols/t38/index.ts';

// What SpanDSP 0.0.6 returns from t38_core_send_training_delay() / t38_core_send_flags_delay()
// (microseconds), captured through libspandsp for every indicator.
const SPANDSP_US: Record<string, [number, number]> = {
  'no-signal': [75000, 0],
  cng: [0, 0],
  ced: [3000000, 0],
  'v21-preamble': [0, 1000000],
  'v27-2400-training': [943000, 200000],
  'v27-4800-training': [708000, 200000],
  'v29-7200-training': [234000, 200000],
  'v29-9600-training': [234000, 200000],
  'v17-7200-short-training': [142000, 200000],
  'v17-7200-long-training': [1393000, 200000],
  'v17-9600-short-training': [142000, 200000],
  'v17-9600-long-training': [1393000, 200000],
  'v17-12000-short-training': [142000, 200000],
  'v17-12000-long-training': [1393000, 200000],
  'v17-14400-short-training': [142000, 200000],
  'v17-14400-long-training': [1393000, 200000],
};

test('training and preamble times agree with SpanDSP 0.0.6', () => {
  for (const [name, [training, flags]] of Object.entries(SPANDSP_US)) {
    const t = INDICATOR_TIMING[name as keyof typeof INDICATOR_TIMING];
    assert.equal(t.trainingMs * 1000, training, name);
    assert.equal(t.preambleMs * 1000, flags, name);
  }
});

test('every indicator has a timing entry, and data modems name their data type and rate', () => {
  for (const name of T30_INDICATORS) {
    const t = INDICATOR_TIMING[name];
    assert.ok(t, name);
    if (t.dataType !== undefined && t.modem !== 'v34') assert.ok((t.bitRate ?? 0) >= 300, name);
  }
  assert.equal(INDICATOR_TIMING['v29-9600-training'].dataType, 'v29-9600');
  assert.equal(INDICATOR_TIMING['v17-12000-short-training'].bitRate, 12000);
});

test('pacing helpers', () => {
  assert.equal(indicatorDelayMs('v21-preamble'), 1000);
  assert.equal(indicatorDelayMs('v17-14400-long-training'), 1393 + 200);
  assert.equal(indicatorDelayMs('v17-14400-long-training', { tep: true }), 1393 + 200 + 215);
  assert.equal(trainingIndicatorFor('v17', 14400, 'short'), 'v17-14400-short-training');
  assert.equal(trainingIndicatorFor('v29', 7200), 'v29-7200-training');
  assert.equal(trainingIndicatorFor('v27ter', 9600), undefined);
});
