/**
 * SDP session descriptions (RFC 4566): parse and write, keeping every line the stack does
 * not interpret (i=, u=, b=, k=, r=, z=...) in order so a re-INVITE can echo an SDP back
 * unchanged (RFC 4028 session refreshes).
 */
import { SdpError } from './errors.ts';

export interface SdpOrigin {
  readonly username: string;
  readonly sessionId: string;
  /** Bumped by one on every changed offer or answer (RFC 3264 8). */
  readonly sessionVersion: string;
  readonly netType: string;
  readonly addrType: string;
  readonly address: string;
}

export interface SdpConnection {
  readonly netType: string;
  readonly addrType: string;
  readonly address: string;
}

export interface SdpAttribute {
  /** As written (T.38 names come in varying case: compare with `attr()`). */
  readonly name: string;
  readonly value: string | undefined;
}

/** A line kept as it was (`b=AS:64`, `i=...`), by its type letter. */
export interface SdpLine {
  readonly type: string;
  readonly value: string;
}

export interface SdpMedia {
  /** `audio`, `image`, `video`... */
  readonly type: string;
  /** 0 rejects the stream (RFC 3264 6). */
  readonly port: number;
  readonly portCount: number | undefined;
  /** `RTP/AVP`, `udptl`, `UDPTL`... */
  readonly proto: string;
  /** Payload types for RTP, `t38` for image/udptl. */
  readonly formats: readonly string[];
  readonly connection: SdpConnection | undefined;
  readonly attributes: readonly SdpAttribute[];
  /** i=, b=, k= lines of this media section. */
  readonly lines: readonly SdpLine[];
}

export interface SessionDescription {
  readonly origin: SdpOrigin;
  readonly sessionName: string;
  readonly connection: SdpConnection | undefined;
  /** t= (and r=, z=) lines; `0 0` for the unbounded sessions SIP uses. */
  readonly timing: readonly SdpLine[];
  readonly attributes: readonly SdpAttribute[];
  /** i=, u=, e=, p=, b=, k= lines at session level. */
  readonly lines: readonly SdpLine[];
  readonly media: readonly SdpMedia[];
}

export interface SdpLimits {
  readonly maxBytes: number;
  readonly maxLines: number;
  readonly maxMedia: number;
}

export const DEFAULT_SDP_LIMITS: SdpLimits = { maxBytes: 16384, maxLines: 400, maxMedia: 16 };

export function parseSdp(text: string, limits: SdpLimits = DEFAULT_SDP_LIMITS): SessionDescription {
  if (text.length > limits.maxBytes) throw new SdpError('SDP_LIMIT_EXCEEDED', 'SDP too large', { bytes: text.length, max: limits.maxBytes });
  const rawLines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (rawLines.length > limits.maxLines) throw new SdpError('SDP_LIMIT_EXCEEDED', 'too many SDP lines', { max: limits.maxLines });
  let origin: SdpOrigin | undefined;
  let sessionName: string | undefined;
  let connection: SdpConnection | undefined;
  let sawVersion = false;
  const timing: SdpLine[] = [];
  const attributes: SdpAttribute[] = [];
  const lines: SdpLine[] = [];
  const media: MutableMedia[] = [];
  for (const raw of rawLines) {
    const line = raw.trimEnd();
    if (line.length < 2 || line[1] !== '=' || !/^[a-z]$/.test(line[0] as string)) {
      throw new SdpError('SDP_BAD_LINE', 'line is not type=value', { line: line.slice(0, 60) });
    }
    const type = line[0] as string;
    const value = line.slice(2);
    const current = media[media.length - 1];
    if (!sawVersion) {
      if (type !== 'v' || value.trim() !== '0') throw new SdpError('SDP_MISSING_LINE', 'SDP must start with v=0', { line: line.slice(0, 40) });
      sawVersion = true;
      continue;
    }
    switch (type) {
      case 'o':
        origin = parseOrigin(value);
        break;
      case 's':
        sessionName = value;
        break;
      case 'c':
        if (current !== undefined) current.connection = parseConnection(value);
        else connection = parseConnection(value);
        break;
      case 't':
      case 'r':
      case 'z':
        timing.push({ type, value });
        break;
      case 'a':
        (current?.attributes ?? attributes).push(parseAttribute(value));
        break;
      case 'm':
        if (media.length >= limits.maxMedia) throw new SdpError('SDP_LIMIT_EXCEEDED', 'too many media sections', { max: limits.maxMedia });
        media.push(parseMediaLine(value));
        break;
      default:
        (current?.lines ?? lines).push({ type, value });
    }
  }
  if (origin === undefined || sessionName === undefined || !timing.some((t) => t.type === 't')) {
    throw new SdpError('SDP_MISSING_LINE', 'SDP lacks o=, s= or t=', {});
  }
  return { origin, sessionName, connection, timing, attributes, lines, media };
}

