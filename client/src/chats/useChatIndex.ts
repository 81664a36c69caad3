import { onCleanup } from 'solid-js';
import { pruneLocalRooms, readChatList } from '../../../schema/docs/inbox';
import { inboxDoc } from '../../../schema/docs/names';
import type { Session } from '../auth/session';
import { docList } from '../sync/docBindings';
import { useReplica } from '../sync/replicaScope';

/**
 * The chat list's data, read from the local inbox replica alone: the server-kept
 * chat index plus the chats this user started that the index does not list yet.
 * No room is opened for the list, so start-up costs one doc however many chats
 * there are; a room's head and buckets open with the chat.
 */
export function useChatIndex(session: Session) {
  const inbox = useReplica(session.replicas, inboxDoc(session.user.id));
  const chats = docList(inbox.doc, readChatList, 'roomId');
  // Once the index lists a chat started here, its local stand-in has done its job.
  const prune = () => void pruneLocalRooms(inbox.doc);
  void inbox.whenLoaded.then(prune);
  inbox.doc.on('update', prune);
  onCleanup(() => inbox.doc.off('update', prune));
  return { chats, loaded: inbox.loaded };
}
