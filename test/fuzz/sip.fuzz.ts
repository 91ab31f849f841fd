/**
 * Fuzzer for the SIP and SDP parsers: messages, URIs, Via, name-addr, CSeq, digest
 * challenges, the stream framer, SDP with T.38 attributes and the offer/answer helpers.
 * Inputs are random text and mutations (byte flips, truncations, insertions of SIP's
 * delimiters, duplicated and dropped lines) of real messages. The only failures allowed
 * are SipParseError and SdpError; what parses must write back to text that parses to the
 * same text again (serialize . parse is idempotent).
 *
 *   node --import tsx test/fuzz/sip.fuzz.ts [count] [seed]
 */
import { pathToFileURL } from 'node:url';
import {
  SipParseError, SipStreamFramer, getHeaders, parseCSeq, parseDigestChallenge, parseNameAddr, parseSipMessage, parseUri,
  parseVia, serializeSipText,
} from '../../protocols/sip/index.ts';
import {
  DEFAULT_T38_CAPABILITIES, SdpError, answerOffer, parseSdp, readAudioCodecs, readT38Params, serializeSdp, type LocalMedia,
} from '../../protocols/sdp/index.ts';
import { INVITE_AUDIO_AND_T38, INVITE_SDP, REGISTER_401, TORTURE_COMPACT_FOLDED } from '../unit/protocols/sip/vectors.ts';

const SIP_SEEDS = [INVITE_AUDIO_AND_T38, REGISTER_401, TORTURE_COMPACT_FOLDED];
const SDP_SEEDS = [
  INVITE_SDP,
  'v=0\r\no=- 1 1 IN IP4 203.0.113.20\r\ns=-\r\nt=0 0\r\nm=image 17000 udptl t38\r\nc=IN IP4 203.0.113.21\r\na=T38FaxVersion:3\r\na=T38maxBitRate:33600\r\na=T38FaxFillBitRemoval\r\na=T38FaxUdpEC:t38UDPFEC\r\n',
];
const TOKENS = [':', ';', ',', '<', '>', '"', '\\', '=', '@', ' ', '\t', '\r\n', '\n', '\r\n ', '[', ']', '%', '\u00ff', '0', '65536', 'sip:', 'tag=', ';lr', 'm=image 0 udptl t38\r\n'];
const LOCAL: LocalMedia = {
  address: '192.0.2.1', sessionId: '1', sessionVersion: 1,
  audio: { port: 4000, codecs: ['PCMU', 'PCMA', 'telephone-event'] },
  image: { port: 4002, t38: { ...DEFAULT_T38_CAPABILITIES, fec: true } },
};

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(text: string, rnd: () => number): string {
  const int = (n: number): number => Math.floor(rnd() * n);
  if (rnd() < 0.1) return Array.from({ length: int(200) }, () => String.fromCharCode(int(128))).join('');
  let s = text;
  for (let m = 1 + int(5); m > 0; m--) {
    const at = int(s.length + 1);
    const op = int(6);
    if (op === 0) s = s.slice(0, at) + (TOKENS[int(TOKENS.length)] ?? '') + s.slice(at);
    else if (op === 1) s = s.slice(0, at);
    else if (op === 2) s = s.slice(0, at) + String.fromCharCode(int(256)) + s.slice(at + 1);
    else if (op === 3) s = s.slice(0, at) + s.slice(at + 1 + int(20));
    else {
      const lines = s.split('\r\n');
      const i = int(lines.length);
      if (op === 4) lines.splice(i, 0, lines[int(lines.length)] ?? '');
      else lines.splice(i, 1);
      s = lines.join('\r\n');
    }
  }
  return s;
}

function guard(what: string, input: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof SipParseError || err instanceof SdpError) return;
    const detail = err instanceof Error ? err.stack ?? err.message : String(err);
    throw new Error(`${what} threw an untyped error for ${JSON.stringify(input.slice(0, 2000))}: ${detail}`);
  }
}

export interface FuzzReport {
  iterations: number;
  parsed: Record<string, number>;
}

export function fuzzSip(count: number, seed = 1): FuzzReport {
  const rnd = prng(seed);
  const parsed: Record<string, number> = {};
  const ok = (k: string): void => {
    parsed[k] = (parsed[k] ?? 0) + 1;
  };
  for (let i = 0; i < count; i++) {
    const sip = mutate(SIP_SEEDS[Math.floor(rnd() * SIP_SEEDS.length)] ?? '', rnd);
    guard('parseSipMessage', sip, () => {
      const msg = parseSipMessage(sip);
      ok('message');
      const once = serializeSipText(msg);
      const twice = serializeSipText(parseSipMessage(once));
      if (once !== twice) throw new Error(`SIP serialize/parse not idempotent:\n${once}\n---\n${twice}`);
      for (const v of getHeaders(msg, 'Via')) guard('parseVia', v, () => (parseVia(v), ok('via')));
      for (const name of ['From', 'To', 'Contact', 'Route', 'Record-Route', 'P-Asserted-Identity']) {
        for (const v of getHeaders(msg, name)) guard('parseNameAddr', v, () => (parseNameAddr(v), ok('nameaddr')));
      }
      for (const v of getHeaders(msg, 'CSeq')) guard('parseCSeq', v, () => parseCSeq(v));
      for (const v of [...getHeaders(msg, 'WWW-Authenticate'), ...getHeaders(msg, 'Proxy-Authenticate')]) {
        guard('parseDigestChallenge', v, () => (parseDigestChallenge(v), ok('challenge')));
      }
      if (msg.kind === 'request') guard('parseUri', msg.uri, () => (parseUri(msg.uri), ok('uri')));
    });
    guard('SipStreamFramer', sip, () => {
      const framer = new SipStreamFramer();
      const bytes = new TextEncoder().encode(sip);
      const cut = Math.floor(rnd() * (bytes.length + 1));
      framer.push(bytes.subarray(0, cut));
      framer.push(bytes.subarray(cut));
    });
    const sdp = mutate(SDP_SEEDS[Math.floor(rnd() * SDP_SEEDS.length)] ?? '', rnd);
    guard('parseSdp', sdp, () => {
      const sd = parseSdp(sdp);
      ok('sdp');
      const once = serializeSdp(sd);
      const twice = serializeSdp(parseSdp(once));
      if (once !== twice) throw new Error(`SDP serialize/parse not idempotent:\n${once}\n---\n${twice}`);
      for (const m of sd.media) {
        if (m.type === 'image') readT38Params(m);
        else readAudioCodecs(m);
      }
      guard('answerOffer', sdp, () => {
        const { answer } = answerOffer(sd, LOCAL, rnd() < 0.5 ? 'image' : 'audio');
        if (answer.media.length !== sd.media.length) throw new Error('answer must keep the m-line count (RFC 3264 6)');
        parseSdp(serializeSdp(answer));
        ok('answer');
      });
    });
  }
  return { iterations: count, parsed };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(process.argv[2] ?? 100000);
  const seed = Number(process.argv[3] ?? Date.now() % 1000000);
  const started = Date.now();
  const report = fuzzSip(count, seed);
  console.log(JSON.stringify({ seed, ...report, ms: Date.now() - started }));
}
