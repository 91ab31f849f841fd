import type { Plugin } from '../../core/plugins/plugin.ts';
import { builtinRenderers } from './builtin.ts';
import { defaultLimits, defaultResources } from './options.ts';
import type { RenderLimits, RenderResources } from './options.ts';
import { openDocuments } from './pipeline.ts';
import type { RenderJob, RenderRequestOptions } from './pipeline.ts';
import type { DocumentInput, DocumentRenderer } from './renderer.ts';
import { Semaphore } from './semaphore.ts';
import { WorkerPool } from './worker/pool.ts';

/**
 * The documents plugin: registers a renderer per media type in the shared `renderers`
 * registry (other plugins may add more) and keeps one worker pool and one converter bound for
 * the whole process. Jobs render through `renderDocuments` with the registry as lookup.
 */

export type { DocumentInput, DocumentRenderer, RenderJob };
export { DocumentError, documentErrors } from './errors.ts';
export type { DocumentErrorCode } from './errors.ts';
export type { FaxModes, RenderLimits, RenderResources } from './options.ts';
export { openDocuments } from './pipeline.ts';
export type { RenderedPage, InputSummary } from './pipeline.ts';
export { writeFaxTiff } from './output.ts';

let active: { render: (inputs: readonly DocumentInput[], options?: Omit<RenderRequestOptions, 'renderers' | 'shared'>) => Promise<RenderJob> } | undefined;

/** Renders with the running plugin's registry, pool and limits (for the job actor). */
export function renderDocuments(inputs: readonly DocumentInput[], options: Omit<RenderRequestOptions, 'renderers' | 'shared'> = {}): Promise<RenderJob> {
  if (active === undefined) throw new Error('the documents plugin is not running');
  return active.render(inputs, options);
}

let pool: WorkerPool | undefined;

const plugin: Plugin = {
  name: 'documents',
  version: '0.1.0',
  configSchema: {
    workers: { type: 'integer', default: defaultResources.workers, min: 1, max: 32, doc: 'page worker threads (PDFium, bilevel, coding)' },
    converters: { type: 'integer', default: defaultResources.converters, min: 1, max: 16, doc: 'LibreOffice/Chromium processes at once' },
    allowPrivateUrls: { type: 'boolean', default: false, doc: 'let URL documents reach private, loopback and link-local addresses' },
    maxInputBytes: { type: 'integer', default: defaultLimits.maxInputBytes, min: 1 },
    maxPages: { type: 'integer', default: defaultLimits.maxPages, min: 1 },
    maxZipExpandedBytes: { type: 'integer', default: defaultLimits.maxZipExpandedBytes, min: 1 },
    maxZipEntries: { type: 'integer', default: defaultLimits.maxZipEntries, min: 1 },
    maxZipDepth: { type: 'integer', default: defaultLimits.maxZipDepth, min: 1, max: 5 },
    converterTimeoutMs: { type: 'integer', default: defaultLimits.converterTimeoutMs, min: 1000 },
    fetchTimeoutMs: { type: 'integer', default: defaultLimits.fetchTimeoutMs, min: 1000 },
  },
  setup(ctx) {
    const c = ctx.config as Record<string, number | boolean>;
    const registry = ctx.registry<DocumentRenderer>('renderers');
    for (const [mediaType, renderer] of builtinRenderers) registry.add(mediaType, renderer, ctx.name);
    const resources: RenderResources = { workers: Number(c['workers']), converters: Number(c['converters']), allowPrivateUrls: c['allowPrivateUrls'] === true };
    const limits: Partial<RenderLimits> = Object.fromEntries(Object.keys(defaultLimits).filter((k) => c[k] !== undefined).map((k) => [k, Number(c[k])]));
    const p = new WorkerPool(resources.workers);
    pool = p;
    const converters = new Semaphore(resources.converters);
    active = {
      render: (inputs, options = {}) =>
        openDocuments(inputs, {
          ...options,
          limits: { ...limits, ...options.limits },
          resources: { ...resources, ...options.resources },
          renderers: (mediaType) => registry.get(mediaType),
          shared: { pool: p, converters },
        }),
    };
  },
  async stop() {
    active = undefined;
    await pool?.close();
    pool = undefined;
  },
};

export default plugin;
