/**
 * Building messages for the user agent core: responses (8.2.6), identifiers (tags,
 * Call-IDs, 19.3), and the caller identity an incoming INVITE asserts (RFC 3325, RFC 3323).
 */
import { randomBytes } from 'node:crypto';
import {
  getHeader, getHeaders, parseNameAddr, textBody, type SipHeader, type SipRequest, type SipResponse,
} from '../../../protocols/sip/index.ts';

export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO';

export const REASONS: Readonly<Record<number, string>> = {
  100: 'Trying', 180: 'Ringing', 183: 'Session Progress', 200: 'OK', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  416: 'Unsupported URI Scheme', 420: 'Bad Extension', 422: 'Session Interval Too Small', 480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist', 486: 'Busy Here', 487: 'Request Terminated', 488: 'Not Acceptable Here',
  491: 'Request Pending', 500: 'Server Internal Error', 501: 'Not Implemented', 503: 'Service Unavailable', 603: 'Decline',
  606: 'Not Acceptable',
};

export function newTag(): string {
  return randomBytes(6).toString('hex');
}

export function newCallId(host: string): string {
  return `${randomBytes(12).toString('hex')}@${host}`;
}

/**
 * 8.2.6.2: a response copies Via, From, Call-ID and CSeq; To gets our tag when the request
 * had none (not on 100 Trying). Record-Route is copied into responses that set up a dialog (12.1.1).
 */
export function makeResponse(
  req: SipRequest,
  status: number,
  options: { reason?: string; toTag?: string; headers?: readonly SipHeader[]; sdp?: string; contact?: string } = {},
): SipResponse {
  const to = getHeader(req, 'To') ?? '';
  const tagged = options.toTag !== undefined && status > 100 && !/;\s*tag=/i.test(to) ? `${to};tag=${options.toTag}` : to;
  const headers: SipHeader[] = [
    ...getHeaders(req, 'Via').map((value) => ({ name: 'Via', value })),
    ...(req.method === 'INVITE' && status > 100 && status < 300 ? getHeaders(req, 'Record-Route').map((value) => ({ name: 'Record-Route', value })) : []),
    { name: 'From', value: getHeader(req, 'From') ?? '' },
    { name: 'To', value: tagged },
    { name: 'Call-ID', value: getHeader(req, 'Call-ID') ?? '' },
    { name: 'CSeq', value: getHeader(req, 'CSeq') ?? '' },
  ];
  if (options.contact !== undefined) headers.push({ name: 'Contact', value: options.contact });
  headers.push(...(options.headers ?? []));
  if (options.sdp !== undefined) headers.push({ name: 'Content-Type', value: 'application/sdp' });
  return {
    kind: 'response',
    status,
    reason: options.reason ?? REASONS[status] ?? 'Unknown',
    headers,
    body: options.sdp !== undefined ? textBody(options.sdp) : new Uint8Array(0),
  };
}

/** Who is calling, as the INVITE says it (RFC 3325 P-Asserted-Identity, RFC 3323 Privacy). */
export interface CallerIdentity {
  /** The From URI as received (may be `sip:anonymous@anonymous.invalid`). */
  readonly from: string;
  readonly displayName: string | undefined;
  /** The network-asserted identity: first P-Asserted-Identity URI, trusted from a trunk. */
  readonly asserted: string | undefined;
  /** The caller's number for records: the asserted user part, else From's user part. */
  readonly number: string | undefined;
  /** The caller asked to be anonymous (Privacy: id/user/header, or an anonymous From). Do not show the number. */
  readonly anonymous: boolean;
  readonly privacy: readonly string[];
}

export function callerIdentity(invite: SipRequest): CallerIdentity {
  const fromText = getHeader(invite, 'From') ?? '';
  let from: ReturnType<typeof parseNameAddr> | undefined;
  try {
    from = parseNameAddr(fromText);
  } catch {
    from = undefined;
  }
  let asserted: ReturnType<typeof parseNameAddr> | undefined;
  for (const v of getHeaders(invite, 'P-Asserted-Identity')) {
    try {
      asserted = parseNameAddr(v);
      break;
    } catch {
      // An unreadable PAI is ignored, as if absent.
    }
  }
  const privacy = (getHeader(invite, 'Privacy') ?? '').split(/[;,]/).map((p) => p.trim().toLowerCase()).filter((p) => p.length > 0 && p !== 'none');
  const anonymousFrom = from === undefined || from.uri.host.toLowerCase() === 'anonymous.invalid' || (from.uri.user ?? '').toLowerCase() === 'anonymous';
  return {
    from: from === undefined ? fromText : `${from.uri.scheme}:${from.uri.user === undefined ? '' : `${from.uri.user}@`}${from.uri.host}`,
    displayName: from?.displayName,
    asserted: asserted === undefined ? undefined : `${asserted.uri.scheme}:${asserted.uri.user ?? ''}${asserted.uri.host === '' ? '' : `@${asserted.uri.host}`}`,
    number: asserted?.uri.user ?? (anonymousFrom ? undefined : from?.uri.user),
    anonymous: anonymousFrom || privacy.includes('id') || privacy.includes('user') || privacy.includes('header'),
    privacy,
  };
}
