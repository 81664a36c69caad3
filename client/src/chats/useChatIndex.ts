import { inboxDoc, roomHeadDoc } from '../../../schema/docs/names';
import { readChats } from '../../../schema/docs/inbox';
import type { Session } from '../auth/session';
import { docList } from '../sync/docBindings';
import { useReplica, useReplicas } from '../sync/replicaScope';

/**
 * The chat list's data, read from the local inbox replica. While it is mounted, the
 * room head of every listed chat is kept open, so heads stay in sync in the
 * background and a chat opens from a current copy.
 */
export function useChatIndex(session: Session) {
  const inbox = useReplica(session.replicas, inboxDoc(session.user.id));
  const chats = docList(inbox.doc, readChats, 'roomId');
  useReplicas(session.replicas, () => chats.map((chat) => roomHeadDoc(chat.roomId)), () => undefined);
  return { chats, loaded: inbox.loaded };
}
