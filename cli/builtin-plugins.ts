import { fileURLToPath } from 'node:url';
import type { PluginEntry } from '../core/config/config.ts';

/**
 * The plugins that ship with faxgate. They load through the same path as a third-party
 * plugin named in the config; only the list lives here.
 */
const root = fileURLToPath(new URL('..', import.meta.url));

export const builtinPlugins: readonly PluginEntry[] = [
  { module: './plugins/system/status/index.ts', config: {}, baseDir: root },
  { module: './plugins/documents/index.ts', config: {}, baseDir: root },
  { module: './plugins/sip-gateway/index.ts', config: {}, baseDir: root },
];
