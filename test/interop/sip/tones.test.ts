/**
 * The switch to T.38 on a fax tone, against SIPp: SIPp calls with G.711 only (PCMU, or PCMA
 * in the -pcma scenario) and, once answered, plays CNG from a pcap (test/support/rtp-pcap.ts)
 * on the RTP. The UAS here is faxgate's UserAgent with an RtpEndpoint and FaxToneWatch,
 * wired the way the SIP gateway wires them: answer audio, play CED, hear CNG, re-INVITE with
 * a T.38 offer. SIPp checks the re-INVITE (m=image udptl t38), answers it with T.38, and
 * hangs up.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../../../core/clock.ts';
import {
  DEFAULT_T38_CAPABILITIES, answerOffer, buildOffer, parseSdp, readAnswer, serializeSdp, type LocalMedia, type NegotiatedMedia,
} from '../../../protocols/sdp/index.ts';
import { FaxToneWatch, RtpEndpoint, CNG, type InOrderPacket } from '../../../telephony/media/index.ts';
import { UdpSipTransport, UserAgent, type Call } from '../../../telephony/sip/index.ts';
import { TONE_PCAP_DEFAULTS, writeTonePcap } from '../../support/rtp-pcap.ts';
import { pickFreeUdpPorts } from '../../support/spandsp.ts';
import { runSipp } from './sipp.ts';

const hasSipp = spawnSync('sipp', ['-v']).status !== null;
// play_pcap_audio sends from a raw socket.
const skip = !hasSipp ? 'sipp (Debian sip-tester) is not installed' : process.getuid?.() !== 0 ? 'sipp needs root (a raw socket) to play a pcap' : false;

/** Bounds every wait, so that a stuck step fails the test and `finally` still closes the sockets. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

interface Heard {
  packets: InOrderPacket[];
}

/** Records what reaches the endpoint before the watch sees it (a test-only tap). */
function tap(endpoint: RtpEndpoint, heard: Heard): void {
  const onPacket = endpoint.onPacket.bind(endpoint);
  endpoint.onPacket = (listener) =>
    onPacket((p) => {
      heard.packets.push(p);
      listener(p);
    });
}

const cases = [
  { scenario: 'uac-audio-cng.xml', law: 'ulaw', codec: 'PCMU', payloadType: 0 },
  { scenario: 'uac-audio-cng-pcma.xml', law: 'alaw', codec: 'PCMA', payloadType: 8 },
] as const;

