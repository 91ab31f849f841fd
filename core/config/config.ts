import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { FaxgateError } from '../errors.ts';
import { LOG_LEVELS } from '../logger.ts';
import { collectDeclared, formatFieldError, resolve, type FieldError, type Layer, type Schema } from './schema.ts';

/** One plugin to load: a path (relative to the config file) or a package name, and its section. */
export interface PluginEntry {
  readonly module: string;
  readonly config: Record<string, unknown>;
  /** Where relative module paths resolve from. */
  readonly baseDir: string;
}

export interface FaxgateConfig {
  readonly dataDir: string;
  readonly http: { readonly host: string; readonly port: number };
  readonly log: { readonly level: (typeof LOG_LEVELS)[number] };
  readonly store: { readonly backend: 'level' | 'memory' };
  readonly builtinPlugins: boolean;
  readonly plugins: readonly PluginEntry[];
  /** Per plugin name: its config section (an alternative to inline `config` in `plugins`). */
  readonly pluginConfig: Readonly<Record<string, Record<string, unknown>>>;
  /** The file the config came from, if any. */
  readonly file: string | undefined;
}

export const coreSchema = {
  dataDir: { type: 'string', default: './data', env: 'FAXGATE_DATA_DIR', flag: 'data-dir', doc: 'where the store and fax files live' },
  http: {
    type: 'object',
    fields: {
      host: { type: 'string', default: '127.0.0.1', env: 'FAXGATE_HTTP_HOST', flag: 'http-host', doc: 'HTTP listen address' },
      port: { type: 'integer', default: 8080, min: 0, max: 65535, env: 'FAXGATE_HTTP_PORT', flag: 'http-port', doc: 'HTTP port (0: any free port)' },
    },
  },
  log: {
    type: 'object',
    fields: { level: { type: 'string', default: 'info', enum: LOG_LEVELS, env: 'FAXGATE_LOG_LEVEL', flag: 'log-level', doc: 'log level' } },
  },
  store: {
    type: 'object',
    fields: { backend: { type: 'string', default: 'level', enum: ['level', 'memory'], env: 'FAXGATE_STORE', doc: 'level (embedded, durable) or memory (tests)' } },
  },
  builtinPlugins: { type: 'boolean', default: true, env: 'FAXGATE_BUILTIN_PLUGINS', doc: 'load the plugins that ship with faxgate' },
  plugins: { type: 'array', items: 'any', default: [], doc: 'extra plugins: "path-or-package" or {"module": ..., "config": {...}}' },
  pluginConfig: { type: 'record', default: {}, doc: 'config sections by plugin name' },
} as const satisfies Schema;

export interface LoadOptions {
  /** Explicit config file (flag --config or FAXGATE_CONFIG); otherwise ./faxgate.json if present. */
  readonly file?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  /** Flag values by flag name (without dashes), as strings. */
  readonly flags?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

/** Thrown with every wrong field listed, one per line. */
export class ConfigError extends FaxgateError {
  readonly fieldErrors: readonly FieldError[];
  constructor(errors: readonly FieldError[]) {
    super('CONFIG_INVALID', `configuration is invalid:\n${errors.map((e) => `  ${formatFieldError(e)}`).join('\n')}`, {
      ja: '設定に誤りがあります',
    });
    this.fieldErrors = errors;
  }
}

export function loadConfig(options: LoadOptions = {}): FaxgateConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const flags = options.flags ?? {};
  const explicit = options.file ?? env.FAXGATE_CONFIG;
  const file = explicit !== undefined ? resolvePath(cwd, explicit) : existsSync(resolvePath(cwd, 'faxgate.json')) ? resolvePath(cwd, 'faxgate.json') : undefined;

