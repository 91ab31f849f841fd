/**
 * The `sip` plugin's config section (`pluginConfig.sip` in faxgate.json):
 *
 *   "pluginConfig": { "sip": {
 *     "host": "0.0.0.0", "port": 5060, "tcp": true, "advertise": "203.0.113.7",
 *     "tls": { "port": 5061, "cert": "/etc/faxgate/sip.pem", "key": "/etc/faxgate/sip.key" },
 *     "mediaPorts": { "min": 40000, "max": 40999 }, "csid": "+81 3 6368 4001",
 *     "trunks": [ ...telephony/trunks/schema.ts... ], "dids": [ ... ]
 *   } }
 *
 * The listening fields can be set from the environment too (FAXGATE_SIP_PORT, ...): tests and
 * containers move ports without a file.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Schema } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/config/config.ts';
import { firstExternalIPv4 } from '../../telephony/gateway/index.ts';
import { resolveTrunkConfig, type TrunkConfig } from '../../telephony/trunks/schema.ts';

export const sipConfigSchema = {
  enabled: { type: 'boolean', default: true, env: 'FAXGATE_SIP', doc: 'listen for SIP calls' },
  host: { type: 'string', default: '0.0.0.0', env: 'FAXGATE_SIP_HOST', doc: 'address the SIP and media sockets bind to' },
  port: { type: 'integer', default: 5060, min: 0, max: 65535, env: 'FAXGATE_SIP_PORT', doc: 'SIP port, UDP and TCP (0: any free port)' },
  tcp: { type: 'boolean', default: true, env: 'FAXGATE_SIP_TCP', doc: 'listen on TCP as well as UDP' },
  advertise: { type: 'string', optional: true, env: 'FAXGATE_SIP_ADVERTISE', doc: 'address written in Via/Contact/SDP (default: host, or the first external IPv4 address when host is 0.0.0.0)' },
  tls: {
    type: 'object',
    fields: {
      port: { type: 'integer', default: 5061, min: 0, max: 65535, env: 'FAXGATE_SIP_TLS_PORT', doc: 'SIP over TLS port' },
      cert: { type: 'string', optional: true, env: 'FAXGATE_SIP_TLS_CERT', doc: 'PEM certificate chain; TLS listens only when cert and key are set' },
      key: { type: 'string', optional: true, env: 'FAXGATE_SIP_TLS_KEY', doc: 'PEM private key' },
    },
  },
  mediaPorts: {
    type: 'object',
    fields: {
      min: { type: 'integer', default: 0, min: 0, max: 65535, doc: 'first UDP port for RTP/UDPTL (0: any free port)' },
      max: { type: 'integer', default: 0, min: 0, max: 65535, doc: 'last UDP port for RTP/UDPTL' },
    },
  },
  csid: { type: 'string', optional: true, pattern: /^[0-9+ ]{0,20}$/, doc: 'our fax identity (CSI) on received faxes; default: the called DID' },
  answerTimeoutMs: { type: 'integer', default: 60_000, min: 1000, max: 600_000, doc: 'longest wait from the INVITE to a T.38 session' },
  maxCallMs: { type: 'integer', default: 2 * 3600_000, min: 60_000, max: 24 * 3600_000, doc: 'any call is ended after this long' },
  drainMs: { type: 'integer', default: 10_000, min: 0, max: 3_600_000, doc: 'at shutdown, how long calls in progress may finish' },
  trunks: { type: 'array', items: 'any', default: [], doc: 'SIP trunks (telephony/trunks/schema.ts)' },
  dids: { type: 'array', items: 'any', default: [], doc: 'inbound numbers and their mailboxes' },
} as const satisfies Schema;

export interface SipConfig {
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
  readonly tcp: boolean;
  readonly advertise: string;
  readonly tls: { readonly port: number; readonly cert: string; readonly key: string } | undefined;
  readonly mediaPorts: { readonly min: number; readonly max: number } | undefined;
  readonly csid: string | undefined;
  readonly answerTimeoutMs: number;
  readonly maxCallMs: number;
  readonly drainMs: number;
  readonly routing: TrunkConfig;
}

/** The validated section (defaults applied by the plugin host) checked as a whole. */
export function sipConfig(raw: Readonly<Record<string, unknown>>): SipConfig {
  const source = { kind: 'file' as const, path: "config of plugin 'sip'" };
  const { value: routing, errors } = resolveTrunkConfig({ trunks: raw.trunks, dids: raw.dids }, source);
  const tlsRaw = raw.tls as { port: number; cert?: string; key?: string };
  if ((tlsRaw.cert === undefined) !== (tlsRaw.key === undefined)) errors.push({ path: 'tls', message: 'needs both cert and key', source });
  // Relative paths are from the directory faxgate was started in, as for --config.
  const file = (p: string): string => (isAbsolute(p) ? p : resolve(p));
  for (const k of ['cert', 'key'] as const) {
    const p = tlsRaw[k];
    if (p !== undefined && !existsSync(file(p))) errors.push({ path: `tls.${k}`, message: `no such file ${JSON.stringify(file(p))}`, source });
  }
  const mp = raw.mediaPorts as { min: number; max: number };
  if ((mp.min === 0) !== (mp.max === 0) || mp.max < mp.min || (mp.min > 0 && mp.max - mp.min < 3)) {
    errors.push({ path: 'mediaPorts', message: `must be a range of at least 4 ports, or both 0 [min:${mp.min}, max:${mp.max}]`, source });
  }
  if (errors.length > 0) throw new ConfigError(errors);
  const host = raw.host as string;
  return {
    enabled: raw.enabled as boolean,
    host,
    port: raw.port as number,
    tcp: raw.tcp as boolean,
    advertise: (raw.advertise as string | undefined) ?? advertisedAddress(host),
    tls: tlsRaw.cert !== undefined && tlsRaw.key !== undefined ? { port: tlsRaw.port, cert: file(tlsRaw.cert), key: file(tlsRaw.key) } : undefined,
    mediaPorts: mp.min === 0 ? undefined : mp,
    csid: raw.csid as string | undefined,
    answerTimeoutMs: raw.answerTimeoutMs as number,
    maxCallMs: raw.maxCallMs as number,
    drainMs: raw.drainMs as number,
    routing,
  };
}

/** The far end must reach our Contact and SDP: a wildcard bind advertises the first external IPv4 address. */
function advertisedAddress(host: string): string {
  return host === '0.0.0.0' || host === '::' ? firstExternalIPv4() : host;
}
