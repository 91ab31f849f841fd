import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliIo, type Command } from '../command.ts';
import { integerOption, readSharedCallOptions, sharedCallOptions } from '../call-options.ts';
import { ScaledClock, systemClock, type Clock } from '../../core/clock.ts';
import { outcome, type FaxResultName } from '../../protocols/fax-results/index.ts';
import type { T38Version } from '../../protocols/t38/index.ts';
import { T38Terminal, withSendLoss, type DatagramTransport } from '../../telephony/t38/index.ts';
import { UdpTransport, parseEndpoint } from '../../telephony/udp/udp-transport.ts';
import { runFaxCall } from '../../actors/fax-call/index.ts';
import { TiffFileSink, tiffDocument } from '../../actors/fax-call/index.ts';
import type { FaxBitRate, FaxCallOptions, FaxCallResult, FaxCompression, FaxResolution, FaxSendDocument } from '../../actors/fax-call/index.ts';

/**
 * `faxgate t38 send|recv`: one fax call straight over T.38 (UDPTL on UDP), no SIP. For tests
 * (the SpanDSP conformance manifest drives it) and for operators checking a T.38 path.
 * Prints one JSON line with the outcome; exit status 0 only when the fax succeeded.
 */

const HELP = `usage: faxgate t38 send --tiff FILE --local-port P --remote HOST:PORT [options]
       faxgate t38 recv --out FILE --local-port P [--remote HOST:PORT] [options]

send calls and transmits the pages of a TIFF; recv answers and writes what it receives as
a TIFF (MMR), also when the call fails after some pages. recv without --remote replies to
the source of the first packet.

  --ecm | --no-ecm      offer/use error correction (default --ecm)
  --redundancy N        previous IFPs repeated in each UDPTL packet (default 3)
  --csid ID             our identity (TSI when sending, CSI when receiving)
  --max-rate BPS        14400, 12000, 9600, 7200, 4800 or 2400 (default 14400)
  --timeout S           give up after S seconds (default 300)
  --compression C       mh, mr or mmr: the best coding offered (MMR needs ECM; default mmr)
  --standard | --fine   recv: the resolutions accepted (default standard, fine, superfine)
  --t38-version N       T38FaxVersion 0-3 (default 0)
  --caller | --answerer override the role (send calls, recv answers)

Prints {"ok","code","reason","pages","remoteCsid","ecm","bitRate","compression","resolution","durationMs"};
exit status 0 on success, 1 when the fax failed, 2 on bad usage.
`;

const RATES: readonly FaxBitRate[] = [14400, 12000, 9600, 7200, 4800, 2400];
const CODINGS: readonly FaxCompression[] = ['mh', 'mr', 'mmr'];

interface CallArgs {
  readonly mode: 'send' | 'recv';
  readonly file: string;
  readonly localPort: number;
  readonly remote: { host: string; port: number } | undefined;
  readonly ecm: boolean;
  readonly redundancy: number;
  readonly csid: string | undefined;
  readonly maxRate: FaxBitRate;
  readonly timeoutMs: number;
  readonly timeScale: number;
  readonly version: T38Version;
  readonly compressions: readonly FaxCompression[];
  readonly resolutions: readonly FaxResolution[];
  readonly role: 'caller' | 'answerer';
  readonly lossPercent: number;
  readonly seed: number;
}

export const command: Command = {
  async run(args: string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      io.stdout.write(HELP);
      return sub === undefined ? 2 : 0;
    }
    if (sub !== 'send' && sub !== 'recv') throw new UsageError(`unknown subcommand '${sub}'`);
    const a = parseCallArgs(sub, rest, io.cwd);
    return runCall(a, io);
  },
};

function parseCallArgs(mode: 'send' | 'recv', args: string[], cwd: string): CallArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        tiff: { type: 'string' },
        out: { type: 'string' },
        'local-port': { type: 'string' },
        remote: { type: 'string' },
        ...sharedCallOptions,
        redundancy: { type: 'string' },
        'max-rate': { type: 'string' },
        't38-version': { type: 'string' },
        compression: { type: 'string' },
        standard: { type: 'boolean' },
        fine: { type: 'boolean' },
        loss: { type: 'string' },
        seed: { type: 'string' },
        caller: { type: 'boolean' },
        answerer: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  const file = mode === 'send' ? v.tiff : v.out;
  if (file === undefined) throw new UsageError(mode === 'send' ? '--tiff FILE is required' : '--out FILE is required');
  const localPort = integerOption(v['local-port'], '--local-port', 0, 65535);
  if (localPort === undefined) throw new UsageError('--local-port P is required');
  let remote;
  if (v.remote !== undefined) {
    remote = parseEndpoint(v.remote);
    if (remote === undefined) throw new UsageError(`--remote must be HOST:PORT, not '${v.remote}'`);
  } else if (mode === 'send') {
    throw new UsageError('--remote HOST:PORT is required for send');
  }
  const { ecm, csid, timeoutMs, timeScale } = readSharedCallOptions(v);
  if (v.caller === true && v.answerer === true) throw new UsageError('--caller and --answerer exclude each other');
  if (v.standard === true && v.fine === true) throw new UsageError('--standard and --fine exclude each other');
  const maxRate = integerOption(v['max-rate'], '--max-rate', 2400, 14400) ?? 14400;
  if (!RATES.includes(maxRate as FaxBitRate)) throw new UsageError(`--max-rate must be one of ${RATES.join(', ')}`);
  const coding = v.compression ?? (ecm ? 'mmr' : 'mr');
  const best = CODINGS.indexOf(coding as FaxCompression);
  if (best < 0) throw new UsageError(`--compression must be mh, mr or mmr, not '${coding}'`);
  if (coding === 'mmr' && !ecm) throw new UsageError('--compression mmr needs ECM');
  const loss = v.loss === undefined ? 0 : Number(v.loss);
  if (!(loss >= 0 && loss <= 100)) throw new UsageError('--loss must be a percentage 0-100');
  return {
    mode,
    file: resolve(cwd, file),
    localPort,
    remote,
    ecm,
    redundancy: integerOption(v.redundancy, '--redundancy', 0, 16) ?? 3,
    csid,
    maxRate: maxRate as FaxBitRate,
    timeoutMs,
    timeScale,
    version: (integerOption(v['t38-version'], '--t38-version', 0, 3) ?? 0) as T38Version,
    compressions: CODINGS.slice(0, best + 1),
    resolutions: v.standard === true ? ['standard'] : v.fine === true ? ['standard', 'fine'] : ['standard', 'fine', 'superfine'],
    role: v.caller === true ? 'caller' : v.answerer === true ? 'answerer' : mode === 'send' ? 'caller' : 'answerer',
    lossPercent: loss,
    seed: integerOption(v.seed, '--seed', 0, 2 ** 31) ?? 1,
  };
}


