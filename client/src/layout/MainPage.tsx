import { useNavigate, useParams } from '@solidjs/router';
import { createSignal, lazy, Match, onCleanup, Show, Switch } from 'solid-js';
import { parseRoomId, type RoomId } from '#schema/ids';
import { signOut, type Session } from '../auth/session';
import { ChatView } from '../chat/ChatView';
import { chatActions } from '../chats/chatActions';
import { ChatList } from '../chats/ChatList';
import { chatTitle } from '../chats/chatTitle';
import { NewChatPanel } from '../chats/NewChatPanel';
import { NewGroupPanel } from '../chats/NewGroupPanel';
import { ConfirmDialog } from '../group/ConfirmDialog';
import { useChatIndex } from '../chats/useChatIndex';
import { useNotifications } from '../notifications/useNotifications';
import { useNotificationList } from '../notifications/useNotificationList';
import { onNotificationClick } from '../notifications/webPush';
import { ChatSearch } from '../search/ChatSearch';
import { messageCount } from './messageCount';
import { ContactsPanel } from '../contacts/ContactsPanel';
import { useContacts } from '../contacts/useContacts';
import { SettingsPanel } from '../settings/SettingsPanel';
import { loadBlocked } from '../users/blocks';
import { useProfileRefresh } from '../users/useProfileRefresh';
import { SessionBanner } from './SessionBanner';
import { SidebarHeader } from './SidebarHeader';
import { useShortcuts } from './useShortcuts';

// Opened rarely: loaded when first asked for, off the first download.
const ShortcutsDialog = lazy(() => import('./ShortcutsDialog'));
const StarredPanel = lazy(() => import('../chats/StarredPanel'));
const NotificationsPanel = lazy(() => import('../notifications/NotificationsPanel'));

type Panel = 'chats' | 'newChat' | 'newGroup' | 'starred' | 'notifications' | 'contacts' | 'settings';

