import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliIo, type Command } from '../command.ts';
import { integerOption, readSharedCallOptions, sharedCallOptions } from '../call-options.ts';
import { ScaledClock, systemClock, type Clock } from '../../core/clock.ts';
import { resultForSipStatus } from '../../protocols/fax-results/index.ts';
import { DEFAULT_T38_CAPABILITIES } from '../../protocols/sdp/index.ts';
import { CallMedia, firstExternalIPv4, placeT38Call } from '../../telephony/gateway/index.ts';
import { StreamSipTransport, UdpSipTransport, UserAgent, type Call, type SipTransport } from '../../telephony/sip/index.ts';
import { tiffDocument, type FaxSendDocument } from '../../actors/fax-call/index.ts';
import { loadConfig } from '../../core/config/config.ts';
import { pluginConfig } from '../../core/plugins/host.ts';
import sipPlugin from '../../plugins/sip-gateway/index.ts';
import { sipConfig, type SipConfig } from '../../plugins/sip-gateway/config.ts';
import { OutboundDialer } from '../../plugins/sip-gateway/outbound.ts';
import { faxOnCall } from '../../plugins/sip-gateway/fax-on-call.ts';
import { failureLine, print, resultLine, type ResultLine } from './t38.ts';

/**
 * `faxgate call send`: one outbound fax call over SIP, the pages carried by T.38. The SIP
 * dialog and the fax run side by side: the fax starts once T.38 is negotiated (in the
 * answer, or by a re-INVITE either way) and the call is hung up when the fax ends.
 */

