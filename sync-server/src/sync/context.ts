import { isTransactionOrigin, type Hocuspocus, type LocalTransactionOrigin } from '@hocuspocus/server';
import type * as Y from 'yjs';
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
  /** A former member reading a bucket from their time in the group: read-only, and left open when members change. */
  former?: true;
}

/** Context of a server-side write (direct connection): no user, marked as the server's own. */
export interface ServerWriteContext {
  server: true;
  /** The store appended this write's update itself (`Store.writeDoc`): persistence must not log it again. */
  logged?: true;
}

/** The origin of a server write that `Store.writeDoc` appends itself, in the same transaction as its read. */
const LOGGED_SERVER_WRITE = { source: 'local', context: { server: true, logged: true } } as const satisfies LocalTransactionOrigin;

/**
 * Applies a server change to a loaded doc as a {@link LOGGED_SERVER_WRITE} and returns
 * its update, for the caller to append (null if it changed nothing). Persistence's
 * `onChange` skips it, so it is logged once.
 */
export function applyLoggedServerWrite(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array | null {
  let update: Uint8Array | null = null;
  const capture = (u: Uint8Array, origin: unknown) => {
    if (origin === LOGGED_SERVER_WRITE) update = u;
  };
  doc.on('update', capture);
  try {
    doc.transact(() => change(doc), LOGGED_SERVER_WRITE);
  } finally {
    doc.off('update', capture);
  }
  return update;
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
