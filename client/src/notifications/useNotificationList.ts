import { createMemo } from 'solid-js';
import { isNotificationRead, readNotificationReadState, readNotifications } from '#schema/docs/notifications';
import { docSignal } from '../sync/docBindings';
import type { Replica } from '../sync/replica';

/**
 * The notification list of the inbox replica (`schema/docs/notifications.ts`) and the
 * owner's read marks, live: the server writes the items, any device of this user the
 * marks, so the unread count follows them to every tab and device, offline too.
 */
export function useNotificationList(inbox: Replica) {
  const items = docSignal(inbox.doc, readNotifications);
  const readState = docSignal(inbox.doc, readNotificationReadState);
  const unread = createMemo(() => items().filter((item) => !isNotificationRead(item, readState())).length);
  return { items, readState, unread };
}

export type NotificationList = ReturnType<typeof useNotificationList>;
