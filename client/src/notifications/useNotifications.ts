import { createEffect, createSignal, on } from 'solid-js';
import { shouldNotify } from '#schema/docs/inbox';
import type { RoomId, UserId } from '#schema/ids';
import type { Replica } from '../sync/replica';
import { chatTitle } from '../chats/chatTitle';
import type { ChatRow } from '../chats/useChatIndex';
import { readLocal, writeLocal } from '../storage/localCache';
import type { ReadHere } from './readHere';

/** Whether this browser can show desktop notifications at all. */
const SUPPORTED = typeof window !== 'undefined' && 'Notification' in window;

/** Where the dismissal of the "Get notified" offer is kept. */
const DISMISSED_KEY = 'notifications-dismissed';

/**
 * Desktop notifications for new messages from others, as the chat index reports them:
 * not for the chat in front of the user, nor for a message this tab already showed in
 * its open chat, and per the chat's mute and notification level (muted or "mentions
 * only": only a new mention of them; "off": nothing). Only what arrives after the inbox
 * first synced is announced, so opening Jeco does not replay the backlog.
 */
export function useNotifications(args: { rows: ChatRow[]; inbox: Replica; me: UserId; openRoom: () => RoomId | undefined; readHere: ReadHere; open: (roomId: RoomId) => void }) {
  const [permission, setPermission] = createSignal<NotificationPermission>(SUPPORTED ? Notification.permission : 'denied');
  const seen = new Map<RoomId, number>();
  let baselineTaken = false;

  createEffect(
    on([() => args.rows.map((r) => r.entry.count), args.inbox.synced], () => {
      if (!args.inbox.synced()) return;
      for (const row of args.rows) {
        const before = seen.get(row.roomId);
        seen.set(row.roomId, row.entry.count);
        if (!baselineTaken || before === undefined || row.entry.count <= before) continue;
        // A mention among what just arrived (the index's `mentionedAt` moved past what was counted before).
        announce(row, (row.entry.mentionedAt ?? 0) > before);
      }
      baselineTaken = true;
    }),
  );

  function announce(row: ChatRow, mentioned: boolean): void {
    const last = row.entry.lastMessage;
    if (!last || last.authorId === args.me || permission() !== 'granted') return;
    if (!shouldNotify(row.level, row.muted, mentioned)) return;
    if (document.visibilityState === 'visible' && args.openRoom() === row.roomId) return;
    // Seen in the open chat before the index reported it, and the user has moved on since.
    if (last.position && args.readHere.has(row.roomId, last.position)) return;
    // A system line's preview is already a whole sentence ("Alice added Bob").
    const body = row.entry.kind === 'group' && !last.system ? `${last.authorName}: ${last.preview}` : last.preview;
    const notification = new Notification(chatTitle(row.entry), { body, tag: row.roomId });
    notification.onclick = () => {
      window.focus();
      args.open(row.roomId);
      notification.close();
    };
  }

  // "Not now" is remembered on this device, so the offer does not come back on every start.
  const [dismissed, setDismissed] = createSignal(readLocal<boolean>(DISMISSED_KEY) === true);
  return {
    /** Whether to offer turning notifications on (the browser has not been asked yet, and the offer was not dismissed). */
    canAsk: () => permission() === 'default' && !dismissed(),
    dismiss(): void {
      writeLocal(DISMISSED_KEY, true);
      setDismissed(true);
    },
    async ask(): Promise<void> {
      if (SUPPORTED) setPermission(await Notification.requestPermission());
    },
  };
}
