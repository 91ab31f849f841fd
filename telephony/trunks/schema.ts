/**
 * SIP trunks and inbound numbers from config, in the declarative schema of
 * `core/config/schema.ts`: each trunk is resolved field by field (defaults, bounds, enums)
 * under the path `trunks[i].field`, then checked as a whole (unique names, register needs
 * credentials, CIDRs and prefixes that parse), so every wrong field gets its own line.
 *
 *   {
 *     "trunks": [{
 *       "name": "carrier-a", "host": "sip.carrier.example", "port": 5060, "transport": "udp",
 *       "username": "faxgate", "password": "...", "register": true, "registerExpires": 3600,
 *       "allowedSources": ["203.0.113.0/24"], "maxChannels": 30, "callsPerSecond": 5,
 *       "queue": { "size": 100, "waitMs": 30000 },
 *       "t38": { "policy": "audio-then-reinvite", "version": 0, "maxBitRate": 14400,
 *                "maxDatagram": 400, "errorCorrection": "redundancy", "redundancyDepth": 3 },
 *       "numberFormat": "national", "country": "JP", "prefixes": ["+81"], "priority": 10
 *     }],
 *     "dids": [{ "number": "03-6368-4001", "account": "acme", "mailbox": "main" }]
 *   }
 */
import { BlockList, isIP } from 'node:net';
import { resolve, type FieldError, type Schema, type Source } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/config/config.ts';
import { parseFaxNumber, FaxNumberError, countryInfo } from '../../protocols/fax-numbers/index.ts';

export const T38_POLICIES = ['offer-in-invite', 'audio-then-reinvite', 'wait-for-reinvite', 'never'] as const;
export type T38Policy = (typeof T38_POLICIES)[number];

export const trunkSchema = {
  name: { type: 'string', pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, doc: 'unique trunk name (logs, metrics, routes)' },
  host: { type: 'string', pattern: /^[A-Za-z0-9.:[\]-]+$/, doc: 'carrier SIP server or gateway: name or address' },
  port: { type: 'integer', min: 1, max: 65535, optional: true, doc: 'SIP port; default 5060, 5061 for tls' },
  transport: { type: 'string', default: 'udp', enum: ['udp', 'tcp', 'tls'], doc: 'SIP transport' },
  username: { type: 'string', optional: true, doc: 'digest user (401/407 challenges, REGISTER)' },
  password: { type: 'string', optional: true, doc: 'digest password' },
  realm: { type: 'string', optional: true, doc: 'expected digest realm; any when absent' },
  register: { type: 'boolean', default: false, doc: 'register to the trunk (otherwise IP authentication)' },
  registerExpires: { type: 'integer', default: 3600, min: 60, max: 86_400, doc: 'REGISTER expiry asked for, seconds' },
  allowedSources: { type: 'array', items: 'string', default: [], doc: 'addresses/CIDRs inbound calls from this trunk may come from (the host too)' },
  maxChannels: { type: 'integer', default: 30, min: 1, max: 100_000, doc: 'simultaneous calls, both directions' },
  callsPerSecond: { type: 'number', default: 10, min: 0.01, max: 10_000, doc: 'new outbound calls per second (token bucket)' },
  queue: {
    type: 'object',
    fields: {
      size: { type: 'integer', default: 100, min: 0, max: 100_000, doc: 'outbound attempts waiting for a channel; 0: refuse at once' },
      waitMs: { type: 'integer', default: 30_000, min: 0, max: 3_600_000, doc: 'longest wait before an attempt gives up as congestion' },
    },
  },
  t38: {
    type: 'object',
    fields: {
      policy: { type: 'string', default: 'audio-then-reinvite', enum: T38_POLICIES, doc: 'when T.38 is offered' },
      version: { type: 'integer', default: 0, min: 0, max: 3, doc: 'T38FaxVersion offered (most gear: 0)' },
      maxBitRate: { type: 'integer', default: 14_400, min: 2400, max: 33_600, doc: 'T38MaxBitRate' },
      maxDatagram: { type: 'integer', default: 400, min: 64, max: 1500, doc: 'T38FaxMaxDatagram offered' },
      errorCorrection: { type: 'string', default: 'redundancy', enum: ['redundancy', 'fec'], doc: 'T38FaxUdpEC' },
      redundancyDepth: { type: 'integer', default: 3, min: 0, max: 7, doc: 'secondary IFPs per UDPTL packet' },
    },
  },
  numberFormat: { type: 'string', default: 'e164', enum: ['e164', 'national'], doc: 'called number sent: +E.164 or as dialled in `country`' },
  country: { type: 'string', default: 'JP', pattern: /^[A-Za-z]{2}$/, doc: 'the trunk\'s country (national format, DIDs without +)' },
  prefixes: { type: 'array', items: 'string', default: [], doc: 'E.164 prefixes routed here (`+81`, `+8190`); `+` for everything' },
  priority: { type: 'integer', default: 100, min: 0, max: 1_000_000, doc: 'lower first among equal prefixes (fail-over order)' },
} as const satisfies Schema;

