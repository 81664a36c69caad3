import type { FastifyInstance } from 'fastify';
import { sendError } from '../apiError';
import type { HttpDeps } from '../deps';

/** `GET /healthz` (the process answers) and `GET /readyz` (and its database does). */
export function healthRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (request, reply) => {
    try {
      await deps.store.ping();
      return { ok: true };
    } catch (error) {
      request.log.warn({ err: error }, 'database not reachable');
      return sendError(reply, 'unavailable');
    }
  });
}
