import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FaxNumberError,
  dialString,
  formatNational,
  formatNotification,
  parseFaxNumber,
  tryParseFaxNumber,
  type NumberClass,
  type NumberContext,
} from '../../../../protocols/fax-numbers/index.ts';

function e164(input: string, context?: NumberContext): string {
  return parseFaxNumber(input, context).e164;
}

function refused(input: string, code: string, context?: NumberContext): void {
  const r = tryParseFaxNumber(input, context);
  assert.equal(r.ok, false, `${input} should be refused`);
  if (!r.ok) {
    assert.equal(r.error.code, code, `${input}: ${r.error.message}`);
    assert.ok(r.error.messageJa.length > 0);
    assert.equal(r.error.result, 'bad-number');
  }
}

test('Tokyo number in every way people write it', () => {
  for (const input of [
    '03-1234-5678',
    '0312345678',
    '03 1234 5678',
    '(03) 1234-5678',
    '03.1234.5678',
    '+81 3 1234 5678',
    '+81-3-1234-5678',
    '+81 (0)3 1234 5678',
    '+81312345678',
    '81312345678',
    '０３－１２３４－５６７８', // full-width digits and hyphen
    '０３ー１２３４ー５６７８', // katakana long-vowel mark typed as a hyphen
    '03‐1234−5678', // U+2010 hyphen, U+2212 minus
    '＋８１３１２３４５６７８',
    '0081312345678', // the notification form (S14) pasted back
  ]) {
    assert.equal(e164(input), '+81312345678', input);
  }
});

test('Japanese number kinds and billing classes', () => {
  const cases: [string, string, string, NumberClass][] = [
    ['090-1234-5678', '+819012345678', 'mobile', 'mobile'],
    ['080-1234-5678', '+818012345678', 'mobile', 'mobile'],
    ['070-1234-5678', '+817012345678', 'mobile', 'mobile'],
    ['020-1234-5678', '+812012345678', 'mobile', 'mobile'],
    ['050-1234-5678', '+815012345678', 'ip-phone', 'domestic'],
    ['0120-123-456', '+81120123456', 'toll-free', 'toll-free'],
    ['0800-123-4567', '+818001234567', 'toll-free', 'toll-free'],
    ['0570-123-456', '+81570123456', 'special', 'special'],
    ['0990-123-456', '+81990123456', 'special', 'special'],
    ['06-6123-4567', '+81661234567', 'fixed', 'domestic'],
    ['045-123-4567', '+81451234567', 'fixed', 'domestic'],
    ['0467-12-3456', '+81467123456', 'fixed', 'domestic'],
    ['011-123-4567', '+81111234567', 'fixed', 'domestic'],
  ];
  for (const [input, expected, kind, cls] of cases) {
    const n = parseFaxNumber(input);
    assert.deepEqual([n.e164, n.kind, n.class], [expected, kind, cls], input);
  }
});

test('international: 010, carrier codes before 010, 00, +', () => {
  for (const input of ['010-1-212-555-1234', '0101 212 555 1234', '001-010-1-212-555-1234', '0033-010-1-212-555-1234', '0041 010 1 212 555 1234', '0061-010-1-2125551234', '+1 (212) 555-1234', '0012125551234']) {
    const n = parseFaxNumber(input);
    assert.deepEqual([n.e164, n.class, n.callingCode, n.nsn], ['+12125551234', 'international', '1', '2125551234'], input);
  }
  assert.equal(e164('010-44-20-7946-0000'), '+442079460000');
  assert.equal(e164('010 44 (0)20 7946 0000'), '+442079460000');
  assert.equal(e164('+852 2123 4567'), '+85221234567'); // 3-digit calling code
  assert.equal(e164('010-39-06-1234-5678'), '+390612345678'); // Italy keeps its 0
  // A Japanese mobile is international from a US account.
  const fromUs = parseFaxNumber('011 81 90 1234 5678', { country: 'US' });
  assert.deepEqual([fromUs.e164, fromUs.kind, fromUs.class], ['+819012345678', 'mobile', 'international']);
  assert.equal(parseFaxNumber('(212) 555-1234', { country: 'US' }).class, 'domestic');
  assert.equal(e164('1-212-555-1234', { country: 'US' }), '+12125551234');
  assert.equal(e164('020 7946 0000', { country: 'GB' }), '+442079460000');
  assert.equal(e164('00 81 3 1234 5678', { country: 'GB' }), '+81312345678');
});