export interface ResultLine {
  ok: boolean;
  code: number;
  reason: string;
  pages: number;
  remoteCsid: string;
  ecm: boolean;
  bitRate: number;
  compression: string;
  resolution: string;
  durationMs: number;
}

async function runCall(a: CallArgs, io: CliIo): Promise<number> {
  const clock: Clock = a.timeScale === 1 ? systemClock : new ScaledClock(a.timeScale);
  const started = clock.now();
  const fail = (name: 'internal', detail: string): number =>
    print(io, { ...failureLine(name, detail), durationMs: Math.round(clock.now() - started) });

  let document: FaxSendDocument | undefined;
  if (a.mode === 'send') {
    try {
      document = tiffDocument(readFileSync(a.file));
    } catch (err) {
      return fail('internal', `cannot read the TIFF [path:${a.file}]: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const sink = a.mode === 'recv' ? new TiffFileSink(a.file, { software: 'faxgate t38 recv' }) : undefined;

  let udp: UdpTransport;
  try {
    udp = await UdpTransport.open({ localPort: a.localPort, remote: a.remote });
  } catch (err) {
    return fail('internal', `cannot bind UDP port ${a.localPort}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Tests and scripts wait for this line before starting the far end, so no first packet is lost.
  io.stderr.write(`faxgate t38: listening on udp port ${udp.localPort}\n`);
  let timedOut = false;
  if (a.remote === undefined) {
    // Answering an unknown far end: the call (and the terminal, with its idle watchdog)
    // starts when it makes contact, so T.30's timers do not run out before anyone called.
    // The first packet itself (the caller's no-signal or CNG) is not needed by the answerer.
    let contactTimer: unknown;
    const contact = await Promise.race([
      udp.whenConnected.then(() => true),
      new Promise<false>((r) => (contactTimer = clock.setTimeout(() => r(false), a.timeoutMs))),
    ]);
    clock.clearTimeout(contactTimer);
    if (!contact) {
      await udp.close();
      return print(io, { ...failureLine('no-fax-received', `nobody called within ${a.timeoutMs / 1000} s`), durationMs: Math.round(clock.now() - started) });
    }
  }
  const transport: DatagramTransport = a.lossPercent > 0 ? withSendLoss(udp, a.lossPercent, a.seed) : udp;
  const modem = new T38Terminal({
    transport,
    clock,
    version: a.version,
    errorCorrection: a.redundancy > 0 ? { mode: 'redundancy', depth: a.redundancy } : { mode: 'none' },
  });

  const options: FaxCallOptions = {
    modem,
    clock,
    role: a.role,
    send: document,
    receive: sink,
    localIdent: a.csid,
    ecm: a.ecm,
    maxBitRate: a.maxRate,
    compressions: a.compressions,
    resolutions: a.resolutions,
  };
  const call = runFaxCall(options);
  const timer = clock.setTimeout(() => {
    timedOut = true;
    call.abort();
  }, a.timeoutMs);
  const result = await call.result;
  clock.clearTimeout(timer);
  sink?.finish();
  await modem.close();

  return print(io, resultLine(result, timedOut, a.timeoutMs));
}

export function failureLine(name: FaxResultName, detail: string): Omit<ResultLine, 'durationMs'> {
  const o = outcome(name, detail);
  return { ok: false, code: o.code, reason: o.reason, pages: 0, remoteCsid: '', ecm: false, bitRate: 0, compression: 'none', resolution: 'none' };
}

/** The JSON result line of a finished call; a timeout the command imposed is named in the reason. */
export function resultLine(result: FaxCallResult, timedOut: boolean, timeoutMs: number): ResultLine {
  return {
    ok: result.ok,
    code: result.code,
    reason: timedOut && !result.ok ? `${result.reason} (timeout after ${timeoutMs / 1000} s)` : result.reason,
    pages: result.pages,
    remoteCsid: result.remoteCsid,
    ecm: result.ecm,
    bitRate: result.bitRate,
    compression: result.compression,
    resolution: result.resolution,
    durationMs: Math.round(result.durationMs),
  };
}

export function print(io: CliIo, line: ResultLine): number {
  io.stdout.write(`${JSON.stringify(line)}\n`);
  return line.ok ? 0 : 1;
}
