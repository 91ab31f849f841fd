/**
 * Runs every fuzz target in this folder (`npm run fuzz -- [count] [seed]`). A target module is
 * a `*.fuzz.ts` file exporting a FuzzTarget (any export with `generate` and `expectedError`).
 */
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { FuzzTarget } from './harness.ts';
import { formatReport, runFuzz } from './harness.ts';

const count = Number(process.argv[2] ?? 100000);
const seed = Number(process.argv[3] ?? 1);
const dir = new URL('.', import.meta.url);
let failed = false;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.fuzz.ts')).sort()) {
  const mod = (await import(pathToFileURL(new URL(file, dir).pathname).href)) as Record<string, unknown>;
  for (const value of Object.values(mod)) {
    const t = value as Partial<FuzzTarget> | null;
    if (t && typeof t === 'object' && typeof t.generate === 'function' && typeof t.expectedError === 'function') {
      const report = runFuzz(t as FuzzTarget, { count, seed, log: (l) => console.log(l) });
      console.log(formatReport(report));
      failed ||= report.findings.length > 0;
    }
  }
}
process.exitCode = failed ? 1 : 0;
