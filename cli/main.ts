import type { CliIo, Command } from './command.ts';
import { UsageError } from './command.ts';

interface Entry {
  readonly summary: string;
  /** Loaded on use, so `faxgate --help` does not pay for every layer's imports. */
  readonly load: () => Promise<{ command: Command }>;
}

/** Every subcommand, in the order `faxgate --help` lists them. */
const commands: Record<string, Entry> = {
  serve: { summary: 'run the fax service (HTTP, plugins, actors) on the configured data directory', load: () => import('./commands/serve.ts') },
  image: { summary: 'fax image files: `image info FILE`, `image convert IN OUT` (TIFF G3/G4, PDF, PNG)', load: () => import('./commands/image.ts') },
  render: { summary: 'documents (PDF, Office, HTML, URL, text, images, ZIP) to a fax TIFF: `render FILE... -o OUT.tif`', load: () => import('./commands/render.ts') },
  t38: { summary: 'one fax call straight over T.38/UDPTL (no SIP): `t38 send --tiff F ...`, `t38 recv --out F ...`', load: () => import('./commands/t38.ts') },
  call: { summary: 'one outbound fax call over SIP with T.38: `call send --tiff F --to sip:NUMBER@HOST:PORT ...`', load: () => import('./commands/call.ts') },
};

export function helpText(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, e]) => `  ${name.padEnd(width)}  ${e.summary}`);
  return [
    'faxgate: internet fax service and T.38 telephony engine',
    '',
    'usage: faxgate <command> [options]     faxgate <command> --help',
    '',
    'commands:',
    ...lines,
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(helpText());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    io.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const entry = commands[name];
  if (entry === undefined) {
    io.stderr.write(`faxgate: unknown command '${name}'\n\n${helpText()}`);
    return 2;
  }
  try {
    const { command } = await entry.load();
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`faxgate ${name}: ${err.message} (see faxgate ${name} --help)\n`);
      return 2;
    }
    throw err;
  }
}

function defaultIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}