export const didSchema = {
  number: { type: 'string', doc: 'the DID as written (`03-6368-4001`, `+81363684001`)' },
  account: { type: 'string', pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, doc: 'account that owns the number' },
  mailbox: { type: 'string', default: 'main', pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, doc: 'mailbox receiving its faxes' },
  trunk: { type: 'string', optional: true, doc: 'accept this DID only from this trunk' },
} as const satisfies Schema;

export interface T38Settings {
  readonly policy: T38Policy;
  readonly version: number;
  readonly maxBitRate: number;
  readonly maxDatagram: number;
  readonly errorCorrection: 'redundancy' | 'fec';
  readonly redundancyDepth: number;
}

export interface Trunk {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly transport: 'udp' | 'tcp' | 'tls';
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly realm: string | undefined;
  readonly register: boolean;
  readonly registerExpires: number;
  /** Addresses and CIDRs, as configured. */
  readonly allowedSources: readonly string[];
  readonly maxChannels: number;
  readonly callsPerSecond: number;
  readonly queue: { readonly size: number; readonly waitMs: number };
  readonly t38: T38Settings;
  readonly numberFormat: 'e164' | 'national';
  readonly country: string;
  /** Digit prefixes of E.164 numbers without `+` ('' routes everything). */
  readonly prefixes: readonly string[];
  readonly priority: number;
}

export interface DidEntry {
  /** `+81363684001` */
  readonly e164: string;
  readonly account: string;
  readonly mailbox: string;
  readonly trunk: string | undefined;
}

export interface TrunkConfig {
  readonly trunks: readonly Trunk[];
  readonly dids: readonly DidEntry[];
}

type RawTrunk = Omit<Trunk, 'port' | 'prefixes'> & { port?: number; prefixes: readonly string[] };

