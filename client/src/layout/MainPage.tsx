import { useNavigate, useParams } from '@solidjs/router';
import { createSignal, Match, Show, Switch } from 'solid-js';
import { parseRoomId, type RoomId } from '../../../schema/ids';
import { signOut, type Session } from '../auth/session';
import { ChatView } from '../chat/ChatView';
import { chatActions } from '../chats/chatActions';
import { ChatList } from '../chats/ChatList';
import { NewChatPanel } from '../chats/NewChatPanel';
import { NewGroupPanel } from '../chats/NewGroupPanel';
import { useChatIndex } from '../chats/useChatIndex';
import { useNotifications } from '../notifications/useNotifications';
import { ChatSearch } from '../search/ChatSearch';
import { ContactsPanel } from '../contacts/ContactsPanel';
import { useContacts } from '../contacts/useContacts';
import { SettingsPanel } from '../settings/SettingsPanel';
import { loadBlocked } from '../users/blocks';
import { useProfileRefresh } from '../users/useProfileRefresh';
import { SessionBanner } from './SessionBanner';
import { SidebarHeader } from './SidebarHeader';

type Panel = 'chats' | 'newChat' | 'newGroup' | 'contacts' | 'settings';

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
  const notifications = useNotifications({ rows: index.rows, inbox: index.inbox, me: props.session.user.id, openRoom: () => room()?.id, open });


  async function leave() {
    await signOut();
    navigate('/login', { replace: true });
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
          <Match when={panel() === 'chats'}>
            <SidebarHeader session={props.session} onNewChat={() => setPanel('newChat')} onNewGroup={() => setPanel('newGroup')} onContacts={() => setPanel('contacts')} onSettings={() => setPanel('settings')} onSignOut={leave} />
            <SessionBanner ended={props.session.replicas.sessionEnded()} offline={props.session.replicas.status() === 'offline'} waiting={props.session.pending.count()} />
            <Show when={notifications.canAsk()}>
              <button type="button" class="banner banner-notify" onClick={() => void notifications.ask()} data-testid="enable-notifications">
                <strong>Get notified of new messages</strong>
                <span>Turn on desktop notifications ›</span>
              </button>
            </Show>
            <ChatSearch
              session={props.session}
              rows={index.rows}
              selected={room()?.id}
              waitingIn={(id) => props.session.pending.latestIn(id)}
              typingIn={index.typingIn}
              actions={actions}
            >
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
              <div class="chat-empty-logo" aria-hidden="true">J</div>
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
            {(ref) => <ChatView session={props.session} room={ref} entry={entryOf(ref.id)} state={index.stateOf(ref.id)} isOnline={index.isOnline} contacts={contacts} onBack={() => navigate('/')} />}
          </Show>
        </Show>
      </main>
    </div>
  );
}
