import type * as Y from 'yjs';
import { markChatRead, MUTED_FOREVER, setChatState, setNotifyLevel, type ChatEntry, type NotifyLevel } from '#schema/docs/inbox';
import type { RoomId } from '#schema/ids';

const HOUR_MS = 3_600_000;

/** How long a chat can be muted for, as WhatsApp offers it. */
export const MUTE_CHOICES = [
  { label: 'Mute for 8 hours', ms: 8 * HOUR_MS },
  { label: 'Mute for 1 week', ms: 7 * 24 * HOUR_MS },
  { label: 'Mute always', ms: null },
] as const;

/** The per-chat notification levels, as the chat menu words them. */
export const NOTIFY_CHOICES: readonly { level: NotifyLevel; label: string }[] = [
  { level: 'all', label: 'All messages' },
  { level: 'mentions', label: 'Mentions only' },
  { level: 'off', label: 'Off' },
];

/** What can be done to a chat from the chat list; each is a write to the owner's inbox `state`. */
export interface ChatActions {
  pin(roomId: RoomId, on: boolean): void;
  /** Mutes for `ms` from now (`null`: always), or unmutes with `false`. */
  mute(roomId: RoomId, ms: number | null | false): void;
  /** Sets what the chat notifies of (desktop notifications, Web Push, the tab title). */
  notify(roomId: RoomId, level: NotifyLevel): void;
  archive(roomId: RoomId, on: boolean): void;
  markRead(entry: ChatEntry): void;
}

export function chatActions(inbox: Y.Doc): ChatActions {
  return {
    pin: (roomId, on) => setChatState(inbox, roomId, 'pin', on ? Date.now() : null),
    mute: (roomId, ms) => setChatState(inbox, roomId, 'mute', ms === false ? null : ms === null ? MUTED_FOREVER : Date.now() + ms),
    notify: (roomId, level) => setNotifyLevel(inbox, roomId, level),
    archive: (roomId, on) =>
      inbox.transact(() => {
        setChatState(inbox, roomId, 'archive', on ? Date.now() : null);
        // An archived chat leaves the pinned ones, as in WhatsApp.
        if (on) setChatState(inbox, roomId, 'pin', null);
      }),
    markRead: (entry) => void markChatRead(inbox, entry.roomId, entry.count),
  };
}