interface MutableMedia {
  type: string;
  port: number;
  portCount: number | undefined;
  proto: string;
  formats: string[];
  connection: SdpConnection | undefined;
  attributes: SdpAttribute[];
  lines: SdpLine[];
}

function parseOrigin(value: string): SdpOrigin {
  const f = value.trim().split(/\s+/);
  if (f.length !== 6) throw new SdpError('SDP_BAD_LINE', 'bad o= line', { line: value.slice(0, 60) });
  const [username, sessionId, sessionVersion, netType, addrType, address] = f as [string, string, string, string, string, string];
  return { username, sessionId, sessionVersion, netType, addrType, address };
}

function parseConnection(value: string): SdpConnection {
  const f = value.trim().split(/\s+/);
  if (f.length !== 3) throw new SdpError('SDP_BAD_LINE', 'bad c= line', { line: value.slice(0, 60) });
  const [netType, addrType, address] = f as [string, string, string];
  return { netType, addrType, address };
}

function parseAttribute(value: string): SdpAttribute {
  const colon = value.indexOf(':');
  if (colon < 0) return { name: value.trim(), value: undefined };
  return { name: value.slice(0, colon).trim(), value: value.slice(colon + 1).trim() };
}

function parseMediaLine(value: string): MutableMedia {
  const f = value.trim().split(/\s+/);
  const m = /^(\d{1,5})(?:\/(\d{1,5}))?$/.exec(f[1] ?? '');
  if (f.length < 3 || m === null || Number(m[1]) > 65535) throw new SdpError('SDP_BAD_LINE', 'bad m= line', { line: value.slice(0, 60) });
  return {
    type: f[0] as string,
    port: Number(m[1]),
    portCount: m[2] === undefined ? undefined : Number(m[2]),
    proto: f[2] as string,
    formats: f.slice(3),
    connection: undefined,
    attributes: [],
    lines: [],
  };
}

/** Writes SDP in RFC 4566 5 order, CRLF line ends. */
export function serializeSdp(sd: SessionDescription): string {
  const out: string[] = ['v=0'];
  const o = sd.origin;
  out.push(`o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.address}`);
  out.push(`s=${sd.sessionName}`);
  const order = 'iuepb';
  for (const t of order) for (const l of sd.lines.filter((x) => x.type === t)) out.push(`${l.type}=${l.value}`);
  if (sd.connection !== undefined) out.push(`c=${formatConnection(sd.connection)}`);
  for (const l of sd.lines.filter((x) => !order.includes(x.type))) out.push(`${l.type}=${l.value}`);
  for (const t of sd.timing) out.push(`${t.type}=${t.value}`);
  for (const a of sd.attributes) out.push(formatAttribute(a));
  for (const m of sd.media) {
    out.push(`m=${m.type} ${m.port}${m.portCount === undefined ? '' : `/${m.portCount}`} ${m.proto}${m.formats.map((f) => ` ${f}`).join('')}`);
    for (const l of m.lines.filter((x) => x.type === 'i')) out.push(`i=${l.value}`);
    if (m.connection !== undefined) out.push(`c=${formatConnection(m.connection)}`);
    for (const l of m.lines.filter((x) => x.type !== 'i')) out.push(`${l.type}=${l.value}`);
    for (const a of m.attributes) out.push(formatAttribute(a));
  }
  return `${out.join('\r\n')}\r\n`;
}

function formatConnection(c: SdpConnection): string {
  return `${c.netType} ${c.addrType} ${c.address}`;
}

function formatAttribute(a: SdpAttribute): string {
  return a.value === undefined ? `a=${a.name}` : `a=${a.name}:${a.value}`;
}

/** The first value of an attribute, its name compared case-insensitively (T38MaxBitRate vs T38maxBitRate). */
export function attr(attributes: readonly SdpAttribute[], name: string): SdpAttribute | undefined {
  const lower = name.toLowerCase();
  return attributes.find((a) => a.name.toLowerCase() === lower);
}

export function attrs(attributes: readonly SdpAttribute[], name: string): SdpAttribute[] {
  const lower = name.toLowerCase();
  return attributes.filter((a) => a.name.toLowerCase() === lower);
}

/** Where a stream's media goes: its own c= or the session's. */
export function mediaAddress(sd: SessionDescription, m: SdpMedia): string | undefined {
  return (m.connection ?? sd.connection)?.address;
}
