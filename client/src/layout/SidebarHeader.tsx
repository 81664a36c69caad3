import type { Session } from '../auth/session';
import { Avatar } from '../users/Avatar';
import { ConnectionBadge } from './ConnectionBadge';
import { userById } from '../users/userDirectory';
import { MenuIcon, NewChatIcon, NewGroupIcon, SignOutIcon } from './icons';
import { useDropdown } from './useDropdown';
import { Show } from 'solid-js';

export function SidebarHeader(props: { session: Session; onNewChat: () => void; onNewGroup: () => void; onContacts: () => void; onSettings: () => void; onSignOut: () => void }) {
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
        <button type="button" class="icon-button" onClick={() => props.onNewChat()} title="New chat" aria-label="New chat" data-testid="new-chat">
          <NewChatIcon />
        </button>
        <button type="button" class="icon-button" onClick={() => props.onNewGroup()} title="New group" aria-label="New group" data-testid="new-group">
          <NewGroupIcon />
        </button>
        <SidebarMenu onContacts={props.onContacts} onSettings={props.onSettings} />
        <button type="button" class="icon-button" onClick={() => props.onSignOut()} title="Sign out" aria-label="Sign out" data-testid="sign-out">
          <SignOutIcon />
        </button>
      </div>
    </header>
  );
}

/** The sidebar's menu: the places that are not chats (Contacts, Settings). */
function SidebarMenu(props: { onContacts: () => void; onSettings: () => void }) {
  let root!: HTMLDivElement;
  const { open, toggle, run } = useDropdown(() => root);
  return (
    <div class="sidebar-menu" ref={root}>
      <button type="button" class="icon-button" onClick={toggle} title="Menu" aria-label="Menu" aria-haspopup="menu" aria-expanded={open()} data-testid="sidebar-menu">
        <MenuIcon />
      </button>
      <Show when={open()}>
        <div class="message-menu-list sidebar-menu-list" role="menu">
          <button type="button" role="menuitem" onClick={run(props.onContacts)} data-testid="open-contacts">
            Contacts
          </button>
          <button type="button" role="menuitem" onClick={run(props.onSettings)} data-testid="open-settings">
            Settings
          </button>
        </div>
      </Show>
    </div>
  );
}
