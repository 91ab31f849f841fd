import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../../core/config/config.ts';
import { parseFaxNumber } from '../../../../protocols/fax-numbers/index.ts';
import { InboundRouter, OutboundRouter, calledUser, didE164, judgeAttempt, loadTrunkConfig, resolveTrunkConfig, type Trunk } from '../../../../telephony/trunks/index.ts';

const file = { kind: 'file', path: '/etc/faxgate.json' } as const;

const CONFIG = {
  trunks: [
    { name: 'jp-main', host: '203.0.113.10', prefixes: ['+81'], priority: 10, numberFormat: 'national', t38: { policy: 'offer-in-invite' }, allowedSources: ['198.51.100.0/24'] },
    { name: 'jp-backup', host: 'sip.backup.example', transport: 'tls', prefixes: ['+81'], priority: 20, username: 'fg', password: 'pw', register: true },
    { name: 'jp-mobile', host: '203.0.113.20', prefixes: ['+8190', '+8180', '+8170'], priority: 50 },
    { name: 'world', host: '2001:db8::5', prefixes: ['+'], priority: 100, maxChannels: 4, callsPerSecond: 0.5 },
    { name: 'us', host: '192.0.2.1', prefixes: ['+1'], country: 'US', numberFormat: 'national' },
  ],
  dids: [
    { number: '03-6368-4001', account: 'acme', mailbox: 'main' },
    { number: '+81 3 6368 4002', account: 'acme', mailbox: 'sales' },
    { number: '0120-123-456', account: 'beta' },
    { number: '050-1111-2222', account: 'gamma', trunk: 'jp-main' },
  ],
};

test('trunk config: defaults filled in, normalized, typed', () => {
  const c = loadTrunkConfig(CONFIG, file);
  const main = c.trunks[0] as Trunk;
  assert.equal(main.port, 5060);
  assert.equal(main.transport, 'udp');
  assert.deepEqual(main.t38, { policy: 'offer-in-invite', version: 0, maxBitRate: 14_400, maxDatagram: 400, errorCorrection: 'redundancy', redundancyDepth: 3 });
  assert.deepEqual(main.prefixes, ['81']);
  assert.deepEqual(main.queue, { size: 100, waitMs: 30_000 });
  assert.equal(c.trunks[1]?.port, 5061); // tls
  assert.equal(c.trunks[3]?.callsPerSecond, 0.5);
  assert.deepEqual(c.dids.map((d) => [d.e164, d.account, d.mailbox]), [
    ['+81363684001', 'acme', 'main'],
    ['+81363684002', 'acme', 'sales'],
    ['+81120123456', 'beta', 'main'],
    ['+815011112222', 'gamma', 'main'],
  ]);
});

test('trunk config: one error per wrong field, with its path and source', () => {
  const r = resolveTrunkConfig({
    trunks: [
      { name: 'a', host: 'h', port: 70000, transport: 'sctp', t38: { policy: 'sometimes', redundancyDepth: 9 }, prefixes: ['+81x'], allowedSources: ['10.0.0.0/33', 'nope'], colour: 'red' },
      { name: 'a', host: 'h2', register: true },
      { host: 'h3' },
      'not an object',
    ],
    dids: [{ number: '03-1234', account: 'x' }, { number: '03-6368-4001', account: 'y', trunk: 'zz' }, { number: '03-6368-4001', account: 'y' }, { number: '+81363684001', account: 'z' }],
  }, file);
  const lines = r.errors.map((e) => `${e.path}: ${e.message}`);
  const expectPath = (path: string, re: RegExp): void => assert.ok(lines.some((l) => l.startsWith(`${path}:`) && re.test(l)), `${path} ${re} in\n${lines.join('\n')}`);
  expectPath('trunks[0].port', /from 1 to 65535/);
  expectPath('trunks[0].transport', /one of udp, tcp, tls/);
  expectPath('trunks[0].t38.policy', /offer-in-invite/);
  expectPath('trunks[0].t38.redundancyDepth', /from 0 to 7/);
  expectPath('trunks[0].colour', /not a known setting/);
  expectPath('trunks[1].register', /needs username and password/);
  expectPath('trunks[2].name', /required/);
  expectPath('trunks[3]', /must be an object/);
  expectPath('dids[0].number', /digits|plan/);
  expectPath('dids[1].trunk', /no configured trunk/);
  expectPath('dids[3].number', /already routed to y\/main/);
  assert.ok(r.errors.every((e) => e.source === file));
  // Field-level checks that need the fields valid first.
  const r2 = resolveTrunkConfig({ trunks: [{ name: 'b', host: 'h', prefixes: ['+81x'], allowedSources: ['10.0.0.0/33', 'nope', '10.1.0.0/16'] }, { name: 'b', host: 'h' }] }, file);
  assert.deepEqual(r2.errors.map((e) => e.path), ['trunks[0].allowedSources[0]', 'trunks[0].allowedSources[1]', 'trunks[0].prefixes[0]', 'trunks[1].name']);
  assert.throws(() => loadTrunkConfig({ trunks: [{ name: 'x' }] }, file), (e: unknown) => e instanceof ConfigError && /trunks\[0\]\.host: is required \(from \/etc\/faxgate\.json\)/.test(e.message));
});