  const layers: Layer[] = [];
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new FaxgateError('CONFIG_UNREADABLE', 'cannot read the config file', { details: { file, reason: (err as NodeJS.ErrnoException).code ?? String(err) } });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new FaxgateError('CONFIG_UNREADABLE', `the config file is not valid JSON: ${(err as Error).message}`, { details: { file } });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new FaxgateError('CONFIG_UNREADABLE', 'the config file must hold a JSON object', { details: { file } });
    }
    layers.push({ source: { kind: 'file', path: file }, values: parsed as Record<string, unknown> });
  }
  const envValues = collectDeclared(coreSchema, (spec) => ('env' in spec && spec.env ? env[spec.env] : undefined));
  layers.push({ source: { kind: 'env', name: 'FAXGATE_*' }, values: envValues });
  const flagValues = collectDeclared(coreSchema, (spec) => ('flag' in spec && spec.flag ? flags[spec.flag] : undefined));
  layers.push({ source: { kind: 'flag', name: 'flags' }, values: flagValues });

  // Name the exact variable or flag in errors: re-tag single-field sources.
  const { value, errors } = resolve<Record<string, unknown>>(coreSchema, layers.map((l) => retag(l, env, flags)).flat());
  const baseDir = file !== undefined ? dirname(file) : cwd;
  const plugins = parsePlugins(value.plugins, baseDir, file, errors);
  if (errors.length > 0) throw new ConfigError(errors);
  const v = value as unknown as Omit<FaxgateConfig, 'plugins' | 'file'>;
  return { ...v, dataDir: resolvePath(cwd, v.dataDir), plugins, file };
}

/** Splits env and flag layers into one layer per value, so an error names its variable. */
function retag(layer: Layer, env: NodeJS.ProcessEnv, flags: Readonly<Record<string, string | undefined>>): Layer[] {
  if (layer.source.kind === 'file' || layer.source.kind === 'default') return [layer];
  const out: Layer[] = [];
  const walk = (schema: Schema, values: Record<string, unknown>, wrap: (v: Record<string, unknown>) => Record<string, unknown>): void => {
    for (const [key, raw] of Object.entries(values)) {
      const spec = schema[key];
      if (spec === undefined) continue;
      if (spec.type === 'object') {
        walk(spec.fields, raw as Record<string, unknown>, (v) => wrap({ [key]: v }));
      } else if (layer.source.kind === 'env' && 'env' in spec && spec.env && env[spec.env] !== undefined) {
        out.push({ source: { kind: 'env', name: spec.env }, values: wrap({ [key]: raw }) });
      } else if (layer.source.kind === 'flag' && 'flag' in spec && spec.flag && flags[spec.flag] !== undefined) {
        out.push({ source: { kind: 'flag', name: spec.flag }, values: wrap({ [key]: raw }) });
      }
    }
  };
  walk(coreSchema, layer.values, (v) => v);
  return out;
}

function parsePlugins(raw: unknown, baseDir: string, file: string | undefined, errors: FieldError[]): PluginEntry[] {
  if (!Array.isArray(raw)) return [];
  const source = file !== undefined ? ({ kind: 'file', path: file } as const) : ({ kind: 'default' } as const);
  const out: PluginEntry[] = [];
  raw.forEach((entry: unknown, i) => {
    if (typeof entry === 'string' && entry.length > 0) {
      out.push({ module: entry, config: {}, baseDir });
    } else if (entry !== null && typeof entry === 'object' && typeof (entry as { module?: unknown }).module === 'string') {
      const e = entry as { module: string; config?: unknown };
      if (e.config !== undefined && (e.config === null || typeof e.config !== 'object' || Array.isArray(e.config))) {
        errors.push({ path: `plugins[${i}].config`, message: 'must be an object', source });
        return;
      }
      out.push({ module: e.module, config: (e.config as Record<string, unknown> | undefined) ?? {}, baseDir });
    } else {
      errors.push({ path: `plugins[${i}]`, message: `must be a module path or {"module": "...", "config": {...}}, got ${JSON.stringify(entry)}`, source });
    }
  });
  return out;
}
