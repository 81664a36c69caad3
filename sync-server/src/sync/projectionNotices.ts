import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { RoomId } from '#schema/ids';
import { onNodeEvents } from './nodeEvents';

/** The Redis channel of projection notices (`nodeEvents.ts`). */
export const PROJECTED_CHANNEL = 'jeco:projected';

/** A notice as it travels between nodes (parsed: Redis is shared, not trusted blindly). */
const noticeSchema = z.object({ node: z.string(), roomId: z.string().min(1).max(200), members: z.number().int().nonnegative() });

export interface ProjectionNotices {
  /** Tells the other nodes that this one has started a message projection of `roomId`, of `members` members. */
  announce(roomId: RoomId, members: number): void;
}

/**
 * "This node has started projecting this room's new messages", between nodes. Each node
 * projects the messages its own people send, so with people of a room on two nodes
 * both projected every busy room every window, each writing every member's inbox for
 * about half the messages (36 projections a second for 10 rooms on two nodes,
 * `npm run bench:load -- --topology pg+redis`). A node that hears of another's
 * projection of a room counts it as its own for the room's window
 * (`MessageProjection.projectedElsewhere`): the nodes take turns, one projection a
 * window between them. Only timing depends on it: a notice lost (Redis away) leaves
 * each node projecting on its own, as before. Not sent while Redis is unreachable: a
 * late notice would only hold a projection back.
 */
export function projectionNotices(deps: { events: { pub: Redis; sub: Redis }; heard: (roomId: RoomId, members: number) => void; log: (error: unknown, what: string) => void }): ProjectionNotices {
  const node = randomUUID();
  onNodeEvents(deps.events.sub, PROJECTED_CHANNEL, noticeSchema, 'projection notices', deps.log, (notice) => {
    if (notice.node !== node) deps.heard(notice.roomId as RoomId, notice.members);
  });
  return {
    announce(roomId, members) {
      if (deps.events.pub.status !== 'ready') return;
      deps.events.pub.publish(PROJECTED_CHANNEL, JSON.stringify({ node, roomId, members })).catch((error: unknown) => deps.log(error, 'publishing a projection notice'));
    },
  };
}