test('local numbers are completed with the account area code', () => {
  assert.equal(e164('1234-5678', { areaCode: '03' }), '+81312345678');
  assert.equal(e164('5678-1234', { areaCode: '3' }), '+81356781234');
  assert.equal(e164('123-4567', { areaCode: '045' }), '+81451234567');
  assert.equal(e164('12-3456', { areaCode: '0467' }), '+81467123456');
  // Full numbers are unaffected by the area code.
  assert.equal(e164('06-6123-4567', { areaCode: '03' }), '+81661234567');
  assert.equal(e164('81312345678', { areaCode: '03' }), '+81312345678');
  refused('1234-5678', 'NUMBER_NEEDS_AREA_CODE');
  refused('123-4567', 'NUMBER_BAD_LENGTH', { areaCode: '03' }); // 7 digits after a 2-digit area code
  refused('0234-5678', 'NUMBER_BAD_LENGTH', { areaCode: '03' }); // starts 0: a national number, too short
  refused('1234-5678', 'NUMBER_BAD_CONTEXT', { areaCode: '090' }); // a mobile prefix is no area code
  refused('1234-5678', 'NUMBER_BAD_CONTEXT', { country: 'ZZ' });
});

test('invalid numbers get a typed error with English and Japanese text', () => {
  refused('', 'NUMBER_EMPTY');
  refused(' - ( ) ', 'NUMBER_EMPTY');
  refused('03-1234-567a', 'NUMBER_INVALID_CHARACTER');
  refused('03+12345678', 'NUMBER_INVALID_CHARACTER');
  refused('#8000', 'NUMBER_INVALID_CHARACTER');
  refused('110', 'NUMBER_SERVICE_CODE');
  refused('119', 'NUMBER_SERVICE_CODE');
  refused('03-1234-56789', 'NUMBER_BAD_LENGTH'); // 11 digits starting 03
  refused('090-1234-567', 'NUMBER_BAD_LENGTH'); // mobile a digit short
  refused('0120-123-4567', 'NUMBER_BAD_LENGTH'); // 0120 with 11 digits
  refused('+81 00 3 1234 5678', 'NUMBER_NOT_IN_PLAN'); // one trunk 0 is dropped, not two
  refused('+1 212 555 123', 'NUMBER_BAD_LENGTH');
  refused('+1 112 555 1234', 'NUMBER_NOT_IN_PLAN'); // NANP area codes start 2-9
  refused('+44 12', 'NUMBER_BAD_LENGTH');
  refused('+81 3 1234 5678 9012 3456', 'NUMBER_BAD_LENGTH');
  refused('+0 123 456', 'NUMBER_NOT_IN_PLAN');
  refused('123456789', 'NUMBER_NOT_IN_PLAN'); // 9 digits, no prefix, not 81...
  const r = tryParseFaxNumber('03-1234-567a');
  assert.ok(!r.ok && r.error instanceof FaxNumberError && /character:a/.test(r.error.message) && r.error.messageJa.startsWith('FAX番号'));
  assert.throws(() => parseFaxNumber('abc'), FaxNumberError);
});

test('formats: E.164, national, notification, what a trunk is sent', () => {
  const tokyo = parseFaxNumber('03-6368-4001');
  assert.equal(tokyo.e164, '+81363684001');
  assert.equal(formatNational(tokyo), '0363684001');
  assert.equal(formatNotification(tokyo), '0081363684001');
  assert.equal(dialString(tokyo, 'e164'), '+81363684001');
  assert.equal(dialString(tokyo, 'national'), '0363684001');
  assert.equal(dialString(tokyo, 'national', 'US'), '01181363684001');
  const ny = parseFaxNumber('+1 212 555 1234');
  assert.equal(formatNational(ny), '2125551234');
  assert.equal(formatNotification(ny), '0012125551234');
  assert.equal(dialString(ny, 'national'), '01012125551234');
  assert.equal(dialString(ny, 'national', 'US'), '12125551234');
  assert.equal(formatNational(parseFaxNumber('+44 20 7946 0000')), '02079460000');
  // Every format parses back to the same number.
  for (const n of [tokyo, ny, parseFaxNumber('0120-123-456'), parseFaxNumber('+44 20 7946 0000')]) {
    assert.equal(e164(formatNotification(n)), n.e164);
    assert.equal(e164(dialString(n, 'national')), n.e164);
    assert.equal(e164(n.e164), n.e164);
  }
});
