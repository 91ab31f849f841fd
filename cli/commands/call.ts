import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliIo, type Command } from '../command.ts';
import { ScaledClock, systemClock, type Clock } from '../../core/clock.ts';
import { resultForSipStatus } from '../../protocols/fax-results/index.ts';
import {
  DEFAULT_T38_CAPABILITIES, answerOffer, buildOffer, parseSdp, readAnswer, serializeSdp,
  type LocalMedia, type NegotiatedMedia, type SessionDescription, type T38Session,
} from '../../protocols/sdp/index.ts';
import type { T38Version } from '../../protocols/t38/index.ts';
import type { UdptlErrorCorrection } from '../../protocols/udptl/index.ts';
import { StreamSipTransport, UdpSipTransport, UserAgent, type Call, type SipTransport } from '../../telephony/sip/index.ts';
import { T38Terminal } from '../../telephony/t38/index.ts';
import { UdpTransport } from '../../telephony/udp/udp-transport.ts';
import { runFaxCall, type FaxSendDocument } from '../../actors/fax-call/index.ts';
import { failureLine, print, resultLine, tiffDocument, type ResultLine } from './t38.ts';

/**
 * `faxgate call send`: one outbound fax call over SIP, the pages carried by T.38. The SIP
 * dialog and the fax run side by side: the fax starts once T.38 is negotiated (in the
 * answer, or by a re-INVITE either way) and the call is hung up when the fax ends.
 */

const HELP = `usage: faxgate call send --tiff FILE --to sip:NUMBER@HOST:PORT [options]

  --transport udp|tcp       SIP transport (default udp)
  --proxy sip:HOST[:PORT]   send the INVITE to this outbound proxy, the --to URI staying
                            the Request-URI; in-dialog requests follow its Record-Route
  --t38-initial             offer T.38 in the INVITE (default)
  --audio-first             offer G.711 audio, then re-INVITE to T.38 once answered
                            (a re-INVITE to T.38 from the far end is accepted too)
  --local-address A         our address in Via/Contact/SDP (default: loopback for a
                            loopback target, else the first external IPv4 address)
  --local-sip-port P        (default: any free port)
  --local-media-port P      UDPTL port (default: any free port)
  --ecm | --no-ecm          offer/use error correction (default --ecm)
  --csid ID                 our identity (TSI)
  --timeout S               give up after S seconds (default 300)

Prints the same JSON line as \`faxgate t38 send\`; exit status 0 on success, 1 when the fax
or the call failed (a SIP failure maps to its fax result code: 486 busy, 488 T.38 refused...),
2 on bad usage.
`;

interface SendArgs {
  readonly file: string;
  readonly to: string;
  readonly targetHost: string;
  readonly transport: 'udp' | 'tcp';
  readonly proxy: string | undefined;
  readonly audioFirst: boolean;
  readonly localAddress: string;
  readonly sipPort: number;
  readonly mediaPort: number;
  readonly ecm: boolean;
  readonly csid: string | undefined;
  readonly timeoutMs: number;
  readonly timeScale: number;
}

export const command: Command = {
  async run(args: string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      io.stdout.write(HELP);
      return sub === undefined ? 2 : 0;
    }
    if (sub !== 'send') throw new UsageError(`unknown subcommand '${sub}'`);
    return sendFax(parseSendArgs(rest, io.cwd), io);
  },
};

