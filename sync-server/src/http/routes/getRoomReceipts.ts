import type { FastifyInstance } from 'fastify';
import { roomReceiptsParams, roomReceiptsQuery, type RoomReceiptsResponse } from '#schema/api/receipts';
import { parseRoomId } from '#schema/ids';
import { parseWith, sendError } from '../apiError';
import { isRoomMember } from '../../files/roomAccess';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/**
 * `GET /api/rooms/:roomId/receipts?bucket=&index=`: who has received and read the
 * message at that position, and when ("Message info"), for members of the room only.
 * Read on demand, so members' receipts need not be broadcast to everyone. A DM with
 * read receipts off answers no read times (`schema/privacy.ts`).
 */
export function getRoomReceiptsRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/api/rooms/:roomId/receipts', { preHandler: requireUser(deps) }, async (request, reply) => {
    const { roomId } = parseWith(roomReceiptsParams, request.params);
    const position = parseWith(roomReceiptsQuery, request.query);
    const room = parseRoomId(roomId);
    const userId = request.auth!.user.id;
    const member = await isRoomMember(deps.store, roomId, userId);
    // An unknown room and someone else's answer alike: nothing tells a non-member whether the room exists.
    if (!room || !member) return sendError(reply, 'forbidden');
    const receipts = await deps.store.receipts.reachedAt(room.id, position);
    // Read receipts off in a DM (either person's setting): read times are not told, in either direction.
    const shown = await deps.privacy.readReceiptsShown(room);
    const body: RoomReceiptsResponse = { receipts: shown ? receipts : receipts.map((r) => ({ ...r, deliveredAt: r.deliveredAt ?? r.readAt, readAt: null })) };
    return body;
  });
}
