import type { FastifyInstance } from 'fastify';
import { deletePushSubscriptionBody } from '#schema/api/push';
import { parseWith } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/** `DELETE /api/push/subscription` `{endpoint}`: no more pushes there (only one's own endpoints; an unknown one is fine): 204. */
export function deletePushSubscriptionRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.delete('/api/push/subscription', { preHandler: requireUser(deps) }, async (request, reply) => {
    const { endpoint } = parseWith(deletePushSubscriptionBody, request.body);
    await deps.store.push.deleteSubscription(request.auth!.user.id, endpoint);
    return reply.code(204).send();
  });
}
