/**
 * SIP messages (RFC 3261 7): parse from a datagram or a framed stream message, write back.
 * Headers are kept in order as (canonical name, value) pairs; comma lists of Via, Route,
 * Record-Route and Contact become one entry per value, so the stack can pop and push them.
 * Structured values are read on demand (headers.ts), so an odd header the stack never reads
 * cannot make a message unreadable.
 */
import { SipParseError } from './errors.ts';
import { canonicalName, isListHeader, parseCSeq, splitList, type CSeq } from './headers.ts';

export interface SipHeader {
  /** Canonical spelling (`Call-ID`, `CSeq`, `Via`); compact forms are expanded. */
  readonly name: string;
  readonly value: string;
}

interface SipMessageBase {
  readonly headers: readonly SipHeader[];
  readonly body: Uint8Array;
}

export interface SipRequest extends SipMessageBase {
  readonly kind: 'request';
  readonly method: string;
  /** The Request-URI as written (parse it with parseUri when needed). */
  readonly uri: string;
}

export interface SipResponse extends SipMessageBase {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
}

export type SipMessage = SipRequest | SipResponse;

export interface SipLimits {
  /** Whole message, headers and body (RFC 3261 18.1.1 lets UDP carry up to 65535). */
  readonly maxMessageBytes: number;
  readonly maxHeaders: number;
  /** One unfolded header line. */
  readonly maxLineBytes: number;
}

export const DEFAULT_SIP_LIMITS: SipLimits = { maxMessageBytes: 65535, maxHeaders: 200, maxLineBytes: 8192 };

const utf8 = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();
const TOKEN = /^[A-Za-z0-9!%*_+`'~.-]+$/;
const EMPTY = new Uint8Array(0);

/**
 * Parses one message. `framed` tells whether the bytes came from a stream framer (the
 * body is then exactly Content-Length long); for a datagram a missing Content-Length means
 * the rest of the datagram is the body (RFC 3261 18.3), and extra bytes are ignored.
 */
export function parseSipMessage(input: Uint8Array | string, limits: SipLimits = DEFAULT_SIP_LIMITS): SipMessage {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  if (bytes.length > limits.maxMessageBytes) {
    throw new SipParseError('SIP_LIMIT_EXCEEDED', 'message too large', { bytes: bytes.length, max: limits.maxMessageBytes });
  }
  // RFC 3261 7.5: implementations should ignore empty lines before the start line.
  let start = 0;
  while (start < bytes.length && (bytes[start] === 0x0d || bytes[start] === 0x0a)) start++;
  const split = findHeaderEnd(bytes, start);
  if (split === undefined) throw new SipParseError('SIP_TRUNCATED', 'no empty line after the headers', { bytes: bytes.length });
  const headText = utf8.decode(bytes.subarray(start, split.headerEnd));
  const lines = unfold(headText, limits);
  const startLine = lines.shift();
  if (startLine === undefined || startLine.length === 0) throw new SipParseError('SIP_BAD_START_LINE', 'empty message');
  const headers: SipHeader[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError('SIP_BAD_HEADER', 'header line without a name', { line: line.slice(0, 60) });
    const rawName = line.slice(0, colon).trim();
    if (!TOKEN.test(rawName)) throw new SipParseError('SIP_BAD_HEADER', 'bad header name', { name: rawName.slice(0, 40) });
    const name = canonicalName(rawName);
    const value = line.slice(colon + 1).trim();
    if (isListHeader(name) && !(name === 'Contact' && value === '*')) {
      for (const v of splitList(value)) headers.push({ name, value: v });
    } else {
      headers.push({ name, value });
    }
    if (headers.length > limits.maxHeaders) throw new SipParseError('SIP_LIMIT_EXCEEDED', 'too many headers', { max: limits.maxHeaders });
  }
  const rest = bytes.subarray(split.bodyStart);
  const lengthHeader = headers.find((h) => h.name === 'Content-Length');
  let body = rest;
  if (lengthHeader !== undefined) {
    if (!/^\d{1,9}$/.test(lengthHeader.value)) throw new SipParseError('SIP_BAD_HEADER', 'bad Content-Length', { value: lengthHeader.value.slice(0, 20) });
    const length = Number(lengthHeader.value);
    if (length > rest.length) throw new SipParseError('SIP_TRUNCATED', 'body shorter than Content-Length', { contentLength: length, bytes: rest.length });
    body = rest.subarray(0, length);
  }
  const msg = parseStartLine(startLine, headers, body.length === 0 ? EMPTY : body.slice());
  checkMandatory(msg);
  return msg;
}

function parseStartLine(line: string, headers: SipHeader[], body: Uint8Array): SipMessage {
  if (line.startsWith('SIP/')) {
    const m = /^SIP\/2\.0 ([1-6]\d\d)(?: (.*))?$/.exec(line);
    if (m === null) throw new SipParseError('SIP_BAD_START_LINE', 'bad status line', { line: line.slice(0, 60) });
    return { kind: 'response', status: Number(m[1]), reason: m[2] ?? '', headers, body };
  }
  const m = /^([A-Za-z0-9!%*_+`'~.-]+) (\S+) SIP\/2\.0$/.exec(line);
  if (m === null) throw new SipParseError('SIP_BAD_START_LINE', 'bad request line', { line: line.slice(0, 60) });
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(m[2] as string)) throw new SipParseError('SIP_BAD_URI', 'Request-URI has no scheme', { uri: (m[2] as string).slice(0, 60) });
  return { kind: 'request', method: m[1] as string, uri: m[2] as string, headers, body };
}

