/**
 * `npm run fuzz [-- COUNT [SEED]]`: runs every fuzz target in this folder (`*.fuzz.ts`), each
 * in its own process so a hang or a memory blow-up in one is seen as that target's failure.
 * Exit code 1 if any target reports a finding or dies.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
let failed = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.fuzz.ts')).sort()) {
  console.log(`== ${file} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--max-old-space-size=1024', `${dir}${file}`, ...args], { stdio: 'inherit', timeout: 60 * 60 * 1000 });
  if (r.status !== 0) {
    failed++;
    console.log(`!! ${file} failed (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
