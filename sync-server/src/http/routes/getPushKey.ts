import type { FastifyInstance } from 'fastify';
import type { PushKeyResponse } from '#schema/api/push';
import type { HttpDeps } from '../deps';

/** `GET /api/push/key`: the VAPID public key browsers subscribe with (public by nature). */
export function getPushKeyRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/api/push/key', async (): Promise<PushKeyResponse> => ({ publicKey: deps.push.publicKey }));
}