const HELP = `usage: faxgate call send --tiff FILE --to sip:NUMBER@HOST:PORT [options]
       faxgate call send --tiff FILE --to NUMBER [--config FILE] [options]

With a SIP URI the call goes straight there. With a phone number (03-1234-5678,
+81312345678, 010-1-212-555-0100) it goes out over the trunks of the config file
(pluginConfig.sip.trunks: longest prefix first, on to the next trunk on 5xx, no answer
or full channels; each trunk's number format, credentials and T.38 policy).

  --config FILE             faxgate config with the trunks (default FAXGATE_CONFIG or ./faxgate.json)

  --transport udp|tcp       SIP transport (default udp)
  --proxy sip:HOST[:PORT]   send the INVITE to this outbound proxy, the --to URI staying
                            the Request-URI; in-dialog requests follow its Record-Route
  --t38-initial             offer T.38 in the INVITE (default)
  --audio-first             offer G.711 audio and play CNG; re-INVITE to T.38 when CED is
                            heard (or 1.5 s after the answer)
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
  /** The host of a SIP URI target; undefined when `to` is a number routed over trunks. */
  readonly targetHost: string | undefined;
  readonly config: string | undefined;
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
    const a = parseSendArgs(rest, io.cwd);
    return a.targetHost === undefined ? sendOverTrunks(a, io) : sendFax(a, io);
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
        config: { type: 'string' },
        transport: { type: 'string' },
        proxy: { type: 'string' },
        't38-initial': { type: 'boolean' },
        'audio-first': { type: 'boolean' },
        'local-address': { type: 'string' },
        'local-sip-port': { type: 'string' },
        'local-media-port': { type: 'string' },
        ...sharedCallOptions,
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  if (v.tiff === undefined) throw new UsageError('--tiff FILE is required');
  if (v.to === undefined) throw new UsageError('--to sip:NUMBER@HOST:PORT or --to NUMBER is required');
  const isUri = /^sips?:/i.test(v.to);
  const target = /^sips?:[^@]+@(\[[^\]]+\]|[^:;>]+)/.exec(v.to);
  if (isUri && target?.[1] === undefined) throw new UsageError(`--to must be sip:NUMBER@HOST[:PORT] or a phone number, not '${v.to}'`);
  if (!isUri && !/^[+0-9０-９][-0-9０-９ ()]*$/.test(v.to)) throw new UsageError(`--to must be sip:NUMBER@HOST[:PORT] or a phone number, not '${v.to}'`);
  if (!isUri && (v.proxy !== undefined || v.transport !== undefined)) throw new UsageError('--proxy and --transport apply to a SIP URI target; a number goes out as its trunk says');
  if (v.proxy !== undefined && !/^sips?:[^@;>]+(;[^>]*)?$/.test(v.proxy)) throw new UsageError(`--proxy must be sip:HOST[:PORT], not '${v.proxy}'`);
  const transport = v.transport ?? 'udp';
  if (transport !== 'udp' && transport !== 'tcp') throw new UsageError(`--transport must be udp or tcp, not '${transport}'`);
  if (v['t38-initial'] === true && v['audio-first'] === true) throw new UsageError('--t38-initial and --audio-first exclude each other');
  const shared = readSharedCallOptions(v);
  const targetHost = target?.[1];
  return {
    file: resolve(cwd, v.tiff),
    to: v.to,
    targetHost,
    config: v.config,
    transport,
    proxy: v.proxy,
    audioFirst: v['audio-first'] === true,
    // For a number the trunks decide (resolved once the config is read).
    localAddress: v['local-address'] ?? (targetHost === undefined ? '' : defaultLocalAddress(targetHost)),
    sipPort: port(v['local-sip-port'], '--local-sip-port'),
    mediaPort: port(v['local-media-port'], '--local-media-port'),
    ...shared,
  };
}

function port(text: string | undefined, name: string): number {
  return integerOption(text, name, 0, 65535) ?? 0;
}

/** The far end must reach our SDP address, so loopback only for a loopback target. */
function defaultLocalAddress(targetHost: string): string {
  return targetHost === 'localhost' || targetHost.startsWith('127.') ? '127.0.0.1' : firstExternalIPv4();
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
  let media: CallMedia | undefined;
  try {
    try {
      media = await CallMedia.open({ address: a.localAddress, clock: systemClock, audio: a.audioFirst, t38: DEFAULT_T38_CAPABILITIES, ...(a.mediaPort === 0 ? {} : { ports: { min: a.mediaPort, max: a.mediaPort + 3 } }) });
    } catch (err) {
      return fail(failureLine('internal', `cannot open the media ports: ${err instanceof Error ? err.message : String(err)}`));
    }
    const { call, t38: switched } = placeT38Call(a.to, { transport: a.transport === 'tcp' ? 'TCP' : 'UDP', proxy: a.proxy }, {
      ua,
      media,
      clock: systemClock,
      policy: a.audioFirst ? 'audio-then-reinvite' : 'offer-in-invite',
      timeoutMs: a.timeoutMs,
      log: (message, fields) => io.stderr.write(`faxgate call: ${message} ${JSON.stringify(fields ?? {})}\n`),
    });
    const t38 = await switched;
    if (!t38.ok) {
      const name = t38.status === 0 ? 'no-answer' : resultForSipStatus(t38.status);
      const ringing = call.state === 'calling';
      await ua.bye(call);
      // RFC 3261 9.1: a CANCELled INVITE still ends with its own final response (487), which its
      // transaction ACKs; closing the socket at once would leave the far end (or a proxy's
      // transaction) resending the 487 unACKed. Wait for it, bounded.
      if (ringing) await ended(call, CANCEL_WAIT_MS);
      return fail(failureLine(name, t38.reason));
    }
    io.stderr.write(`faxgate call: T.38 (${t38.via}) to ${t38.t38.remote.address}:${t38.t38.remote.port} from udp port ${media.udptl.localPort}\n`);

    const { result, timedOut } = await faxOnCall({
      ua, call, media, t38: t38.t38, clock, timeoutMs: a.timeoutMs,
      fax: { role: 'caller', send: document, localIdent: a.csid, ecm: a.ecm },
    });
    // When the far end hung up, our 200 to its BYE must leave before the socket closes.
    if (call.end?.by === 'remote') await new Promise((r) => setTimeout(r, 200));
    return print(io, resultLine(result, timedOut, a.timeoutMs));
  } finally {
    await media?.close();
    await ua.close();
  }
}

/** `--to NUMBER`: the trunks of the config, as `faxgate serve` will dial them. */
async function sendOverTrunks(a: SendArgs, io: CliIo): Promise<number> {
  const clock: Clock = a.timeScale === 1 ? systemClock : new ScaledClock(a.timeScale);
  const started = clock.now();
  const fail = (line: Omit<ResultLine, 'durationMs'>): number => print(io, { ...line, durationMs: Math.round(clock.now() - started) });
  let sip: SipConfig;
  try {
    const config = loadConfig({ file: a.config, env: io.env, cwd: io.cwd });
    sip = sipConfig(pluginConfig(sipPlugin, config.pluginConfig[sipPlugin.name] ?? {}, io.env));
  } catch (err) {
    io.stderr.write(`faxgate call: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  if (sip.routing.trunks.length === 0) {
    io.stderr.write('faxgate call: the config has no trunks (pluginConfig.sip.trunks); give --to sip:NUMBER@HOST:PORT or configure a trunk\n');
    return 2;
  }
  let document: FaxSendDocument;
  try {
    document = tiffDocument(readFileSync(a.file));
  } catch (err) {
    return fail(failureLine('internal', `cannot read the TIFF [path:${a.file}]: ${err instanceof Error ? err.message : String(err)}`));
  }
  const loopbackTrunks = sip.routing.trunks.every((t) => t.host === 'localhost' || t.host.startsWith('127.'));
  const local = a.localAddress !== '' ? a.localAddress : loopbackTrunks ? '127.0.0.1' : sip.advertise;
  const transports: SipTransport[] = [];
  try {
    transports.push(await UdpSipTransport.open({ host: local, port: a.sipPort }));
    if (sip.routing.trunks.some((t) => t.transport === 'tcp')) transports.push(await StreamSipTransport.open({ host: local, port: 0 }));
    if (sip.routing.trunks.some((t) => t.transport === 'tls')) transports.push(await StreamSipTransport.open({ host: local, port: 0, tls: {} }));
  } catch (err) {
    for (const t of transports) await t.close();
    return fail(failureLine('internal', `cannot open SIP ports on ${local}: ${err instanceof Error ? err.message : String(err)}`));
  }
  const ua = new UserAgent({ clock: systemClock, transports });
  const dialer = new OutboundDialer({
    ua,
    trunks: sip.routing.trunks,
    clock,
    advertise: local,
    ...(sip.mediaPorts === undefined ? {} : { mediaPorts: sip.mediaPorts }),
    log: (message, fields) => io.stderr.write(`faxgate call: ${message} ${JSON.stringify(fields ?? {})}\n`),
  });
  try {
    const r = await dialer.send({ to: a.to, document, csid: a.csid, ecm: a.ecm, timeoutMs: a.timeoutMs });
    const base: ResultLine = r.fax !== undefined
      ? resultLine(r.fax, false, a.timeoutMs)
      : { ...failureLine(r.name, ''), reason: r.reason, durationMs: Math.round(clock.now() - started) };
    io.stdout.write(`${JSON.stringify({ ...base, to: r.to, trunk: r.trunk, attempts: r.attempts.map((x) => ({ trunk: x.trunk, result: x.result, ...(x.policy === undefined ? {} : { policy: x.policy }), ...(x.detail === undefined ? {} : { detail: x.detail }) })) })}\n`);
    return base.ok ? 0 : 1;
  } finally {
    dialer.close();
    await ua.close();
  }
}

const CANCEL_WAIT_MS = 4000;

/** Resolves once the call has ended (plus a moment for the ACK to leave), or after `maxMs`. */
function ended(call: Call, maxMs: number): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, maxMs);
    const finish = (): void => {
      clearTimeout(timer);
      setTimeout(done, 50);
    };
    if (call.state === 'terminated') return finish();
    call.once('failed', finish);
    call.once('bye', finish);
  });
}