test('outbound: longest prefix, then priority; numbers sent in the trunk format', () => {
  const c = loadTrunkConfig(CONFIG, file);
  const router = new OutboundRouter(c.trunks);
  const names = (n: string): string[] => router.routeCandidates(parseFaxNumber(n)).map((t) => t.name);
  assert.deepEqual(names('090-1234-5678'), ['jp-mobile', 'jp-main', 'jp-backup', 'world']);
  assert.deepEqual(names('03-6368-4001'), ['jp-main', 'jp-backup', 'world']);
  assert.deepEqual(names('+1 212 555 1234'), ['us', 'world']);
  assert.deepEqual(names('+44 20 7946 0000'), ['world']);
  assert.deepEqual(new OutboundRouter(c.trunks.slice(0, 3)).routeCandidates('+442079460000'), []);
  const tokyo = parseFaxNumber('03-6368-4001');
  const ny = parseFaxNumber('+1 212 555 1234');
  assert.equal(calledUser(c.trunks[0] as Trunk, tokyo), '0363684001');
  assert.equal(calledUser(c.trunks[1] as Trunk, tokyo), '+81363684001');
  assert.equal(calledUser(c.trunks[0] as Trunk, ny), '01012125551234');
  assert.equal(calledUser(c.trunks[4] as Trunk, ny), '12125551234');
});

test('outbound: which outcomes fail over to the next trunk', () => {
  const cases: [Parameters<typeof judgeAttempt>[0], string, boolean][] = [
    [{ kind: 'status', status: 200 }, 'ok', false],
    [{ kind: 'status', status: 503 }, 'congestion', true],
    [{ kind: 'status', status: 502 }, 'no-route', true],
    [{ kind: 'status', status: 500 }, 'telephony', true],
    [{ kind: 'status', status: 486 }, 'busy', false],
    [{ kind: 'status', status: 600 }, 'busy', false],
    [{ kind: 'status', status: 480 }, 'no-answer', false],
    [{ kind: 'status', status: 404 }, 'bad-number', false],
    [{ kind: 'status', status: 484 }, 'bad-number', false],
    [{ kind: 'status', status: 488 }, 't38-refused', false],
    [{ kind: 'timeout' }, 'no-route', true],
    [{ kind: 'unreachable' }, 'no-route', true],
    [{ kind: 'congestion' }, 'congestion', true],
  ];
  for (const [outcome, result, failover] of cases) assert.deepEqual(judgeAttempt(outcome), { result, failover }, JSON.stringify(outcome));
});

test('inbound: source address to trunk, then Request-URI, To, Diversion to a mailbox', () => {
  const c = loadTrunkConfig(CONFIG, file);
  const router = new InboundRouter(c.trunks, c.dids, { 'jp-backup': ['192.0.2.50'] });
  assert.equal(router.trunkForSource('198.51.100.77')?.name, 'jp-main'); // allowedSources CIDR
  assert.equal(router.trunkForSource('203.0.113.10')?.name, 'jp-main'); // the host itself
  assert.equal(router.trunkForSource('::ffff:203.0.113.10')?.name, 'jp-main');
  assert.equal(router.trunkForSource('192.0.2.50')?.name, 'jp-backup'); // resolved host name
  assert.equal(router.trunkForSource('2001:db8::5')?.name, 'world');
  assert.equal(router.trunkForSource('203.0.113.11'), undefined);

  const from = '198.51.100.1';
  const route = (requestUriUser: string | undefined, toUser?: string, diversionUsers?: string[], sourceAddress = from): string => {
    const r = router.route({ sourceAddress, requestUriUser, toUser, ...(diversionUsers ? { diversionUsers } : {}) });
    return r.ok ? `${r.trunk.name} ${r.did.account}/${r.did.mailbox} by ${r.matchedBy}` : `${r.sipStatus} ${r.code}`;
  };
  assert.equal(route('+81363684001'), 'jp-main acme/main by request-uri');
  assert.equal(route('81363684002;npdi'), 'jp-main acme/sales by request-uri');
  assert.equal(route('0363684001'), 'jp-main acme/main by request-uri');
  assert.equal(route('363684001'), 'jp-main acme/main by request-uri'); // bare NSN
  assert.equal(route('faxgate-trunk', '0120123456'), 'jp-main beta/main by to');
  assert.equal(route('0399999999', '0399999998', ['03-6368-4002']), 'jp-main acme/sales by diversion');
  assert.equal(route('0399999999', '0399999998'), '404 INBOUND_UNKNOWN_DID');
  assert.equal(route('05011112222'), 'jp-main gamma/main by request-uri');
  // A DID bound to jp-main is not reachable through another trunk.
  assert.equal(route('05011112222', undefined, undefined, '192.0.2.50'), '404 INBOUND_UNKNOWN_DID');
  assert.equal(route('0363684001', undefined, undefined, '10.9.9.9'), '403 INBOUND_UNKNOWN_SOURCE');
  assert.equal(didE164('+81-3-6368-4001;phone-context=+81', 'JP'), '+81363684001');
  assert.equal(didE164('anonymous', 'JP'), undefined);
});
