import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAX_RESULTS, formatResult, outcome, resultForSipStatus } from '../../../../protocols/fax-results/index.ts';

test('success is code 0 and the only ok outcome; failures carry InterFAX codes', () => {
  assert.deepEqual(outcome('ok'), { ok: true, name: 'ok', code: 0, reason: 'OK', reasonJa: '完了' });
  for (const name of Object.keys(FAX_RESULTS) as (keyof typeof FAX_RESULTS)[]) {
    if (name === 'ok') continue;
    const o = outcome(name);
    assert.equal(o.ok, false, name);
    assert.ok(o.code > 0, `${name} has a positive code`);
    assert.ok(o.reasonJa.length > 0 && o.reason.length > 0);
  }
});

test('notification format as in the brochure: "6017 - 話中"; detail appended', () => {
  assert.equal(formatResult(outcome('busy'), 'ja'), '6017 - 話中');
  assert.equal(formatResult(outcome('ok'), 'ja'), '0 - 完了');
  assert.equal(outcome('remote-hangup', 'in phase C').reason, 'The remote fax machine hung up before receiving the fax: in phase C');
});

test('SIP final responses map to fax results', () => {
  const cases: [number, string][] = [
    [486, 'busy'],
    [600, 'busy'],
    [408, 'no-answer'],
    [480, 'no-answer'],
    [404, 'bad-number'],
    [484, 'bad-number'],
    [503, 'congestion'],
    [488, 't38-refused'],
    [606, 't38-refused'],
    [403, 'rejected'],
    [500, 'telephony'],
  ];
  assert.deepEqual(cases.map(([s]) => [s, resultForSipStatus(s)]), cases);
});
