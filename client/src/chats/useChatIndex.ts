import { createEffect, createMemo, createSignal, onCleanup } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import { hasUnreadMention, isMuted, pruneLocalRooms, readChatList, readChatStates, shouldNotify, unreadCount, type ChatEntry, type ChatState, type NotifyLevel } from '#schema/docs/inbox';
import { inboxDoc } from '#schema/docs/names';
import type { RoomId } from '#schema/ids';
import type { Session } from '../auth/session';
import { docList, docSignal } from '../sync/docBindings';
import { useReplica } from '../sync/replicaScope';
import { useWatchedHeads } from './useWatchedHeads';

/** Longest a timer may wait (setTimeout's limit is about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A chat as the list shows it: its index entry with the owner's own state of it. */
export interface ChatRow {
  roomId: RoomId;
  entry: ChatEntry;
  state: ChatState | undefined;
  unread: number;
  mentioned: boolean;
  muted: boolean;
  /** The owner's notification level of the chat ("all messages", "mentions only", "off"). */
  level: NotifyLevel;
  /** Muted, or a level other than "all": its unread count is shown grey and counts only where it still notifies. */
  quiet: boolean;
}

/**
 * The chat list's data, read from the local inbox replica alone: the server-kept
 * chat index plus the chats this user started that the index does not list yet, and
 * the user's own read marks, drafts, pins, mutes and archive. No room's messages are
 * opened for the list; the most recent chats' heads are watched (typing, presence,
 * delivery reports, `useWatchedHeads`).
 */
export function useChatIndex(session: Session) {
  const me = session.user.id;
  const inbox = useReplica(session.replicas, inboxDoc(me));
  const chats = docList(inbox.doc, readChatList, 'roomId');
  const states = docSignal(inbox.doc, readChatStates);
  // Once the index lists a chat started here, its local stand-in has done its job.
  const prune = () => void pruneLocalRooms(inbox.doc);
  void inbox.whenLoaded.then(prune);
  inbox.doc.on('update', prune);
  onCleanup(() => inbox.doc.off('update', prune));

  // Reconciled by room, so a row that did not change keeps its identity and its DOM (an open menu stays open).
  const [rows, setRows] = createStore<ChatRow[]>([]);
  // Bumped when the soonest mute runs out, so the chat shows unmuted then.
  const [clock, setClock] = createSignal(0);
  createEffect(() => {
    clock();
    const now = Date.now();
    const ends = [...states().values()].map((s) => s.mutedUntil ?? 0).filter((until) => until > now && until < now + MAX_TIMER_MS);
    if (ends.length === 0) return;
    const timer = setTimeout(() => setClock((n) => n + 1), Math.min(...ends) - now + 50);
    onCleanup(() => clearTimeout(timer));
  });
  createEffect(() => {
    clock();
    const now = Date.now();
    const next = chats.map((entry): ChatRow => {
      const state = states().get(entry.roomId);
      const muted = isMuted(state, now);
      const level = state?.notify ?? 'all';
      return { roomId: entry.roomId, entry, state, unread: unreadCount(entry, state, me), mentioned: hasUnreadMention(entry, state), muted, level, quiet: muted || level !== 'all' };
    });
    setRows(reconcile(next, { key: 'roomId' }));
  });
  const heads = useWatchedHeads(session, () => chats);

  // The tab title counts the chats with unread messages, as WhatsApp's does; muted and "mentions only"
  // ones only when they mention you, chats set to "off" never.
  const unreadChats = createMemo(() => rows.filter((r) => r.unread > 0 && !r.state?.archivedAt && shouldNotify(r.level, r.muted, r.mentioned)).length);
  createEffect(() => {
    document.title = unreadChats() > 0 ? `(${unreadChats()}) Jeco` : 'Jeco';
  });
  onCleanup(() => {
    document.title = 'Jeco';
  });

  return {
    chats,
    rows,
    loaded: inbox.loaded,
    inbox,
    stateOf: (roomId: RoomId) => states().get(roomId),
    typingIn: heads.typingIn,
    statusIn: heads.lastStatusIn,
    isOnline: heads.isOnline,
  };
}
