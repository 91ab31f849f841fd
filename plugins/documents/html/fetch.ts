import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { DocumentError } from '../errors.ts';

/**
 * Fetches a URL a sender asked us to fax, without letting it reach inside our network
 * (server-side request forgery): only http and https; every address the name resolves to is
 * checked when the connection is made (so a DNS answer that changes between a check and the
 * connect cannot slip through), on every redirect.
 */

export interface FetchOptions {
  /** Allow private, loopback and link-local addresses (tests, intranet deployments). */
  readonly allowPrivate: boolean;
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects?: number;
}

export interface Fetched {
  readonly url: string;
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

/** Addresses a public URL must never reach (IANA special-purpose registries, RFC 6890). */
const forbidden = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  forbidden.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  forbidden.addSubnet(net, prefix, 'ipv6');
}

export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return forbidden.check(address, 'ipv4');
  if (family !== 6) return true;
  const lower = address.toLowerCase();
  // IPv4-mapped (::ffff:a.b.c.d, or its hex form): judge the IPv4 address inside.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return forbidden.check(mapped[1]!, 'ipv4');
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return forbidden.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
  }
  return forbidden.check(address, 'ipv6');
}

export async function fetchUrl(url: string, options: FetchOptions): Promise<Fetched> {
  let current = parseUrl(url);
  const maxRedirects = options.maxRedirects ?? 5;
  const deadline = Date.now() + options.timeoutMs;
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(current, options, deadline);
    if (res.redirect !== undefined) {
      if (hop >= maxRedirects) throw new DocumentError('DOC_URL_FETCH_FAILED', { url: current.href, reason: 'too many redirects' });
      current = parseUrl(new URL(res.redirect, current).href);
      continue;
    }
    return { url: current.href, contentType: res.contentType, bytes: res.bytes };
  }
}

function parseUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new DocumentError('DOC_URL_FORBIDDEN', { url: raw, reason: 'not a URL' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new DocumentError('DOC_URL_FORBIDDEN', { url: raw, reason: `scheme ${u.protocol.replace(':', '')} not allowed` });
  if (u.username !== '' || u.password !== '') throw new DocumentError('DOC_URL_FORBIDDEN', { url: u.origin, reason: 'credentials in URL' });
  return u;
}

interface Response {
  readonly redirect?: string;
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

function requestOnce(u: URL, options: FetchOptions, deadline: number): Promise<Response> {
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && !options.allowPrivate && isForbiddenAddress(host)) {
    return Promise.reject(new DocumentError('DOC_URL_FORBIDDEN', { url: u.href, address: host, reason: 'private or local address' }));
  }
  // Checked at connect time, on the address actually used.
  const guardedLookup: LookupFunction = (hostname, opts, callback) => {
    dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as LookupAddress[];
      const bad = options.allowPrivate ? undefined : list.find((a) => isForbiddenAddress(a.address));
      if (bad !== undefined) return callback(new DocumentError('DOC_URL_FORBIDDEN', { url: u.href, address: bad.address, reason: 'private or local address' }), '', 4);
      const first = list[0];
      if (first === undefined) return callback(new Error('no address'), '', 4);
      if ('all' in opts && opts.all === true) return callback(null, list as unknown as string, 4);
      callback(null, first.address, first.family);
    });
  };
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise<Response>((resolve, reject) => {
    const remaining = Math.max(1, deadline - Date.now());
    const req = lib.get(u, { lookup: guardedLookup, timeout: remaining, headers: { 'user-agent': 'faxgate', accept: 'text/html,application/pdf,image/*,*/*;q=0.5' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location !== undefined) {
        res.resume();
        resolve({ redirect: res.headers.location, contentType: '', bytes: new Uint8Array() });
        return;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        reject(new DocumentError('DOC_URL_FETCH_FAILED', { url: u.href, status }));
        return;
      }
      const declared = Number(res.headers['content-length'] ?? '0');
      if (declared > options.maxBytes) {
        res.destroy();
        reject(new DocumentError('DOC_TOO_LARGE', { url: u.href, bytes: declared, max: options.maxBytes }));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > options.maxBytes) {
          res.destroy();
          reject(new DocumentError('DOC_TOO_LARGE', { url: u.href, bytes: size, max: options.maxBytes }));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve({ contentType: String(res.headers['content-type'] ?? '').toLowerCase(), bytes: new Uint8Array(Buffer.concat(chunks)) }));
      res.on('error', (e) => reject(new DocumentError('DOC_URL_FETCH_FAILED', { url: u.href, reason: e.message })));
    });
    req.on('timeout', () => {
      req.destroy();
      reject(new DocumentError('DOC_URL_FETCH_FAILED', { url: u.href, reason: 'timeout' }));
    });
    req.on('error', (e) => reject(e instanceof DocumentError ? e : new DocumentError('DOC_URL_FETCH_FAILED', { url: u.href, reason: e.message })));
  });
}
