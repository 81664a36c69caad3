import type { FastifyInstance } from 'fastify';
import { sendError } from '../apiError';
import type { HttpDeps } from '../deps';

/**
 * `GET /healthz`: the process answers (a restart would not help otherwise).
 * `GET /readyz`: this node can serve now — its store answers a ping, Redis (when
 * scaled out) is connected, and it is not shutting down. A balancer sends clients
 * elsewhere while it fails; it recovers by itself when the dependency returns.
 */
export function healthRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    // A live ping, not only the last one: the answer should be as fresh as the question.
    await deps.health.checkStore(deps.store);
    if (deps.health.ready()) return { ok: true, dependencies: deps.health.states() };
    return sendError(reply, 'unavailable');
  });
}
