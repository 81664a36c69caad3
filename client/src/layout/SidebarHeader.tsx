import { Show } from 'solid-js';
import type { Session } from '../auth/session';
import { Avatar } from '../users/Avatar';
import { userById } from '../users/userDirectory';
import { ConnectionBadge } from './ConnectionBadge';
import { MainMenu } from './MainMenu';
import { BellIcon, NewChatIcon, NewGroupIcon, SignOutIcon } from './icons';

export function SidebarHeader(props: {
  session: Session;
  onNewChat: () => void;
  onNewGroup: () => void;
  onContacts: () => void;
  onSettings: () => void;
  onSignOut: () => void;
  onShortcuts: () => void;
  onStarred?: () => void;
  /** Opens the notification list; with it, the bell shows `unreadNotifications`. */
  onNotifications?: () => void;
  unreadNotifications?: number;
}) {
  // The directory has my profile as last saved in Settings; the session's copy is from sign-in.
  const user = () => userById(props.session.user.id) ?? props.session.user;
  return (
    <header class="sidebar-header">
      <Avatar name={user().displayName} seed={user().id} />
      <div class="me">
        <span class="me-name" data-testid="me-name">
          {user().displayName}
        </span>
        <ConnectionBadge status={props.session.replicas.sessionEnded() ? 'signedOut' : props.session.replicas.status()} waiting={props.session.pending.count()} />
      </div>
      <div class="header-actions">
        <Show when={props.onNotifications}>
          <button
            type="button"
            class="icon-button bell-button"
            onClick={() => props.onNotifications?.()}
            title="Notifications"
            aria-label={(props.unreadNotifications ?? 0) > 0 ? `Notifications, ${props.unreadNotifications} unread` : 'Notifications'}
            data-testid="notifications-bell"
          >
            <BellIcon />
            <Show when={(props.unreadNotifications ?? 0) > 0}>
              <span class="bell-badge count-badge" data-testid="notifications-unread">
                {(props.unreadNotifications ?? 0) > 99 ? '99+' : props.unreadNotifications}
              </span>
            </Show>
          </button>
        </Show>
        <button type="button" class="icon-button" onClick={() => props.onNewChat()} title="New chat" aria-label="New chat" data-testid="new-chat">
          <NewChatIcon />
        </button>
        <button type="button" class="icon-button" onClick={() => props.onNewGroup()} title="New group" aria-label="New group" data-testid="new-group">
          <NewGroupIcon />
        </button>
        <button type="button" class="icon-button" onClick={() => props.onSignOut()} title="Sign out" aria-label="Sign out" data-testid="sign-out">
          <SignOutIcon />
        </button>
        <MainMenu onContacts={props.onContacts} onSettings={props.onSettings} onShortcuts={props.onShortcuts} onStarred={props.onStarred} />
      </div>
    </header>
  );
}
