/**
 * Fuzzer for the T.38 wire decoders: IFP (all versions, both extended field-type layouts),
 * UDPTL (and the receiver fed with it), T.30 HDLC frames, DIS/DCS, identities and ECM
 * frames. Inputs are random octets and mutations (bit flips, truncations, insertions) of
 * real SpanDSP packets. The only failure a decoder may raise is its own typed error; a
 * packet that decodes must re-encode to something that decodes to the same value.
 *
 *   node --import tsx test/fuzz/t38.fuzz.ts [count] [seed]
 */
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import { T38DecodeError, decodeIfp, encodeIfp, type T38Version } from '../../protocols/t38/index.ts';
import { UdptlDecodeError, UdptlReceiver, decodeUdptl, encodeUdptl } from '../../protocols/udptl/index.ts';
import {
  T30DecodeError,
  decodeCtc,
  decodeDcs,
  decodeDis,
  decodeEor,
  decodeFcd,
  decodeFrame,
  decodeIdent,
  decodePpr,
  decodePps,
  encodeDcs,
  encodeDis,
} from '../../protocols/t30/index.ts';

const SEEDS: readonly string[] = [
  '00', '06', '1e', '2040', '2180', 'c001800000ff', 'c00120', 'c00140', 'c0028000021234561' + '0',
  'd001e000350000000000000000', 'e00001c00000011234', 'c00221', 'c0021040',
  '000001000000', '000601060002010401' + '00', '800006c0018000' + '00ff0001' + '03c00140',
  'ffff011e800103020106' + '03c00120',
  'ff138004eef880809180808018', 'ff0340383736352d343332312d33302020202020202020', 'ff13830062f844',
  'ff13bf2f00000e', 'ff0386', 'ff1313000c', 'ff13cf3f', 'ff1384ea7d',
];

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

function makeInput(rnd: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rnd() * n);
  if (rnd() < 0.3) return Uint8Array.from({ length: int(48) }, () => int(256));
  const seed = Buffer.from(SEEDS[int(SEEDS.length)] ?? '00', 'hex');
  const bytes = [...seed];
  for (let m = 1 + int(4); m > 0; m--) {
    const op = int(4);
    const at = int(bytes.length + 1);
    if (op === 0 && bytes.length > 0) bytes[at % bytes.length] = (bytes[at % bytes.length] ?? 0) ^ (1 << int(8));
    else if (op === 1) bytes.length = at;
    else if (op === 2) bytes.splice(at, 0, int(256));
    else if (bytes.length > 0) bytes[at % bytes.length] = int(256);
  }
  return Uint8Array.from(bytes);
}

const TYPED = [T38DecodeError, UdptlDecodeError, T30DecodeError];

function guard(what: string, input: Uint8Array, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (TYPED.some((t) => err instanceof t)) return;
    const detail = err instanceof Error ? err.stack ?? err.message : String(err);
    throw new Error(`${what} threw an untyped error for ${Buffer.from(input).toString('hex')}: ${detail}`);
  }
}

export interface FuzzReport {
  iterations: number;
  decoded: Record<string, number>;
}

export function fuzzT38(count: number, seed = 1): FuzzReport {
  const rnd = prng(seed);
  const decoded: Record<string, number> = {};
  const ok = (k: string): void => {
    decoded[k] = (decoded[k] ?? 0) + 1;
  };
  const receiver = new UdptlReceiver({ reorderDepth: 1 });
  for (let i = 0; i < count; i++) {
    const input = makeInput(rnd);
    for (const version of [0, 1, 2, 3] as T38Version[]) {
      for (const layout of ['x691', 'spandsp'] as const) {
        guard(`decodeIfp v${version} ${layout}`, input, () => {
          const options = { version, extendedFieldTypeLayout: layout };
          const packet = decodeIfp(input, options);
          ok('ifp');
          const again = decodeIfp(encodeIfp(packet, options), options);
          if (!isDeepStrictEqual(again, packet)) throw new Error(`IFP re-encode changed the packet: ${JSON.stringify(packet)}`);
        });
      }
    }
    guard('decodeUdptl', input, () => {
      const packet = decodeUdptl(input);
      ok('udptl');
      if (!isDeepStrictEqual(decodeUdptl(encodeUdptl(packet)), packet)) throw new Error('UDPTL re-encode changed the packet');
    });
    guard('UdptlReceiver', input, () => {
      receiver.receiveDatagram(input);
    });
    guard('decodeFrame', input, () => {
      decodeFrame(input);
      ok('frame');
    });
    guard('decodeFrame fcs', input, () => decodeFrame(input, { fcs: true }));
    guard('decodeDis', input, () => {
      const dis = decodeDis(input);
      ok('dis');
      const fif = encodeDis(dis);
      if (!isDeepStrictEqual(decodeDis(fif), { ...dis, fif })) throw new Error('DIS re-encode changed the capabilities');
    });
    guard('decodeDcs', input, () => {
      const dcs = decodeDcs(input);
      encodeDcs(dcs);
      ok('dcs');
    });
    guard('decodeIdent', input, () => decodeIdent(input));
    for (const [name, fn] of [['pps', decodePps], ['ppr', decodePpr], ['fcd', decodeFcd], ['ctc', decodeCtc], ['eor', decodeEor]] as const) {
      guard(name, input, () => {
        fn(input);
        ok(name);
      });
    }
  }
  return { iterations: count, decoded };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(process.argv[2] ?? 100000);
  const seed = Number(process.argv[3] ?? Date.now() % 1000000);
  const started = Date.now();
  const report = fuzzT38(count, seed);
  console.log(JSON.stringify({ seed, ...report, ms: Date.now() - started }));
}
