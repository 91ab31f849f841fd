/**
 * Header names (canonical spelling, compact forms of RFC 3261 7.3.3 and later RFCs) and the
 * structured values the stack reads: Via, name-addr (From, To, Contact, Route, Record-Route,
 * P-Asserted-Identity), CSeq.
 */
import { SipParseError } from './errors.ts';
import { formatParams, formatUri, parseHostPort, parseUri, splitOutsideQuotes, splitParams, type SipUri } from './uri.ts';

/** Compact form -> full name (RFC 3261 7.3.3, RFC 3265, RFC 3515, RFC 4028). */
const COMPACT: Readonly<Record<string, string>> = {
  i: 'Call-ID', m: 'Contact', e: 'Content-Encoding', l: 'Content-Length', c: 'Content-Type',
  f: 'From', s: 'Subject', k: 'Supported', t: 'To', v: 'Via', o: 'Event', u: 'Allow-Events',
  r: 'Refer-To', b: 'Referred-By', x: 'Session-Expires', y: 'Identity', a: 'Accept-Contact',
};

const CANONICAL = new Map<string, string>(
  [
    'Accept', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Authentication-Info', 'Authorization',
    'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition', 'Content-Encoding', 'Content-Language', 'Content-Length',
    'Content-Type', 'CSeq', 'Date', 'Diversion', 'Error-Info', 'Expires', 'From', 'In-Reply-To', 'Max-Forwards',
    'Min-Expires', 'Min-SE', 'MIME-Version', 'Organization', 'P-Asserted-Identity', 'P-Preferred-Identity', 'Priority',
    'Privacy', 'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Require', 'RAck', 'Reason', 'Record-Route',
    'Remote-Party-ID', 'Reply-To', 'Require', 'Retry-After', 'Route', 'RSeq', 'Server', 'Session-Expires', 'Subject',
    'Supported', 'Timestamp', 'To', 'Unsupported', 'User-Agent', 'Via', 'Warning', 'WWW-Authenticate', 'Event',
    'Allow-Events', 'Refer-To', 'Referred-By', 'Identity', 'Accept-Contact', 'History-Info',
  ].map((n) => [n.toLowerCase(), n]),
);

/**
 * Headers whose comma-separated values are separate entries (RFC 3261 7.3.1). The
 * authentication headers, Date and others with commas inside one value are not split.
 */
const LIST_HEADERS = new Set(['via', 'route', 'record-route', 'contact', 'p-asserted-identity', 'diversion', 'history-info']);

/** `v` -> `Via`, `call-id` -> `Call-ID`; unknown names keep their spelling. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? CANONICAL.get(lower) ?? name;
}

export function isListHeader(canonical: string): boolean {
  return LIST_HEADERS.has(canonical.toLowerCase());
}

/** Splits one header line's value into its comma-separated entries (outside quotes and `<>`). */
export function splitList(value: string): string[] {
  return splitOutsideQuotes(value, ',').map((v) => v.trim()).filter((v) => v.length > 0);
}

export interface Via {
  /** `UDP`, `TCP`, `TLS` (upper case). */
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
  /** Parameters, names lower-cased: `branch`, `received`, `rport` (`''` when asked for, a number when filled). */
  readonly params: Readonly<Record<string, string>>;
}

/** RFC 3261 17.1.1.3: branches of RFC 3261 transactions start with this magic cookie. */
export const BRANCH_COOKIE = 'z9hG4bK';

export function parseVia(value: string): Via {
  const [head, params] = splitParams(value);
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\S+)$/i.exec(head);
  if (m === null) throw new SipParseError('SIP_BAD_HEADER', 'bad Via', { via: head.slice(0, 80) });
  const { host, port } = parseHostPort(m[2] as string);
  return { transport: (m[1] as string).toUpperCase(), host, port, params };
}

export function formatVia(via: Via): string {
  return `SIP/2.0/${via.transport} ${via.host}${via.port === undefined ? '' : `:${via.port}`}${formatParams(via.params)}`;
}

export interface NameAddr {
  readonly displayName: string | undefined;
  readonly uri: SipUri;
  /** Header parameters (`tag`, `expires`, `q`...), names lower-cased. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * `"Name" <sip:u@h;uri-param>;tag=x`, `Name <sip:u@h>` or the bare addr-spec `sip:u@h;tag=x`
 * (RFC 3261 20.10: without angle brackets, everything after `;` is a header parameter).
 */
export function parseNameAddr(value: string): NameAddr {
  const text = value.trim();
  const lt = indexOutsideQuotes(text, '<');
  if (lt >= 0) {
    const gt = text.indexOf('>', lt);
    if (gt < 0) throw new SipParseError('SIP_BAD_HEADER', 'unterminated <uri>', { value: text.slice(0, 80) });
    let display: string | undefined = text.slice(0, lt).trim();
    if (display.startsWith('"') && display.endsWith('"') && display.length >= 2) display = display.slice(1, -1).replace(/\\(.)/g, '$1');
    if (display.length === 0) display = undefined;
    const [, params] = splitParams(text.slice(gt + 1));
    if (text.slice(gt + 1).trim().length > 0 && !text.slice(gt + 1).trim().startsWith(';')) {
      throw new SipParseError('SIP_BAD_HEADER', 'junk after <uri>', { value: text.slice(0, 80) });
    }
    return { displayName: display, uri: parseUri(text.slice(lt + 1, gt).trim()), params };
  }
  const [uri, params] = splitParams(text);
  if (/\s/.test(uri)) throw new SipParseError('SIP_BAD_HEADER', 'display name without <uri>', { value: text.slice(0, 80) });
  return { displayName: undefined, uri: parseUri(uri), params };
}

export function formatNameAddr(na: NameAddr): string {
  const display = na.displayName === undefined ? '' : `"${na.displayName.replace(/(["\\])/g, '\\$1')}" `;
  return `${display}<${formatUri(na.uri)}>${formatParams(na.params)}`;
}

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

export function parseCSeq(value: string): CSeq {
  const m = /^(\d{1,10})\s+([A-Za-z!%*_+`'~.-]+)$/.exec(value.trim());
  const seq = m === null ? NaN : Number(m[1]);
  // RFC 3261 8.1.1.5: the sequence number must be less than 2**31.
  if (m === null || !(seq < 2 ** 31)) throw new SipParseError('SIP_BAD_HEADER', 'bad CSeq', { cseq: value.slice(0, 40) });
  return { seq, method: m[2] as string };
}

function indexOutsideQuotes(text: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ch) return i;
  }
  return -1;
}
