import type { FastifyInstance } from 'fastify';
import { pushSubscriptionBody } from '#schema/api/push';
import { refuseEndpoint } from '../../push/endpointPolicy';
import { parseWith, sendError } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/**
 * `POST /api/push/subscription` (a browser's `PushSubscription` as JSON): this session
 * receives pushes there from now on, instead of on any endpoint it gave before (one
 * subscription per session, so one per browser: the per-user bound is the sessions').
 * The server will POST to the endpoint, so it must be a public https URL (see
 * `push/endpointPolicy.ts`): 400 otherwise. 204.
 */
export function savePushSubscriptionRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/api/push/subscription', { preHandler: requireUser(deps) }, async (request, reply) => {
    const body = parseWith(pushSubscriptionBody, request.body);
    const refused = await refuseEndpoint(body.endpoint, deps.push.policy);
    if (refused) return sendError(reply, 'bad_request', refused);
    const { session, user } = request.auth!;
    await deps.store.push.saveSubscription({ endpoint: body.endpoint, sessionHash: session.tokenHash, userId: user.id, p256dh: body.keys.p256dh, auth: body.keys.auth, createdAt: Date.now() });
    return reply.code(204).send();
  });
}
