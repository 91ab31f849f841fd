import Fastify, { type FastifyInstance } from 'fastify';
import { Registry as MetricsRegistry, collectDefaultMetrics } from 'prom-client';

/**
 * The HTTP server every plugin's routes hang off. Core serves `/healthz` (is the process
 * up and its store open) and `/metrics` (Prometheus text).
 */
export interface HttpServer {
  readonly app: FastifyInstance;
  readonly metrics: MetricsRegistry;
}

export function createHttpServer(health: () => { ok: boolean; detail: Record<string, unknown> }): HttpServer {
  const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024, return503OnClosing: true });
  const metrics = new MetricsRegistry();
  collectDefaultMetrics({ register: metrics, prefix: 'faxgate_process_' });
  app.get('/healthz', async (_req, reply) => {
    const h = health();
    return reply.code(h.ok ? 200 : 503).send({ status: h.ok ? 'ok' : 'unavailable', ...h.detail });
  });
  app.get('/metrics', async (_req, reply) => {
    return reply.type(metrics.contentType).send(await metrics.metrics());
  });
  return { app, metrics };
}
