import Bowser from 'bowser';
import type { FastifyInstance } from 'fastify';
import type { Device, DevicesResponse } from '#schema/api/people';
import { publicSessionId } from '../../auth/sessions';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/** "Chrome 120 on Linux" from a User-Agent; the devices list needs a name a person recognises, not the raw string. */
export function browserOf(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Unknown browser';
  const parsed = Bowser.parse(userAgent);
  const name = parsed.browser.name || 'Unknown browser';
  const major = parsed.browser.version?.split('.')[0];
  const os = parsed.os.name;
  return `${name}${major ? ` ${major}` : ''}${os ? ` on ${os}` : ''}`;
}

/** `GET /api/auth/sessions`: where this account is signed in, this session marked. */
export function listDevicesRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/api/auth/sessions', { preHandler: requireUser(deps) }, async (request): Promise<DevicesResponse> => {
    const { session, user } = request.auth!;
    const rows = await deps.sessions.list(user.id);
    const devices: Device[] = rows.map((row) => ({
      id: publicSessionId(row.tokenHash),
      browser: browserOf(row.userAgent),
      createdAt: row.createdAt,
      lastActiveAt: row.lastActiveAt ?? null,
      current: row.tokenHash === session.tokenHash,
    }));
    return { devices };
  });
}
