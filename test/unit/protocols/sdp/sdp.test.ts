import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_T38_CAPABILITIES, SdpError, answerOffer, buildOffer, negotiateT38, offersT38, parseSdp, readAnswer,
  readAudioCodecs, readT38Params, serializeSdp, t38Attributes, type LocalMedia, type T38Params,
} from '../../../../protocols/sdp/index.ts';
import { INVITE_SDP, crlf } from '../sip/vectors.ts';

/** A T.38 re-INVITE offer as a Cisco-style gateway writes it: odd case, boolean by presence, both EC lines. */
const ODD_CASE_T38 = crlf([
  'v=0',
  'o=CiscoSystemsSIP-GW-UserAgent 4417 9009 IN IP4 203.0.113.20',
  's=SIP Call',
  'c=IN IP4 203.0.113.20',
  't=0 0',
  'm=image 17000 udptl t38',
  'c=IN IP4 203.0.113.21',        // media-level c= overrides the session's
  'a=T38FaxVersion:3',
  'a=T38maxBitRate:33600',        // lower-case "max": seen in the field
  'a=T38FaxFillBitRemoval',       // present without a value: true
  'a=t38faxtranscodingmmr:0',
  'a=T38FaxRateManagement:transferredTCF',
  'a=T38FaxMaxBuffer:260',
  'a=T38FaxMaxDatagram:72',       // a bogus small value
  'a=T38FaxUdpEC:t38UDPFEC',
  'a=T38FaxUdpEC:t38UDPRedundancy',
  '',
]);

const local: LocalMedia = {
  address: '192.0.2.99',
  sessionId: '4242',
  sessionVersion: 1,
  audio: { port: 20000, codecs: ['PCMA', 'PCMU', 'telephone-event'], ptime: 20 },
  image: { port: 20002, t38: { ...DEFAULT_T38_CAPABILITIES, maxVersion: 2, maxBitRate: 14400, fec: true } },
};

test('parse the carrier INVITE SDP: two streams, rtpmap and T.38 attributes; round trip', () => {
  const sd = parseSdp(INVITE_SDP);
  assert.equal(sd.origin.address, '192.0.2.10');
  assert.deepEqual(sd.media.map((m) => [m.type, m.port, m.proto, m.formats.join(' ')]), [
    ['audio', 16384, 'RTP/AVP', '0 8 101'],
    ['image', 16386, 'udptl', 't38'],
  ]);
  assert.deepEqual(readAudioCodecs(sd.media[0]!).map((c) => `${c.payloadType}:${c.name}/${c.clockRate}:${c.fmtp ?? ''}`), ['0:PCMU/8000:', '8:PCMA/8000:', '101:telephone-event/8000:0-15']);
  const t38 = readT38Params(sd.media[1]!);
  assert.deepEqual(t38, {
    version: 0, maxBitRate: 14400, rateManagement: 'transferredTCF', maxBuffer: 2000, maxDatagram: 612,
    errorCorrection: ['t38UDPRedundancy'], fillBitRemoval: false, transcodingMMR: false, transcodingJBIG: false,
  });
  assert.equal(serializeSdp(sd), INVITE_SDP);
  assert.deepEqual(parseSdp(serializeSdp(sd)), sd);
});

test('T.38 attributes are read case-insensitively; presence-only booleans are true', () => {
  const sd = parseSdp(ODD_CASE_T38);
  const p = readT38Params(sd.media[0]!);
  assert.equal(p.version, 3);
  assert.equal(p.maxBitRate, 33600);
  assert.equal(p.fillBitRemoval, true);
  assert.equal(p.transcodingMMR, false);
  assert.deepEqual(p.errorCorrection, ['t38UDPFEC', 't38UDPRedundancy']);
  assert.deepEqual(readT38Params({ ...sd.media[0]!, attributes: t38Attributes(p) }), p, 'write then read gives the same params');
});

test('negotiateT38: min version and rate, redundancy unless FEC alone is offered and supported, datagram override', () => {
  const offer = readT38Params(parseSdp(ODD_CASE_T38).media[0]!);
  const caps = { ...DEFAULT_T38_CAPABILITIES, maxVersion: 2, fec: true, maxDatagram: 400 };
  const r = negotiateT38(offer, caps);
  assert.equal(r.answer.version, 2);
  assert.equal(r.answer.maxBitRate, 14400);
  assert.deepEqual(r.answer.errorCorrection, ['t38UDPRedundancy'], 'FEC and redundancy both offered: redundancy');
  assert.equal(r.answer.fillBitRemoval, false, 'we do not remove fill bits');
  assert.equal(r.answer.maxDatagram, 400);
  assert.equal(r.session.remoteMaxDatagram, 72, 'the far end said 72');
  const fecOnly: T38Params = { ...offer, errorCorrection: ['t38UDPFEC'] };
  assert.equal(negotiateT38(fecOnly, caps).session.errorCorrection, 't38UDPFEC');
  assert.equal(negotiateT38(fecOnly, { ...caps, fec: false }).session.errorCorrection, 't38UDPRedundancy');
  assert.equal(negotiateT38(offer, { ...caps, remoteMaxDatagramOverride: 400 }).session.remoteMaxDatagram, 400);
  assert.equal(negotiateT38({ ...offer, version: 0, maxBitRate: 9600 }, caps).answer.version, 0);
  assert.equal(negotiateT38({ ...offer, version: 0, maxBitRate: 9600 }, caps).session.maxBitRate, 9600);
});

