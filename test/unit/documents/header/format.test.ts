import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatHeader } from '../../../../plugins/documents/header/format.ts';
import type { HeaderValues } from '../../../../plugins/documents/header/types.ts';

// 2009-11-21 20:05:09 UTC is 2009-11-22 05:05:09 in Tokyo: the date differs by zone.
const values: HeaderValues = {
  to: '+81363684300',
  from: 'INTERFAX',
  pageNumber: 2,
  totalPages: 5,
  date: new Date(Date.UTC(2009, 10, 21, 20, 5, 9)),
};

describe('formatHeader', () => {
  it('formats the S8 example (account in Asia/Tokyo by default)', () => {
    assert.equal(
      formatHeader('宛先：{to} 送信者：{from} {dateyyyy年mm月dd日} Page: {pagenumber}/ {totalpages}', values),
      '宛先：+81363684300 送信者：INTERFAX 2009年11月22日 Page: 2/ 5',
    );
  });

  it('uses the account time zone for dates and times', () => {
    const t = '{dateyyyy/mm/dd} {timehh:mm:ss}';
    assert.equal(formatHeader(t, values), '2009/11/22 05:05:09');
    assert.equal(formatHeader(t, { ...values, timeZone: 'Asia/Tokyo' }), '2009/11/22 05:05:09');
    assert.equal(formatHeader(t, { ...values, timeZone: 'UTC' }), '2009/11/21 20:05:09');
    assert.equal(formatHeader(t, { ...values, timeZone: 'America/New_York' }), '2009/11/21 15:05:09');
  });

  it('knows the date and time patterns', () => {
    const cases: [string, string][] = [
      ['{dateyyyy/mm/dd}', '2009/11/22'],
      ['{dateyyyy-mm-dd}', '2009-11-22'],
      ['{datedd/mm/yyyy}', '22/11/2009'],
      ['{datemm/dd/yyyy}', '11/22/2009'],
      ['{dateyy.mm.dd}', '09.11.22'],
      ['{dateyyyy年mm月dd日}', '2009年11月22日'],
      ['{timehhmm}', '05:05'],
      ['{timehh:mm}', '05:05'],
      ['{timehh:mm:ss}', '05:05:09'],
      ['{timehhmmss}', '05:05:09'],
      ['{timehh時mm分}', '05時05分'],
    ];
    for (const [t, expected] of cases) assert.equal(formatHeader(t, values), expected, t);
  });

  it('uses the 24-hour clock, midnight as 00', () => {
    const midnight = { ...values, date: new Date(Date.UTC(2024, 0, 31, 15, 0, 0)) }; // 00:00 in Tokyo
    assert.equal(formatHeader('{dateyyyy-mm-dd} {timehhmm}', midnight), '2024-02-01 00:00');
    const afternoon = { ...values, date: new Date(Date.UTC(2024, 0, 31, 5, 7, 0)), timeZone: 'UTC' };
    assert.equal(formatHeader('{timehhmm}', afternoon), '05:07');
    assert.equal(formatHeader('{timehhmm}', { ...afternoon, date: new Date(Date.UTC(2024, 0, 31, 14, 5, 0)) }), '14:05');
  });

  it('is case-insensitive in placeholder names and keeps unknown braces and free text', () => {
    assert.equal(formatHeader('{TO} {From} {PageNumber}/{TOTALPAGES}', values), '+81363684300 INTERFAX 2/5');
    assert.equal(formatHeader('{nope} {date} {datexx} {} text { to }', values), '{nope} {date} {datexx} {} text { to }');
    assert.equal(formatHeader('', values), '');
  });

  it('refuses a time zone that does not exist', () => {
    assert.throws(() => formatHeader('{timehhmm}', { ...values, timeZone: 'Mars/Olympus' }), RangeError);
  });
});
