/**
 * HTTP digest authentication as a SIP client (RFC 3261 22, RFC 2617, RFC 7616, RFC 8760):
 * read a WWW-Authenticate / Proxy-Authenticate challenge, compute the Authorization /
 * Proxy-Authorization answer. MD5 and SHA-256 (and their -sess forms), qop auth, auth-int,
 * or none (RFC 2069 compatibility). The client nonce is passed in: this module stays pure.
 */
import { createHash } from 'node:crypto';
import { SipParseError } from './errors.ts';
import { splitOutsideQuotes } from './uri.ts';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | undefined;
  readonly algorithm: DigestAlgorithm;
  /** Offered qop values (`auth`, `auth-int`); empty for an RFC 2069 challenge. */
  readonly qop: readonly string[];
  /** The previous answer was right but its nonce had expired: retry without asking the user. */
  readonly stale: boolean;
}

export interface DigestCredentials {
  readonly username: string;
  readonly password: string;
}

const ALGORITHMS: Readonly<Record<string, DigestAlgorithm>> = {
  md5: 'MD5', 'md5-sess': 'MD5-sess', 'sha-256': 'SHA-256', 'sha-256-sess': 'SHA-256-sess',
};

/** Parses `Digest realm="x", nonce="y", qop="auth,auth-int", algorithm=MD5`. */
export function parseDigestChallenge(value: string): DigestChallenge {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (m === null) throw new SipParseError('SIP_BAD_CHALLENGE', 'not a Digest challenge', { value: value.slice(0, 40) });
  const p = parseAuthParams(m[1] as string);
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  if (realm === undefined || nonce === undefined) throw new SipParseError('SIP_BAD_CHALLENGE', 'challenge without realm or nonce', {});
  const algName = (p.get('algorithm') ?? 'MD5').toLowerCase();
  const algorithm = ALGORITHMS[algName];
  if (algorithm === undefined) throw new SipParseError('SIP_BAD_CHALLENGE', 'unsupported digest algorithm', { algorithm: algName.slice(0, 20) });
  const qop = (p.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase()).filter((q) => q.length > 0);
  if (qop.length > 0 && !qop.includes('auth') && !qop.includes('auth-int')) {
    throw new SipParseError('SIP_BAD_CHALLENGE', 'no supported qop', { qop: qop.join(' ').slice(0, 40) });
  }
  return { realm, nonce, opaque: p.get('opaque'), algorithm, qop, stale: (p.get('stale') ?? '').toLowerCase() === 'true' };
}

/**
 * Of several challenges (RFC 7616 3.7: a server may offer SHA-256 and MD5), the strongest
 * we can answer; undefined when none parses.
 */
export function pickDigestChallenge(values: readonly string[]): DigestChallenge | undefined {
  const parsed: DigestChallenge[] = [];
  for (const v of values) {
    try {
      parsed.push(parseDigestChallenge(v));
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
    }
  }
  return parsed.find((c) => c.algorithm.startsWith('SHA-256')) ?? parsed[0];
}

export interface DigestAnswerInput {
  readonly challenge: DigestChallenge;
  readonly credentials: DigestCredentials;
  readonly method: string;
  /** The digest-uri: the Request-URI of the request being authorized. */
  readonly uri: string;
  /** Client nonce (random, from the caller). */
  readonly cnonce: string;
  /** How many times this nonce has been used, 1 for the first answer. */
  readonly nc: number;
  /** Needed only for qop=auth-int. */
  readonly body?: Uint8Array;
}

/** The `response` value (RFC 7616 3.4.1). */
export function digestResponse(input: DigestAnswerInput): string {
  const { challenge: c, credentials, method, uri, cnonce } = input;
  const H = (s: string | Uint8Array): string => createHash(c.algorithm.startsWith('SHA-256') ? 'sha256' : 'md5').update(s).digest('hex');
  const qop = chooseQop(c);
  const ncHex = formatNc(input.nc);
  let ha1 = H(`${credentials.username}:${c.realm}:${credentials.password}`);
  if (c.algorithm.endsWith('-sess')) ha1 = H(`${ha1}:${c.nonce}:${cnonce}`);
  const ha2 = qop === 'auth-int' ? H(`${method}:${uri}:${H(input.body ?? new Uint8Array(0))}`) : H(`${method}:${uri}`);
  return qop === undefined ? H(`${ha1}:${c.nonce}:${ha2}`) : H(`${ha1}:${c.nonce}:${ncHex}:${cnonce}:${qop}:${ha2}`);
}

/** The Authorization / Proxy-Authorization header value answering `challenge`. */
export function digestAuthorization(input: DigestAnswerInput): string {
  const c = input.challenge;
  const qop = chooseQop(c);
  const parts = [
    `username="${quote(input.credentials.username)}"`,
    `realm="${quote(c.realm)}"`,
    `nonce="${quote(c.nonce)}"`,
    `uri="${quote(input.uri)}"`,
    `response="${digestResponse(input)}"`,
    `algorithm=${c.algorithm}`,
  ];
  if (qop !== undefined) parts.push(`qop=${qop}`, `nc=${formatNc(input.nc)}`, `cnonce="${quote(input.cnonce)}"`);
  if (c.opaque !== undefined) parts.push(`opaque="${quote(c.opaque)}"`);
  return `Digest ${parts.join(', ')}`;
}

/** auth when offered (it does not need the body), else auth-int, else none (RFC 2069). */
function chooseQop(c: DigestChallenge): 'auth' | 'auth-int' | undefined {
  if (c.qop.includes('auth')) return 'auth';
  if (c.qop.includes('auth-int')) return 'auth-int';
  return undefined;
}

function formatNc(nc: number): string {
  return nc.toString(16).padStart(8, '0');
}

function quote(s: string): string {
  return s.replace(/(["\\])/g, '\\$1');
}

/** `a="x, y", b=z` -> Map (names lower-cased, quotes and escapes removed). */
export function parseAuthParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of splitOutsideQuotes(text, ',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    out.set(name, value);
  }
  return out;
}