for (const { scenario, law, codec, payloadType } of cases) {
  test(`sipp calls with ${codec} and plays CNG (${scenario}): faxgate hears it on the RTP, re-INVITEs to T.38, sipp answers T.38 and hangs up`, { skip, timeout: 40_000 }, async () => {
    const [sipPort, mediaPort, sippPort, sippMedia] = (await pickFreeUdpPorts(4)) as [number, number, number, number];
    const dir = mkdtempSync(join(tmpdir(), 'faxgate-tones-'));
    const pcap = join(dir, 'cng.pcap');
    // Two CNG cycles: the UAS gets a second chance, as a real caller repeats CNG until answered.
    writeTonePcap(pcap, { tone: CNG, law, durationMs: 7000 });
    const transport = await UdpSipTransport.open({ host: '127.0.0.1', port: sipPort });
    const ua = new UserAgent({ clock: systemClock, transports: [transport] });
    const local: LocalMedia = {
      address: '127.0.0.1',
      sessionId: String(Date.now()),
      sessionVersion: 1,
      audio: { port: mediaPort, codecs: ['PCMU', 'PCMA', 'telephone-event'] },
      image: { port: mediaPort + 2, t38: DEFAULT_T38_CAPABILITIES },
    };
    const heard: Heard = { packets: [] };
    let endpoint: RtpEndpoint | undefined;
    let watch: FaxToneWatch | undefined;
    const steps: string[] = [];

    const gateway = new Promise<{ call: Call; packetsHeard: number; t38: NegotiatedMedia; offer: string }>((resolve, reject) => {
      ua.on('invite', (call) => {
        void (async () => {
          const { answer, negotiated } = answerOffer(parseSdp(call.remoteSdp ?? ''), local, 'image');
          const audio = negotiated.audio;
          if (audio === undefined) throw new Error('no audio in the offer');
          steps.push(`answer:${audio.codec.name}`);
          endpoint = await RtpEndpoint.open({ clock: systemClock, localPort: mediaPort, localAddress: '127.0.0.1', payloadType: audio.codec.payloadType, remote: { host: audio.remote.address, port: audio.remote.port } });
          tap(endpoint, heard);
          const confirmed = new Promise<void>((r) => call.on('confirmed', () => r()));
          ua.answer(call, serializeSdp(answer));
          watch = new FaxToneWatch({ endpoint, payloadType: audio.codec.payloadType, clock: systemClock, detect: ['CNG'], play: 'CED', timeoutMs: 15_000 });
          const tone = await watch.detected;
          const packetsHeard = heard.packets.length;
          if (tone === undefined) throw new Error('no CNG within 15 s');
          steps.push(`heard:${tone.tone}`);
          await confirmed;
          watch.stop();
          const offer = serializeSdp(buildOffer({ ...local, sessionVersion: 2 }, { audio: false, image: true }));
          const r = await ua.reinvite(call, offer);
          if (!r.ok || r.sdp === undefined) throw new Error(`re-INVITE answered ${r.status} ${r.reason}`);
          steps.push('t38');
          const t38 = readAnswer(parseSdp(offer), parseSdp(r.sdp), local);
          await endpoint.close();
          resolve({ call, packetsHeard, t38, offer });
        })().catch(reject);
      });
    });

    let sipp: ReturnType<typeof runSipp> | undefined;
    try {
      sipp = runSipp({
        scenario, port: sippPort, remote: `127.0.0.1:${sipPort}`, mediaPort: sippMedia,
        keys: { cng_pcap: pcap }, extraArgs: ['-mi', '127.0.0.1'], timeoutS: 30,
      });
      // SIPp ending first (a failed check, a bind error) fails the test now, not at its timeout.
      const sippEnded = sipp.result.then((r) => Promise.reject(new Error(`sipp ended before the switch (exit ${r.code}):\n${r.errors}\n${r.stderr}\n${r.stdout.slice(-1500)}`)));
      sippEnded.catch(() => undefined);
      const { call, packetsHeard, t38, offer } = await within(Promise.race([gateway, sippEnded]), 25_000, 'CNG and the switch to T.38');
      const ended = new Promise<string>((resolve) => {
        if (call.state === 'terminated') resolve(`ended:${call.end?.by}`);
        call.on('bye', (by) => resolve(`bye:${by}`));
        call.on('failed', (s) => resolve(`failed:${s}`));
      });
      const r = await within(sipp.result, 10_000, 'sipp to finish');
      assert.equal(r.code, 0, `sipp failed (exit ${r.code}):\n${r.errors}\n${r.stderr}\n${r.stdout.slice(-1500)}`);
      assert.equal(await within(ended, 5000, 'the BYE'), 'bye:remote', 'sipp hung up and faxgate answered its BYE');
      assert.deepEqual(steps, [`answer:${codec}`, 'heard:CNG', 't38']);

      // The audio was SIPp's replay of our pcap: its SSRC, sequence and timestamps, in order.
      const first = heard.packets[0]?.packet;
      assert.deepEqual([first?.ssrc, first?.sequenceNumber, first?.timestamp, first?.payloadType, first?.payload.length], [TONE_PCAP_DEFAULTS.ssrc, TONE_PCAP_DEFAULTS.initialSequence, TONE_PCAP_DEFAULTS.initialTimestamp, payloadType, 160]);
      assert.ok(heard.packets.every((p, i) => p.packet.sequenceNumber === TONE_PCAP_DEFAULTS.initialSequence + i && p.lostBefore === 0));
      // CNG is known only once its 0.5 s burst (25 packets) has ended, two quiet packets
      // later: not before SIPp played that much, and on the first burst.
      assert.ok(packetsHeard >= 25 && packetsHeard <= 28, `CNG detected at packet ${packetsHeard}`);
      // By SIPp's clock (its log, in ms): the re-INVITE came after 0.5 s of CNG, and long before the second burst.
      const tick = (what: RegExp): number => Number(what.exec(r.log)?.[1]);
      const switchMs = tick(/re-INVITE at (\d+)/) - tick(/cng playing at (\d+)/);
      assert.ok(switchMs >= 500 && switchMs < 3500, `re-INVITE ${switchMs} ms after SIPp started the CNG`);

      // What SIPp saw in the re-INVITE (its check_it regexps fail the scenario otherwise).
      assert.match(r.log, /re-INVITE at \d+ with m=image [1-9]\d* udptl t38 T38FaxVersion:0/);
      assert.match(offer, /^m=image \d+ udptl t38$/m);
      assert.doesNotMatch(offer, /^m=audio/m);
      assert.deepEqual([t38.t38?.session.version, t38.t38?.session.maxBitRate, t38.t38?.remote.port], [0, 14400, sippMedia + 2]);
    } finally {
      sipp?.kill();
      watch?.stop();
      await endpoint?.close();
      await ua.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