/** RFC 3261 8.1.1: every request and response carries these; CSeq's method matches the request. */
function checkMandatory(msg: SipMessage): void {
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    if (!msg.headers.some((h) => h.name === name)) throw new SipParseError('SIP_MISSING_HEADER', 'mandatory header missing', { header: name });
  }
  const cseq = cseqOf(msg);
  if (msg.kind === 'request' && cseq.method !== msg.method) {
    throw new SipParseError('SIP_MISSING_HEADER', 'CSeq method differs from the request method', { method: msg.method, cseq: cseq.method });
  }
}

function findHeaderEnd(bytes: Uint8Array, from: number): { headerEnd: number; bodyStart: number } | undefined {
  for (let i = from; i < bytes.length - 1; i++) {
    if (bytes[i] !== 0x0a) continue;
    // CRLF CRLF, or bare LF LF which some stacks send (RFC 3261 7 asks us to be lenient).
    if (bytes[i + 1] === 0x0a) return { headerEnd: i, bodyStart: i + 2 };
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return { headerEnd: i, bodyStart: i + 3 };
  }
  return undefined;
}

/** Splits the header section into lines and joins continuation lines (RFC 3261 7.3.1). */
function unfold(text: string, limits: SipLimits): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if ((line.startsWith(' ') || line.startsWith('\t')) && out.length > 1) {
      out[out.length - 1] += ` ${line.trim()}`;
    } else {
      out.push(line);
    }
    const last = out[out.length - 1] as string;
    if (last.length > limits.maxLineBytes) throw new SipParseError('SIP_LIMIT_EXCEEDED', 'header line too long', { max: limits.maxLineBytes });
    if (out.length > limits.maxHeaders + 1) throw new SipParseError('SIP_LIMIT_EXCEEDED', 'too many headers', { max: limits.maxHeaders });
  }
  return out;
}

/**
 * Writes a message. Content-Length is always written last among the headers and always
 * matches the body (any Content-Length in `headers` is replaced), so a stream peer frames it.
 */