test('answer an offer with audio and image: prefer image -> audio rejected with port 0, T.38 answered', () => {
  const offer = parseSdp(INVITE_SDP);
  const { answer, negotiated } = answerOffer(offer, local, 'image');
  assert.deepEqual(answer.media.map((m) => [m.type, m.port]), [['audio', 0], ['image', 20002]]);
  assert.deepEqual(negotiated.t38?.remote, { address: '192.0.2.10', port: 16386 });
  assert.equal(negotiated.t38?.session.version, 0);
  assert.equal(negotiated.t38?.session.remoteMaxDatagram, 612);
  assert.equal(negotiated.audio, undefined);
  const text = serializeSdp(answer);
  assert.match(text, /\r\nm=image 20002 udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\n/);
  // The offerer reads our answer back to the same session.
  const back = readAnswer(offer, parseSdp(text), local);
  assert.equal(back.t38?.session.errorCorrection, 't38UDPRedundancy');
});

test('answer an offer with audio and image: prefer audio -> G.711 in the offerer order plus telephone-event', () => {
  const { answer, negotiated } = answerOffer(parseSdp(INVITE_SDP), local, 'audio');
  assert.deepEqual(answer.media.map((m) => [m.type, m.port, m.formats.join(' ')]), [['audio', 20000, '0 101'], ['image', 0, 't38']]);
  assert.equal(negotiated.audio?.codec.name, 'PCMU', 'offerer listed PCMU first');
  assert.equal(negotiated.audio?.telephoneEvent, 101);
});

test('an audio-only offer answered when T.38 is preferred; nothing acceptable -> SDP_NOT_ACCEPTABLE', () => {
  const audioOnly = parseSdp(INVITE_SDP.replace(/m=image[\s\S]*$/, ''));
  assert.equal(offersT38(audioOnly), false);
  assert.equal(answerOffer(audioOnly, local, 'image').negotiated.audio?.codec.name, 'PCMU');
  const g729 = parseSdp(crlf(['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 4000 RTP/AVP 18', 'a=rtpmap:18 G729/8000', '']));
  assert.throws(() => answerOffer(g729, local, 'image'), (e: unknown) => e instanceof SdpError && e.code === 'SDP_NOT_ACCEPTABLE');
  const noImage: LocalMedia = { ...local, image: undefined };
  const t38Only = parseSdp(ODD_CASE_T38);
  assert.throws(() => answerOffer(t38Only, noImage, 'image'), (e: unknown) => e instanceof SdpError && e.code === 'SDP_NOT_ACCEPTABLE');
});

test('buildOffer writes an initial INVITE offer with both m=audio and m=image', () => {
  const sd = buildOffer(local, { audio: true, image: true });
  const text = serializeSdp(sd);
  assert.match(text, /^v=0\r\no=faxgate 4242 1 IN IP4 192\.0\.2\.99\r\ns=faxgate\r\nc=IN IP4 192\.0\.2\.99\r\nt=0 0\r\n/);
  assert.match(text, /m=audio 20000 RTP\/AVP 8 0 101\r\na=rtpmap:8 PCMA\/8000\r\n/);
  assert.match(text, /m=image 20002 udptl t38\r\na=T38FaxVersion:2\r\n/);
  assert.match(text, /a=T38FaxUdpEC:t38UDPFEC\r\n/);
  assert.deepEqual(parseSdp(text), sd);
});

test('malformed SDP throws SdpError with a code', () => {
  const cases: Array<[string, string]> = [
    ['o=- 1 1 IN IP4 x\r\n', 'SDP_MISSING_LINE'],
    ['v=0\r\no=- 1 1 IN IP4\r\ns=-\r\nt=0 0\r\n', 'SDP_BAD_LINE'],
    ['v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio x RTP/AVP 0\r\n', 'SDP_BAD_LINE'],
    ['v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\n', 'SDP_MISSING_LINE'],
    ['v=0\r\nthis is not sdp\r\n', 'SDP_BAD_LINE'],
  ];
  for (const [text, code] of cases) assert.throws(() => parseSdp(text), (e: unknown) => e instanceof SdpError && e.code === code, text);
});