/** Validates `{ trunks, dids }`; every problem is a FieldError (nothing thrown). */
export function resolveTrunkConfig(raw: { trunks?: unknown; dids?: unknown }, source: Source): { value: TrunkConfig; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const err = (path: string, message: string): void => void errors.push({ path, message, source });
  const trunks: Trunk[] = [];
  const list = raw.trunks ?? [];
  if (!Array.isArray(list)) err('trunks', `must be a list, got ${JSON.stringify(list)}`);
  else {
    list.forEach((item: unknown, i) => {
      const path = `trunks[${i}]`;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return err(path, `must be an object, got ${JSON.stringify(item)}`);
      const r = resolve<RawTrunk>(trunkSchema, [{ source, values: item as Record<string, unknown> }], `${path}.`);
      errors.push(...fromEntry(r.errors, source));
      if (r.errors.length > 0) return;
      const t = r.value;
      if (t.register && (t.username === undefined || t.password === undefined)) err(`${path}.register`, 'needs username and password');
      if (trunks.some((o) => o.name === t.name)) err(`${path}.name`, `duplicates another trunk's name ${JSON.stringify(t.name)}`);
      if (countryInfo(t.country) === undefined) err(`${path}.country`, `has no numbering rules in faxgate, got ${JSON.stringify(t.country)}`);
      t.allowedSources.forEach((s, j) => {
        if (parseCidr(s) === undefined) err(`${path}.allowedSources[${j}]`, `must be an IP address or CIDR, got ${JSON.stringify(s)}`);
      });
      const prefixes: string[] = [];
      t.prefixes.forEach((p, j) => {
        const digits = p.replace(/[\s-]/g, '');
        if (!/^\+?\d{0,15}$/.test(digits)) err(`${path}.prefixes[${j}]`, `must be an E.164 prefix like +81 or +8190, got ${JSON.stringify(p)}`);
        else prefixes.push(digits.replace(/^\+/, ''));
      });
      trunks.push({ ...t, country: t.country.toUpperCase(), port: t.port ?? (t.transport === 'tls' ? 5061 : 5060), prefixes });
    });
  }
  const dids: DidEntry[] = [];
  const didList = raw.dids ?? [];
  if (!Array.isArray(didList)) err('dids', `must be a list, got ${JSON.stringify(didList)}`);
  else {
    didList.forEach((item: unknown, i) => {
      const path = `dids[${i}]`;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return err(path, `must be an object, got ${JSON.stringify(item)}`);
      const r = resolve<{ number: string; account: string; mailbox: string; trunk?: string }>(didSchema, [{ source, values: item as Record<string, unknown> }], `${path}.`);
      errors.push(...fromEntry(r.errors, source));
      if (r.errors.length > 0) return;
      const d = r.value;
      const trunk = d.trunk === undefined ? undefined : trunks.find((t) => t.name === d.trunk);
      if (d.trunk !== undefined && trunk === undefined) err(`${path}.trunk`, `names no configured trunk, got ${JSON.stringify(d.trunk)}`);
      let e164: string;
      try {
        e164 = parseFaxNumber(d.number, { country: trunk?.country ?? 'JP' }).e164;
      } catch (e) {
        if (!(e instanceof FaxNumberError)) throw e;
        return err(`${path}.number`, `${e.message}`);
      }
      const clash = dids.find((o) => o.e164 === e164 && (o.trunk === undefined || d.trunk === undefined || o.trunk === d.trunk));
      if (clash !== undefined) return err(`${path}.number`, `${e164} is already routed to ${clash.account}/${clash.mailbox}`);
      dids.push({ e164, account: d.account, mailbox: d.mailbox, trunk: d.trunk });
    });
  }
  return { value: { trunks, dids }, errors };
}

/** A field missing from an entry is the entry's fault: name the file it came from, not "default". */
function fromEntry(errors: readonly FieldError[], source: Source): FieldError[] {
  return errors.map((e) => (e.source.kind === 'default' ? { ...e, source } : e));
}

/** As resolveTrunkConfig, throwing ConfigError (one line per field) when anything is wrong. */
export function loadTrunkConfig(raw: { trunks?: unknown; dids?: unknown }, source: Source = { kind: 'default' }): TrunkConfig {
  const r = resolveTrunkConfig(raw, source);
  if (r.errors.length > 0) throw new ConfigError(r.errors);
  return r.value;
}

/** `203.0.113.7`, `203.0.113.0/24`, `2001:db8::/32` -> address, family, prefix length. */
export function parseCidr(text: string): { address: string; family: 'ipv4' | 'ipv6'; prefix: number } | undefined {
  const [address, bits, extra] = text.trim().split('/');
  if (address === undefined || extra !== undefined) return undefined;
  const v = isIP(address);
  if (v === 0) return undefined;
  const max = v === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, family: v === 4 ? 'ipv4' : 'ipv6', prefix };
}

/** A matcher for a list of addresses/CIDRs (invalid entries were refused by validation). */
export function sourceMatcher(entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const e of entries) {
    const c = parseCidr(e);
    if (c !== undefined) list.addSubnet(c.address, c.prefix, c.family);
  }
  return (address) => {
    const v = isIP(address);
    if (v === 0) return false;
    // An IPv4 peer seen on a dual-stack socket arrives as ::ffff:a.b.c.d.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped !== null) return list.check(mapped[1] as string, 'ipv4');
    return list.check(address, v === 4 ? 'ipv4' : 'ipv6');
  };
}
