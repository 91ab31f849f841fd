import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PluginEntry } from '../config/config.ts';
import { collectDeclared, formatFieldError, resolve as resolveSchema } from '../config/schema.ts';
import { FaxgateError, errorMessage } from '../errors.ts';
import type { Plugin, PluginContext } from './plugin.ts';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const SETUP_LIMIT_MS = 30_000;

/** A plugin failed to load or start. Its message is the one line the CLI prints. */
export class PluginError extends FaxgateError {
  constructor(plugin: string, reason: string) {
    super('PLUGIN_FAILED', `plugin '${plugin}' failed to start: ${reason}`, { ja: `プラグイン「${plugin}」を開始できません: ${reason}` });
  }
}

export interface LoadedPlugin {
  readonly plugin: Plugin;
  readonly entry: PluginEntry;
}

/** Imports one plugin module from a path (relative to the config) or a package name. */
export async function importPlugin(entry: PluginEntry): Promise<LoadedPlugin> {
  const spec = entry.module;
  const isPath = spec.startsWith('.') || isAbsolute(spec);
  let mod: Record<string, unknown>;
  try {
    if (isPath) {
      mod = (await import(pathToFileURL(resolve(entry.baseDir, spec)).href)) as Record<string, unknown>;
    } else {
      let target = spec;
      try {
        target = pathToFileURL(createRequire(resolve(entry.baseDir, 'index.js')).resolve(spec)).href;
      } catch {
        // An ESM-only package has no `require` export: let import() resolve it.
      }
      mod = (await import(target)) as Record<string, unknown>;
    }
  } catch (err) {
    throw new PluginError(spec, `cannot load module: ${errorMessage(err).split('\n')[0]}`);
  }
  const plugin = (mod.default ?? mod.plugin) as Partial<Plugin> | undefined;
  if (plugin === undefined || plugin === null || typeof plugin !== 'object') throw new PluginError(spec, 'the module exports no plugin (default export or `plugin`)');
  if (typeof plugin.name !== 'string' || !NAME.test(plugin.name)) throw new PluginError(spec, `invalid plugin name ${JSON.stringify(plugin.name)} (lower-case letters, digits, . _ -)`);
  if (typeof plugin.version !== 'string' || plugin.version.length === 0) throw new PluginError(plugin.name, 'the plugin has no version');
  if (typeof plugin.setup !== 'function') throw new PluginError(plugin.name, 'the plugin has no setup function');
  if (plugin.dependsOn !== undefined && (!Array.isArray(plugin.dependsOn) || plugin.dependsOn.some((d) => typeof d !== 'string'))) {
    throw new PluginError(plugin.name, 'dependsOn must be a list of plugin names');
  }
  return { plugin: plugin as Plugin, entry };
}

/** Orders plugins so each comes after what it depends on; names the missing or cyclic one. */
export function startOrder(loaded: readonly LoadedPlugin[]): LoadedPlugin[] {
  const byName = new Map<string, LoadedPlugin>();
  for (const l of loaded) {
    if (byName.has(l.plugin.name)) throw new PluginError(l.plugin.name, 'two plugins have this name');
    byName.set(l.plugin.name, l);
  }
  const out: LoadedPlugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (l: LoadedPlugin, path: string[]): void => {
    const name = l.plugin.name;
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new PluginError(name, `dependency cycle: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const dep of l.plugin.dependsOn ?? []) {
      const d = byName.get(dep);
      if (d === undefined) throw new PluginError(name, `it depends on '${dep}', which is not loaded`);
      visit(d, [...path, name]);
    }
    state.set(name, 'done');
    out.push(l);
  };
  for (const l of loaded) visit(l, []);
  return out;
}

/** Validates a plugin's config section against its schema (defaults applied). */
export function pluginConfig(plugin: Plugin, raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  if (plugin.configSchema === undefined) return raw;
  // Fields that name an environment variable take it over the config file, as core fields do.
  const fromEnv = collectDeclared(plugin.configSchema, (spec) => ('env' in spec && spec.env ? env[spec.env] : undefined));
  const { value, errors } = resolveSchema<Record<string, unknown>>(plugin.configSchema, [
    { source: { kind: 'file', path: `config of plugin '${plugin.name}'` }, values: raw },
    { source: { kind: 'env', name: `environment of plugin '${plugin.name}'` }, values: fromEnv },
  ]);
  if (errors.length > 0) throw new PluginError(plugin.name, `invalid config: ${errors.map(formatFieldError).join('; ')}`);
  return value;
}

/** Runs setup in dependency order; on a failure stops the ones already started and throws. */
export class PluginHost {
  private readonly started: Plugin[] = [];

  async startAll(ordered: readonly LoadedPlugin[], contextFor: (plugin: Plugin, config: Record<string, unknown>) => PluginContext, extraConfig: Readonly<Record<string, Record<string, unknown>>>): Promise<void> {
    for (const { plugin, entry } of ordered) {
      try {
        const config = pluginConfig(plugin, { ...(extraConfig[plugin.name] ?? {}), ...entry.config });
        await withTimeout(Promise.resolve(plugin.setup(contextFor(plugin, config))), SETUP_LIMIT_MS, `setup took longer than ${SETUP_LIMIT_MS / 1000} s`);
        this.started.push(plugin);
      } catch (err) {
        await this.stopAll();
        if (err instanceof PluginError) throw err;
        throw new PluginError(plugin.name, errorMessage(err).split('\n')[0] ?? 'unknown error');
      }
    }
  }

  get names(): string[] {
    return this.started.map((p) => p.name);
  }

  /** Stops plugins in reverse start order; one failing does not keep the others running. */
  async stopAll(onError?: (plugin: string, err: unknown) => void): Promise<void> {
    while (this.started.length > 0) {
      const p = this.started.pop()!;
      try {
        await withTimeout(Promise.resolve(p.stop?.()), SETUP_LIMIT_MS, 'stop took too long');
      } catch (err) {
        onError?.(p.name, err);
      }
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
