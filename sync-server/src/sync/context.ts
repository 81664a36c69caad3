import { isTransactionOrigin, type Hocuspocus } from '@hocuspocus/server';
import type { DocRef } from '../../../schema/docs/names';
import type { UserId } from '../../../schema/ids';
import type { DocSlot } from './userBudgets';

/** What `onAuthenticate` puts into every connection's context; later hooks rely on it. */
export interface SyncContext {
  user: { id: UserId; username: string; displayName: string };
  /** Hash of the session token the connection authenticated with, so revoking it can close the connection. */
  sessionHash: string;
  doc: DocRef;
  /** This connection's share of its user's docs-open budget, given back when it closes. */
  docSlot?: DocSlot;
}

/** Context of a server-side write (direct connection): no user, marked as the server's own. */
export interface ServerWriteContext {
  server: true;
  /** The store appended this write's update itself (`Store.writeDoc`): persistence must not log it again. */
  logged?: true;
}

/** Whether a transaction origin is a server write whose update is already in the log. */
export function isLoggedServerWrite(origin: unknown): boolean {
  return isTransactionOrigin(origin) && origin.source === 'local' && (origin.context as ServerWriteContext | undefined)?.logged === true;
}

/** Closes every live client connection for which `matches(context, docName)` holds, with `event`. */
export function closeConnections(
  instance: Hocuspocus,
  matches: (context: SyncContext, documentName: string) => boolean,
  event: { code: number; reason: string },
): number {
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