function parseSendArgs(args: string[], cwd: string): SendArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        tiff: { type: 'string' },
        to: { type: 'string' },
        transport: { type: 'string' },
        proxy: { type: 'string' },
        't38-initial': { type: 'boolean' },
        'audio-first': { type: 'boolean' },
        'local-address': { type: 'string' },
        'local-sip-port': { type: 'string' },
        'local-media-port': { type: 'string' },
        ecm: { type: 'boolean' },
        'no-ecm': { type: 'boolean' },
        csid: { type: 'string' },
        timeout: { type: 'string' },
        'time-scale': { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  if (v.tiff === undefined) throw new UsageError('--tiff FILE is required');
  if (v.to === undefined) throw new UsageError('--to sip:NUMBER@HOST:PORT is required');
  const target = /^sips?:[^@]+@(\[[^\]]+\]|[^:;>]+)/.exec(v.to);
  if (target?.[1] === undefined) throw new UsageError(`--to must be sip:NUMBER@HOST[:PORT], not '${v.to}'`);
  if (v.proxy !== undefined && !/^sips?:[^@;>]+(;[^>]*)?$/.test(v.proxy)) throw new UsageError(`--proxy must be sip:HOST[:PORT], not '${v.proxy}'`);
  const transport = v.transport ?? 'udp';
  if (transport !== 'udp' && transport !== 'tcp') throw new UsageError(`--transport must be udp or tcp, not '${transport}'`);
  if (v['t38-initial'] === true && v['audio-first'] === true) throw new UsageError('--t38-initial and --audio-first exclude each other');
  if (v.ecm === true && v['no-ecm'] === true) throw new UsageError('--ecm and --no-ecm exclude each other');
  const timeoutS = v.timeout === undefined ? 300 : Number(v.timeout);
  if (!(timeoutS > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  const timeScale = v['time-scale'] === undefined ? 1 : Number(v['time-scale']);
  if (!(timeScale > 0 && timeScale <= 1000)) throw new UsageError('--time-scale must be a number in (0, 1000]');
  const targetHost = target[1];
  return {
    file: resolve(cwd, v.tiff),
    to: v.to,
    targetHost,
    transport,
    proxy: v.proxy,
    audioFirst: v['audio-first'] === true,
    localAddress: v['local-address'] ?? defaultLocalAddress(targetHost),
    sipPort: port(v['local-sip-port'], '--local-sip-port'),
    mediaPort: port(v['local-media-port'], '--local-media-port'),
    ecm: v['no-ecm'] !== true,
    csid: v.csid,
    timeoutMs: timeoutS * 1000,
    timeScale,
  };
}

function port(text: string | undefined, name: string): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${name} must be a port 0-65535, not '${text}'`);
  return n;
}

/** The far end must reach our SDP address, so loopback only for a loopback target. */
function defaultLocalAddress(targetHost: string): string {
  if (targetHost === 'localhost' || targetHost.startsWith('127.')) return '127.0.0.1';
  for (const list of Object.values(networkInterfaces())) {
    const external = list?.find((i) => i.family === 'IPv4' && !i.internal);
    if (external !== undefined) return external.address;
  }
  return '127.0.0.1';
}

/** A free UDP port, for the SDP offer written before the media socket can be connected to the far end. */
async function freeUdpPort(address: string): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((res, rej) => {
    s.once('error', rej);
    s.bind(0, address, () => res());
  });
  const p = s.address().port;
  await new Promise<void>((res) => s.close(() => res()));
  return p;
}

async function sendFax(a: SendArgs, io: CliIo): Promise<number> {
  const clock: Clock = a.timeScale === 1 ? systemClock : new ScaledClock(a.timeScale);
  const started = clock.now();
  const fail = (line: Omit<ResultLine, 'durationMs'>): number => print(io, { ...line, durationMs: Math.round(clock.now() - started) });

  let document: FaxSendDocument;
  try {
    document = tiffDocument(readFileSync(a.file));
  } catch (err) {
    return fail(failureLine('internal', `cannot read the TIFF [path:${a.file}]: ${err instanceof Error ? err.message : String(err)}`));
  }

  let sip: SipTransport;
  try {
    sip = a.transport === 'tcp'
      ? await StreamSipTransport.open({ host: a.localAddress, port: a.sipPort })
      : await UdpSipTransport.open({ host: a.localAddress, port: a.sipPort });
  } catch (err) {
    return fail(failureLine('internal', `cannot open SIP ${a.transport} port ${a.sipPort}: ${err instanceof Error ? err.message : String(err)}`));
  }
  // SIP timers stay in real time even under --time-scale: the far end's SIP stack is not scaled.
  const ua = new UserAgent({ clock: systemClock, transports: [sip] });
  try {
    const imagePort = a.mediaPort === 0 ? await freeUdpPort(a.localAddress) : a.mediaPort;
    const local: LocalMedia = {
      address: a.localAddress,
      sessionId: String(Date.now()),
      sessionVersion: 1,
      // No RTP is sent: the audio stream only carries the call until someone switches to T.38.
      audio: { port: imagePort + 2, codecs: ['PCMU', 'PCMA'] },
      image: { port: imagePort, t38: DEFAULT_T38_CAPABILITIES },
    };
    const offer = buildOffer(local, { audio: a.audioFirst, image: !a.audioFirst });
    const call = ua.invite(a.to, serializeSdp(offer), { transport: a.transport === 'tcp' ? 'TCP' : 'UDP', proxy: a.proxy });
    const hangup = new Promise<string>((res) => call.on('bye', (by) => res(`bye:${by}`)));

    const t38 = await negotiated(ua, call, offer, local, a.timeoutMs);
    if ('failed' in t38) {
      const status = t38.failed;
      const name = status === 0 ? 'no-answer' : resultForSipStatus(status);
      if (call.state === 'confirmed') ua.bye(call);
      else if (call.state === 'calling') ua.cancel(call);
      return fail(failureLine(name, t38.reason));
    }
    io.stderr.write(`faxgate call: T.38 to ${t38.remote.address}:${t38.remote.port} from udp port ${imagePort}\n`);

    const udp = await UdpTransport.open({ localPort: imagePort, localAddress: a.localAddress, remote: { host: t38.remote.address, port: t38.remote.port } });
    const modem = new T38Terminal({
      transport: udp,
      clock,
      version: Math.min(3, t38.session.version) as T38Version,
      rateManagement: t38.session.rateManagement,
      errorCorrection: errorCorrection(t38.session),
      maxDatagramSize: t38.session.remoteMaxDatagram,
    });
    const fax = runFaxCall({ modem, clock, role: 'caller', send: document, localIdent: a.csid, ecm: a.ecm, maxBitRate: maxRate(t38.session.maxBitRate) });
    let timedOut = false;
    const timer = clock.setTimeout(() => {
      timedOut = true;
      fax.abort();
    }, a.timeoutMs);
    // A far end that hangs up mid-fax ends the T.30 session at once instead of by its timers.
    void hangup.then(() => fax.abort());
    const result = await fax.result;
    clock.clearTimeout(timer);
    await modem.close();
    if (call.state === 'confirmed') {
      const heard = ua.layer.stats.received;
      ua.bye(call);
      await until(() => ua.layer.stats.received > heard, 2000);
    } else {
      // Our 200 to the far end's BYE must leave before the socket closes.
      await until(() => false, 200);
    }
    return print(io, resultLine(result, timedOut, a.timeoutMs));
  } finally {
    await ua.close();
  }
}

/**
 * Closing the user agent aborts its transactions, so a BYE sent just before would be lost
 * (the socket resolves the destination asynchronously): wait for the far end's answer.
 */
async function until(done: () => boolean, maxMs: number): Promise<void> {
  for (let waited = 0; waited < maxMs && !done(); waited += 20) await new Promise((r) => setTimeout(r, 20));
}

type T38Negotiated = NonNullable<NegotiatedMedia['t38']>;

/**
 * Waits for the T.38 session: in the answer (T.38 offered first), or after answered audio by
 * our re-INVITE or the far end's, whichever completes first. `failed: 0` is a timeout.
 */
function negotiated(ua: UserAgent, call: Call, offer: SessionDescription, local: LocalMedia, timeoutMs: number): Promise<T38Negotiated | { failed: number; reason: string }> {
  return new Promise((settle) => {
    let done = false;
    const finish = (r: T38Negotiated | { failed: number; reason: string }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      settle(r);
    };
    const timer = setTimeout(() => finish({ failed: 0, reason: `no T.38 within ${timeoutMs / 1000} s` }), timeoutMs);
    call.on('failed', (status, reason) => finish({ failed: status, reason: `SIP ${status} ${reason}` }));
    call.on('bye', () => finish({ failed: 487, reason: 'the far end hung up before T.38' }));
    call.on('offer', (o) => {
      const r = answerOffer(parseSdp(o.sdp), { ...local, sessionVersion: local.sessionVersion + 2 }, 'image');
      o.accept(serializeSdp(r.answer));
      if (r.negotiated.t38 !== undefined) finish(r.negotiated.t38);
    });
    call.on('answered', (sdp) => {
      const n = readAnswer(offer, parseSdp(sdp), local);
      if (n.t38 !== undefined) return finish(n.t38);
      if (n.audio === undefined) return finish({ failed: 488, reason: 'the answer has neither T.38 nor audio' });
      // A fax gateway usually re-INVITEs to T.38 itself right after answering; offering ours at
      // the same moment would only collide (491 both ways), so ours waits a moment first.
      setTimeout(() => {
        if (!done) switchToT38();
      }, FAR_END_REINVITE_GRACE_MS);
    });
    const switchToT38 = (): void => {
      const t38Offer = buildOffer({ ...local, sessionVersion: local.sessionVersion + 1 }, { audio: false, image: true });
      void ua.reinvite(call, serializeSdp(t38Offer)).then((r) => {
        if (done) return;
        if (!r.ok) return finish({ failed: r.status, reason: `re-INVITE to T.38: SIP ${r.status}` });
        const t = r.sdp === undefined ? undefined : readAnswer(t38Offer, parseSdp(r.sdp), local).t38;
        if (t === undefined) return finish({ failed: 488, reason: 're-INVITE to T.38 answered without T.38' });
        finish(t);
      });
    };
  });
}

const FAR_END_REINVITE_GRACE_MS = 1500;

function errorCorrection(s: T38Session): UdptlErrorCorrection {
  if (s.errorCorrection === 't38UDPFEC') return { mode: 'fec', span: 3, entries: 3 };
  if (s.errorCorrection === 't38UDPNoEC') return { mode: 'none' };
  return { mode: 'redundancy', depth: 3 };
}

function maxRate(bps: number): 14400 | 12000 | 9600 | 7200 | 4800 | 2400 {
  const rates = [14400, 12000, 9600, 7200, 4800, 2400] as const;
  return rates.find((r) => r <= bps) ?? 2400;
}
