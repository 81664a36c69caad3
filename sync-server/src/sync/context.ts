import type { Hocuspocus } from '@hocuspocus/server';
import type { DocRef } from '#schema/docs/names';
import type { UserId } from '#schema/ids';
import type { DocSlot } from './userBudgets';

/** What `onAuthenticate` puts into every connection's context; later hooks rely on it. */
export interface SyncContext {
  user: { id: UserId; username: string; displayName: string };
  /** Hash of the session token the connection authenticated with, so revoking it can close the connection. */
  sessionHash: string;
  doc: DocRef;
  /** This connection's share of its user's docs-open budget, given back when it closes. */
  docSlot?: DocSlot;
  /** A former member reading a bucket from their time in the group: read-only, and left open when members change. */
  former?: true;
}

/** Closes every live client connection for which `matches(context, docName)` holds, with `event`. */
export function closeConnections(instance: Hocuspocus, matches: (context: SyncContext, documentName: string) => boolean, event: { code: number; reason: string }): number {
  let closed = 0;
  for (const document of instance.documents.values()) {
    for (const connection of document.getConnections()) {
      const context = connection.context as SyncContext | undefined;
      if (context?.user && matches(context, document.name)) {
        connection.close(event);
        closed++;
      }
    }
  }
  return closed;
}
