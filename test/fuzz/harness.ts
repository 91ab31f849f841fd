/**
 * Fuzz harness shared by the decoder targets in test/fuzz/*.fuzz.ts.
 *
 * A target generates an input from a seeded rng and runs it; the only accepted failure is
 * the codec's own error type. Inputs that throw anything else, break an invariant, or take
 * longer than `maxMsPerInput` are findings: kept (up to a few per kind) with the input bytes
 * so they can be replayed by seed and index.
 */
export interface FuzzOptions {
  readonly count: number;
  readonly seed: number;
  /** A single input slower than this is a finding (decoders are synchronous: measured, not interrupted). */
  readonly maxMsPerInput?: number;
  readonly log?: (line: string) => void;
}

export interface Finding {
  readonly index: number;
  readonly kind: 'unexpected-error' | 'invariant' | 'slow';
  readonly message: string;
  readonly input: Uint8Array;
  readonly note: string;
}

export interface FuzzReport {
  readonly target: string;
  readonly inputs: number;
  readonly ms: number;
  readonly expectedErrors: number;
  readonly slowestMs: number;
  readonly peakHeapMB: number;
  readonly findings: readonly Finding[];
  /** counts by category, target-defined (e.g. endedWith values) */
  readonly stats: Readonly<Record<string, number>>;
}

/** One generated case: the input, a description for the report, and the check to run. */
export interface FuzzCase {
  readonly input: Uint8Array;
  readonly note: string;
  /** Runs the code under test; throws InvariantError on a broken invariant; returns a stats key. */
  readonly run: () => string;
}

export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

export function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new InvariantError(message);
}

export interface FuzzTarget {
  readonly name: string;
  /** The codec's own error class: the one accepted exception. */
  readonly expectedError: abstract new (...args: never[]) => Error;
  generate(rng: () => number, index: number): FuzzCase;
}

/** xorshift32 */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const MAX_FINDINGS_PER_KIND = 5;

export function runFuzz(target: FuzzTarget, opts: FuzzOptions): FuzzReport {
  const maxMs = opts.maxMsPerInput ?? 1000;
  const findings: Finding[] = [];
  const perKind = new Map<string, number>();
  const stats: Record<string, number> = {};
  let expectedErrors = 0;
  let slowest = 0;
  let peakHeap = 0;
  const t0 = performance.now();
  const record = (f: Finding): void => {
    const n = perKind.get(f.kind) ?? 0;
    perKind.set(f.kind, n + 1);
    if (n < MAX_FINDINGS_PER_KIND) findings.push(f);
  };
  for (let i = 0; i < opts.count; i++) {
    // Each input gets its own rng so a finding replays from (seed, index) alone.
    const c = target.generate(rng((opts.seed * 0x9e3779b1 + i * 0x85ebca6b) >>> 0), i);
    const start = performance.now();
    try {
      const key = c.run();
      stats[key] = (stats[key] ?? 0) + 1;
    } catch (e) {
      if (e instanceof target.expectedError) {
        expectedErrors++;
        stats['expected-error'] = (stats['expected-error'] ?? 0) + 1;
      } else {
        const kind = e instanceof InvariantError ? 'invariant' : 'unexpected-error';
        record({ index: i, kind, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e), input: c.input, note: c.note });
      }
    }
    const ms = performance.now() - start;
    if (ms > slowest) slowest = ms;
    if (ms > maxMs) record({ index: i, kind: 'slow', message: `${ms.toFixed(0)} ms`, input: c.input, note: c.note });
    if ((i & 1023) === 0) {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      if (i > 0 && (i & 16383) === 0) opts.log?.(`${target.name}: ${i} inputs, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  return {
    target: target.name,
    inputs: opts.count,
    ms: performance.now() - t0,
    expectedErrors,
    slowestMs: slowest,
    peakHeapMB: peakHeap / 2 ** 20,
    findings,
    stats,
  };
}

export function formatReport(r: FuzzReport): string {
  const lines = [
    `${r.target}: ${r.inputs} inputs in ${(r.ms / 1000).toFixed(1)} s, slowest ${r.slowestMs.toFixed(1)} ms, ` +
      `peak heap ${r.peakHeapMB.toFixed(0)} MB, ${r.expectedErrors} expected errors, ${r.findings.length} findings`,
    `  outcomes: ${Object.entries(r.stats)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  ];
  for (const f of r.findings) {
    lines.push(`  #${f.index} ${f.kind}: ${f.message} [${f.note}, ${f.input.length} bytes]`);
  }
  return lines.join('\n');
}
