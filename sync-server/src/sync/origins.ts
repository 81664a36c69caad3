import { isTransactionOrigin } from '@hocuspocus/server';
import type { UserId } from '#schema/ids';
import type { SyncContext } from './context';

/** Where a change to a loaded doc came from, as the projections tell it. */

/** A change a client connection of this node sent. */
export function fromClient(origin: unknown): boolean {
  return isTransactionOrigin(origin) && origin.source === 'connection';
}

/** A change another server process received and relayed (Redis) or logged (caught up from the store). */
export function fromOtherNode(origin: unknown): boolean {
  return isTransactionOrigin(origin) && origin.source === 'redis';
}

/** The member whose connection sent a change, if a client connection did. */
export function actorOf(origin: unknown): UserId | null {
  if (!isTransactionOrigin(origin) || origin.source !== 'connection') return null;
  return (origin.connection.context as SyncContext | undefined)?.user?.id ?? null;
}
