/**
 * SIP, SIPS and tel URIs (RFC 3261 19.1, RFC 3966), parsed into parts and written back.
 * The user part keeps its escapes as received: comparing users is the dialog layer's job,
 * and numbers are normalized by protocols/fax-numbers.
 */
import { SipParseError } from './errors.ts';

export interface SipUri {
  /** `sip`, `sips` or `tel` (lower case). */
  readonly scheme: string;
  /** The user part (`+81312345678` in `sip:+81312345678@gw`), or the number of a tel URI. */
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** Host name, IPv4, or IPv6 with its brackets (`[::1]`); empty for tel URIs. */
  readonly host: string;
  readonly port: number | undefined;
  /** URI parameters, names in lower case; a flag parameter (`;lr`) has the value `''`. */
  readonly params: Readonly<Record<string, string>>;
  /** Headers after `?`, kept as one raw string (`Subject=x&Priority=urgent`). */
  readonly headers: string | undefined;
}

const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*|\d{1,3}(?:\.\d{1,3}){3})$/;

export function parseUri(text: string): SipUri {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new SipParseError('SIP_BAD_URI', 'URI has no scheme', { uri: clip(text) });
  const scheme = text.slice(0, colon).toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) throw new SipParseError('SIP_BAD_URI', 'bad URI scheme', { uri: clip(text) });
  let rest = text.slice(colon + 1);
  if (scheme === 'tel') {
    const [number, params] = splitParams(rest);
    if (number.length === 0) throw new SipParseError('SIP_BAD_URI', 'empty tel number', { uri: clip(text) });
    return { scheme, user: number, password: undefined, host: '', port: undefined, params, headers: undefined };
  }
  if (scheme !== 'sip' && scheme !== 'sips') throw new SipParseError('SIP_BAD_URI', 'unsupported URI scheme', { scheme });
  let headers: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    headers = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let user: string | undefined;
  let password: string | undefined;
  // RFC 3261 19.1.1: the userinfo may contain ';' (user params) but never an unescaped '@'.
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const pc = userinfo.indexOf(':');
    user = pc >= 0 ? userinfo.slice(0, pc) : userinfo;
    password = pc >= 0 ? userinfo.slice(pc + 1) : undefined;
    if (user.length === 0) throw new SipParseError('SIP_BAD_URI', 'empty user part', { uri: clip(text) });
  }
  const [hostport, params] = splitParams(rest);
  const { host, port } = parseHostPort(hostport, text);
  return { scheme, user, password, host, port, params, headers };
}

/** `host[:port]` as in Via sent-by and URIs; IPv6 in brackets. */
export function parseHostPort(text: string, context = text): { host: string; port: number | undefined } {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new SipParseError('SIP_BAD_URI', 'unterminated IPv6 reference', { uri: clip(context) });
    host = text.slice(0, close + 1);
    const after = text.slice(close + 1);
    if (after.length > 0 && !after.startsWith(':')) throw new SipParseError('SIP_BAD_URI', 'bad port', { uri: clip(context) });
    portText = after.length > 0 ? after.slice(1) : undefined;
  } else {
    const c = text.indexOf(':');
    host = c >= 0 ? text.slice(0, c) : text;
    portText = c >= 0 ? text.slice(c + 1) : undefined;
  }
  if (!HOST.test(host)) throw new SipParseError('SIP_BAD_URI', 'bad host', { uri: clip(context) });
  if (portText === undefined) return { host, port: undefined };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new SipParseError('SIP_BAD_URI', 'bad port', { uri: clip(context) });
  return { host, port };
}

export function formatUri(uri: SipUri): string {
  if (uri.scheme === 'tel') return `tel:${uri.user ?? ''}${formatParams(uri.params)}`;
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined) out += uri.password !== undefined ? `${uri.user}:${uri.password}@` : `${uri.user}@`;
  out += uri.host;
  if (uri.port !== undefined) out += `:${uri.port}`;
  out += formatParams(uri.params);
  if (uri.headers !== undefined) out += `?${uri.headers}`;
  return out;
}

/** `;name=value;flag` as written after URIs and header values. */
export function formatParams(params: Readonly<Record<string, string>>): string {
  let out = '';
  for (const [k, v] of Object.entries(params)) out += v === '' ? `;${k}` : `;${k}=${v}`;
  return out;
}

/** Splits `head;a=1;b` into `head` and `{a:'1', b:''}` (names lower-cased, quoted values kept). */
export function splitParams(text: string): [string, Record<string, string>] {
  const parts = splitOutsideQuotes(text, ';');
  const head = (parts[0] ?? '').trim();
  const params: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    const t = p.trim();
    if (t.length === 0) continue;
    const eq = t.indexOf('=');
    const name = (eq >= 0 ? t.slice(0, eq) : t).trim().toLowerCase();
    params[name] = eq >= 0 ? t.slice(eq + 1).trim() : '';
  }
  return [head, params];
}

/** Splits on `sep` where it is outside double quotes and angle brackets. */
export function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  let angle = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') angle++;
    else if (c === '>') angle = Math.max(0, angle - 1);
    else if (c === sep && angle === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}...` : s;
}
