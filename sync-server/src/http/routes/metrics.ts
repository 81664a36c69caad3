import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../deps';

/** `GET /metrics`: Prometheus text format. */
export function metricsRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.metrics.contentType);
    return deps.metrics.metrics();
  });
}
