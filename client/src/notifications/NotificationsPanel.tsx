import { useNavigate } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { isNotificationRead, markAllNotificationsRead, markNotificationRead, type Notification } from '#schema/docs/notifications';
import type { MessageId, RoomId } from '#schema/ids';
import { PanelHeader } from '../layout/PanelHeader';
import { requestMessageFocus } from '../search/messageFocus';
import type { Replica } from '../sync/replica';
import { formatChatTime } from '../time/formatTime';
import { Avatar } from '../users/Avatar';
import { displayNameOf } from '../users/userDirectory';
import type { NotificationList } from './useNotificationList';

/** What happened, in words: "Bob mentioned you in Team"; a DM (titled after Bob) is not named again. */
function describeNotification(item: Notification, actor: string, where: string): string {
  const inWhere = where && where !== actor ? ` in ${where}` : '';
  switch (item.kind) {
    case 'mention':
      return `${actor} mentioned you${inWhere}`;
    case 'reply':
      return `${actor} replied to you${inWhere}`;
    case 'reaction':
      return `${actor} reacted ${item.emoji ?? ''} to your message${inWhere}`.replace('  ', ' ');
    case 'added':
      return `${actor} added you to ${where || 'a group'}`;
    case 'removed':
      return `${actor} removed you from ${where || 'a group'}`;
    case 'made_admin':
      return `${actor} made you an admin of ${where || 'a group'}`;
  }
}

/**
 * The notification list: mentions, replies, reactions and membership changes, newest first,
 * unread ones marked. A click opens the chat at the message and marks it read; "Mark
 * all read" moves the read watermark, on every device of this user.
 */
export default function NotificationsPanel(props: { inbox: Replica; list: NotificationList; chatTitle: (roomId: RoomId) => string; onClose: () => void }) {
  const navigate = useNavigate();
  const open = (item: Notification) => {
    markNotificationRead(props.inbox.doc, item.key, Date.now());
    if (item.messageId && item.bucket !== undefined) requestMessageFocus(item.roomId, item.messageId as MessageId, item.bucket);
    navigate(`/c/${item.roomId}`);
    props.onClose();
  };
  return (
    <section class="panel" data-testid="notifications-panel">
      <PanelHeader title="Notifications" onBack={props.onClose} />
      <Show
        when={props.list.items().length > 0}
        fallback={
          <p class="panel-note" data-testid="notifications-empty">
            No notifications yet. When someone mentions you, replies to you, reacts to your message or adds you to a group, it shows here.
          </p>
        }
      >
        <div class="notifications-bar">
          <span class="notifications-summary">{props.list.unread() > 0 ? `${props.list.unread()} unread` : 'All read'}</span>
          <button type="button" class="link-button" disabled={props.list.unread() === 0} onClick={() => markAllNotificationsRead(props.inbox.doc)} data-testid="notifications-mark-all">
            Mark all read
          </button>
        </div>
        <ul class="notification-list" data-testid="notification-list">
          <For each={props.list.items()}>
            {(item) => {
              const actor = () => displayNameOf(item.actorId, item.actorName || 'Someone');
              const unread = () => !isNotificationRead(item, props.list.readState());
              return (
                <li>
                  <button
                    type="button"
                    class="notification-item"
                    classList={{ unread: unread() }}
                    onClick={() => open(item)}
                    data-testid="notification-item"
                    data-kind={item.kind}
                    data-unread={unread() ? 'true' : 'false'}
                  >
                    <Avatar name={actor()} seed={item.actorId} />
                    <span class="notification-body">
                      <span class="notification-text" data-testid="notification-text">
                        {describeNotification(item, actor(), props.chatTitle(item.roomId) || item.roomTitle)}
                      </span>
                      <span class="notification-line">
                        <span class="notification-preview" dir="auto">
                          {item.preview}
                        </span>
                        <time class="notification-time">{formatChatTime(item.at)}</time>
                      </span>
                    </span>
                    <Show when={unread()}>
                      <span class="notification-dot" role="img" aria-label="unread" />
                    </Show>
                  </button>
                </li>
              );
            }}
          </For>
        </ul>
      </Show>
    </section>
  );
}