export function serializeSipMessage(msg: SipMessage): Uint8Array {
  let head = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  for (const h of msg.headers) {
    if (h.name === 'Content-Length') continue;
    head += `${h.name}: ${h.value}\r\n`;
  }
  head += `Content-Length: ${msg.body.length}\r\n\r\n`;
  const headBytes = encoder.encode(head);
  if (msg.body.length === 0) return headBytes;
  const out = new Uint8Array(headBytes.length + msg.body.length);
  out.set(headBytes, 0);
  out.set(msg.body, headBytes.length);
  return out;
}

export function serializeSipText(msg: SipMessage): string {
  return utf8.decode(serializeSipMessage(msg));
}

/** The first value of a header (names compared case-insensitively, compact forms accepted). */
export function getHeader(msg: Pick<SipMessage, 'headers'>, name: string): string | undefined {
  const c = canonicalName(name).toLowerCase();
  return msg.headers.find((h) => h.name.toLowerCase() === c)?.value;
}

/** Every value of a header, in order. */
export function getHeaders(msg: Pick<SipMessage, 'headers'>, name: string): string[] {
  const c = canonicalName(name).toLowerCase();
  return msg.headers.filter((h) => h.name.toLowerCase() === c).map((h) => h.value);
}

export function cseqOf(msg: Pick<SipMessage, 'headers'>): CSeq {
  return parseCSeq(getHeader(msg, 'CSeq') ?? '');
}

export function bodyText(msg: Pick<SipMessage, 'body'>): string {
  return utf8.decode(msg.body);
}

export function textBody(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Frames SIP messages on a stream (TCP, TLS) by Content-Length (RFC 3261 18.3). Pure: the
 * transport pushes bytes in and takes complete messages out. CRLF keep-alives between
 * messages (RFC 5626 4.4.1) are skipped and reported so the transport can answer with CRLF.
 */
export class SipStreamFramer {
  private buffer: Uint8Array = EMPTY;
  /** CR/LF bytes seen since the last message, across chunks. */
  private idleBytes = 0;

  constructor(private readonly limits: SipLimits = DEFAULT_SIP_LIMITS) {}

  /** Adds received bytes; returns the complete messages (raw bytes) and the keep-alive pings seen. */
  push(chunk: Uint8Array): { messages: Uint8Array[]; pings: number } {
    this.buffer = this.buffer.length === 0 ? chunk.slice() : concat(this.buffer, chunk);
    const messages: Uint8Array[] = [];
    let pings = 0;
    for (;;) {
      // A double CRLF between messages is a keep-alive ping; a single CRLF its pong.
      let skip = 0;
      while (skip < this.buffer.length && (this.buffer[skip] === 0x0d || this.buffer[skip] === 0x0a)) skip++;
      if (skip > 0) {
        const before = this.idleBytes;
        this.idleBytes += skip;
        if (before < 4 && this.idleBytes >= 4) pings++;
        this.buffer = this.buffer.subarray(skip);
      }
      if (this.buffer.length === 0) break;
      const split = findHeaderEnd(this.buffer, 0);
      if (split === undefined) {
        if (this.buffer.length > this.limits.maxMessageBytes) {
          throw new SipParseError('SIP_LIMIT_EXCEEDED', 'header section too large on stream', { bytes: this.buffer.length });
        }
        break;
      }
      const head = utf8.decode(this.buffer.subarray(0, split.headerEnd));
      const m = /(?:^|\n)(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(head);
      // RFC 3261 18.3: on a stream, Content-Length is mandatory.
      if (m === null) throw new SipParseError('SIP_MISSING_HEADER', 'Content-Length missing on a stream', {});
      const total = split.bodyStart + Number(m[1]);
      if (total > this.limits.maxMessageBytes) throw new SipParseError('SIP_LIMIT_EXCEEDED', 'message too large', { bytes: total });
      if (this.buffer.length < total) break;
      messages.push(this.buffer.slice(0, total));
      this.idleBytes = 0;
      this.buffer = this.buffer.subarray(total);
    }
    return { messages, pings };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