/** The two panes: chat list on the left, the open chat (`/c/:roomId`) on the right; one at a time on a phone. */
export function MainPage(props: { session: Session }) {
  const navigate = useNavigate();
  const params = useParams<{ roomId?: string }>();
  const index = useChatIndex(props.session);
  const [panel, setPanel] = createSignal<Panel>('chats');
  const room = () => (params.roomId ? parseRoomId(params.roomId) : null);
  const entryOf = (roomId: RoomId) => index.chats.find((c) => c.roomId === roomId);
  const actions = chatActions(index.inbox.doc);
  const open = (roomId: RoomId) => {
    setPanel('chats');
    navigate(`/c/${roomId}`);
  };
  const closePanel = () => setPanel('chats');
  const contacts = useContacts(props.session);
  // Offline, the list stays as it was; the server enforces blocks whatever this tab knows.
  loadBlocked().catch(() => undefined);
  useProfileRefresh(() => [...index.rows.flatMap((row) => (row.entry.peerId ? [row.entry.peerId] : [])), ...contacts.all().keys()]);
  const notificationList = useNotificationList(index.inbox);
  const notifications = useNotifications({ rows: index.rows, inbox: index.inbox, me: props.session.user.id, openRoom: () => room()?.id, readHere: props.session.readHere, open });
  // A push notification clicked while Jeco is open: the service worker names the chat.
  onCleanup(
    onNotificationClick((roomId) => {
      const parsed = parseRoomId(roomId);
      if (parsed) open(parsed.id);
    }),
  );

  const [confirmSignOut, setConfirmSignOut] = createSignal<number | null>(null);
  const [helpOpen, setHelpOpen] = createSignal(false);
  useShortcuts({
    searchChats: () => {
      setPanel('chats');
      // On a phone the list is behind the open chat: back to it first.
      if (params.roomId && window.matchMedia('(max-width: 699px)').matches) navigate('/');
      queueMicrotask(() => document.querySelector<HTMLInputElement>('[data-testid="chat-search-input"]')?.focus());
    },
    moveChat: (step) => {
      // The order the list shows (pinned first, archived apart): read from the list itself.
      const listed = [...document.querySelectorAll<HTMLElement>('[data-testid="chat-list"] [data-testid="chat-list-item"]')].map((el) => el.dataset.room);
      const at = listed.indexOf(room()?.id);
      const next = listed[at === -1 ? (step === 1 ? 0 : listed.length - 1) : at + step];
      if (next) open(next as RoomId);
    },
    showHelp: () => setHelpOpen(true),
    escape: () => {
      if (panel() !== 'chats') setPanel('chats');
    },
  });

  async function signOutNow() {
    await signOut();
    navigate('/login', { replace: true });
  }

  /** Signing out wipes what waits to be sent with the replicas: say so first, with the count. */
  function leave() {
    const waiting = props.session.pending.count();
    if (waiting === 0) void signOutNow();
    else setConfirmSignOut(waiting);
  }

  return (
    <div class="app" classList={{ 'chat-open': !!params.roomId }}>
      <aside class="sidebar">
        <Switch>
          <Match when={panel() === 'newChat'}>
            <NewChatPanel session={props.session} contacts={contacts} onClose={closePanel} onOpen={open} />
          </Match>
          <Match when={panel() === 'contacts'}>
            <ContactsPanel session={props.session} contacts={contacts} isOnline={index.isOnline} onClose={closePanel} onOpen={open} />
          </Match>
          <Match when={panel() === 'settings'}>
            <SettingsPanel session={props.session} onClose={closePanel} />
          </Match>
          <Match when={panel() === 'newGroup'}>
            <NewGroupPanel session={props.session} onClose={closePanel} onOpen={open} />
          </Match>
          <Match when={panel() === 'starred'}>
            <StarredPanel
              inbox={index.inbox}
              me={props.session.user.id}
              chatTitle={(roomId) => {
                const entry = index.chats.find((c) => c.roomId === roomId);
                return entry ? chatTitle(entry) : '';
              }}
              onClose={closePanel}
            />
          </Match>
          <Match when={panel() === 'notifications'}>
            <NotificationsPanel
              inbox={index.inbox}
              list={notificationList}
              chatTitle={(roomId) => {
                const entry = index.chats.find((c) => c.roomId === roomId);
                return entry ? chatTitle(entry) : '';
              }}
              onClose={closePanel}
            />
          </Match>
          <Match when={panel() === 'chats'}>
            <SidebarHeader
              onNotifications={() => setPanel('notifications')}
              unreadNotifications={notificationList.unread()}
              session={props.session}
              onNewChat={() => setPanel('newChat')}
              onNewGroup={() => setPanel('newGroup')}
              onContacts={() => setPanel('contacts')}
              onSettings={() => setPanel('settings')}
              onSignOut={leave}
              onShortcuts={() => setHelpOpen(true)}
              onStarred={() => setPanel('starred')}
            />
            <SessionBanner ended={props.session.replicas.sessionEnded()} offline={props.session.replicas.status() === 'offline'} waiting={props.session.pending.count()} />
            <Show when={notifications.canAsk()}>
              <div class="banner-notify-row">
                <button type="button" class="banner banner-notify" onClick={() => void notifications.ask()} data-testid="enable-notifications">
                  <strong>Get notified of new messages</strong>
                  <span>Turn on desktop notifications ›</span>
                </button>
                <button type="button" class="banner-dismiss" onClick={() => notifications.dismiss()} aria-label="Dismiss" title="Not now" data-testid="dismiss-notifications">
                  ×
                </button>
              </div>
            </Show>
            <ChatSearch session={props.session} rows={index.rows} selected={room()?.id} waitingIn={(id) => props.session.pending.latestIn(id)} typingIn={index.typingIn} actions={actions}>
              <ChatList
                rows={index.rows}
                loaded={index.loaded()}
                me={props.session.user.id}
                selected={room()?.id}
                waitingIn={(id) => props.session.pending.latestIn(id)}
                typingIn={index.typingIn}
                statusIn={index.statusIn}
                actions={actions}
                onNewChat={() => setPanel('newChat')}
              />
            </ChatSearch>
          </Match>
        </Switch>
      </aside>
      <main class="chat-pane">
        <Show
          when={params.roomId}
          fallback={
            <div class="chat-empty" data-testid="no-chat-selected">
              <div class="chat-empty-logo" aria-hidden="true">
                J
              </div>
              <h2>Jeco</h2>
              <p>Select a chat or start a new one.</p>
              <p class="chat-empty-note">Your messages are kept on this device and sync when you are online.</p>
            </div>
          }
        >
          <Show
            when={room()}
            keyed
            fallback={
              <p class="chat-refused" data-testid="chat-refused">
                This chat does not exist.
              </p>
            }
          >
            {(ref) => (
              <ChatView
                session={props.session}
                room={ref}
                entry={entryOf(ref.id)}
                state={index.stateOf(ref.id)}
                isOnline={index.isOnline}
                chats={() => index.chats}
                contacts={contacts}
                onBack={() => navigate('/')}
              />
            )}
          </Show>
        </Show>
      </main>
      <Show when={helpOpen()}>
        <ShortcutsDialog onClose={() => setHelpOpen(false)} />
      </Show>
      <Show when={confirmSignOut()} keyed>
        {(waiting) => (
          <ConfirmDialog
            confirmation={{
              text: `${messageCount(waiting)} ${waiting === 1 ? 'has' : 'have'} not been sent and will be lost. Sign out anyway?`,
              action: 'Sign out',
              run: () => void signOutNow(),
            }}
            onDone={() => setConfirmSignOut(null)}
          />
        )}
      </Show>
    </div>
  );
}
