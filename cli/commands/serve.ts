import { parseArgs } from 'node:util';
import { builtinPlugins } from '../builtin-plugins.ts';
import { UsageError, type CliIo, type Command } from '../command.ts';
import { loadConfig } from '../../core/config/config.ts';
import { coreSchema } from '../../core/config/config.ts';
import { declaredFlags } from '../../core/config/schema.ts';
import { FaxgateError } from '../../core/errors.ts';
import { Runtime } from '../../core/runtime.ts';

const flags = declaredFlags(coreSchema);

function help(): string {
  const lines = flags.map(({ flag, spec }) => {
    const env = 'env' in spec && spec.env ? ` [${spec.env}]` : '';
    const def = 'default' in spec && spec.default !== undefined ? ` (default ${String(spec.default)})` : '';
    return `  --${flag.padEnd(12)} ${spec.doc ?? ''}${def}${env}`;
  });
  return [
    'usage: faxgate serve [--config FILE] [options]',
    '',
    'Runs the fax service. Settings come from defaults, then the config file (--config,',
    'FAXGATE_CONFIG, or ./faxgate.json), then environment variables, then flags.',
    '',
    '  --config       config file (JSON)',
    ...lines,
    '',
  ].join('\n');
}

export const command: Command = {
  async run(args: string[], io: CliIo): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          config: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
          ...Object.fromEntries(flags.map(({ flag }) => [flag, { type: 'string' as const }])),
        },
        strict: true,
        allowPositionals: false,
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (parsed.values.help) {
      io.stdout.write(help());
      return 0;
    }
    const values = parsed.values as Record<string, string | boolean | undefined>;
    let runtime: Runtime;
    try {
      const config = loadConfig({
        file: values.config as string | undefined,
        env: io.env,
        cwd: io.cwd,
        flags: Object.fromEntries(flags.map(({ flag }) => [flag, values[flag] as string | undefined])),
      });
      runtime = await Runtime.start({ config, builtinPlugins, announce: (line) => io.stderr.write(`${line}\n`) });
    } catch (err) {
      if (err instanceof FaxgateError) {
        io.stderr.write(`faxgate: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    for (const line of runtime.announcements) io.stderr.write(`faxgate: ${line}\n`);
    const addr = runtime.httpAddress;
    io.stderr.write(`faxgate: serving on http://${addr?.host ?? '?'}:${addr?.port ?? '?'} (data in ${runtime.config.dataDir})\n`);

    return await new Promise<number>((resolveExit) => {
      let stopping = false;
      const onSignal = (signal: NodeJS.Signals): void => {
        if (stopping) return;
        stopping = true;
        runtime.logger.info({ signal }, 'signal received');
        runtime.stop().then(
          () => resolveExit(0),
          (err: unknown) => {
            io.stderr.write(`faxgate: stop failed: ${String(err)}\n`);
            resolveExit(1);
          },
        );
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    });
  },
};
