import { useNavigate } from '@solidjs/router';
import { createEffect, createMemo, createSignal, For, on, Show, type JSX } from 'solid-js';
import type { RoomId } from '#schema/ids';
import type { Session } from '../auth/session';
import type { PendingMessage } from '../sync/outbox';
import type { ChatActions } from '../chats/chatActions';
import { ChatListItem } from '../chats/ChatListItem';
import { chatTitle } from '../chats/chatTitle';
import { startDm } from '../chats/startChat';
import type { ChatRow } from '../chats/useChatIndex';
import '../styles/search.css';
import { chatsMissingLatest, fetchChatsForSearch } from './fetchChatsForSearch';
import { requestMessageFocus } from './messageFocus';
import { MessageResult } from './MessageResult';
import { PeopleResults } from './PeopleResults';
import { MoreHits, NoHits } from './SearchNotes';
import { SearchBox } from './SearchBox';
import { matchTitles } from './searchMessages';
import { useMessageSearch } from './useMessageSearch';

export interface ChatSearchProps {
  session: Session;
  /** The chat list's rows: chats found by title show as they do in the list. */
  rows: ChatRow[];
  selected: RoomId | undefined;
  waitingIn: (roomId: RoomId) => PendingMessage | undefined;
  typingIn: (roomId: RoomId) => string[];
  actions: ChatActions;
  /** The chat list, shown while nothing is searched. */
  children: JSX.Element;
}

/**
 * The chat list's search: chats whose title matches, and messages from every chat kept
 * on this device, read from the local replicas (so it works offline). Starting a search
 * while online also brings onto the device the latest messages of chats it lacks.
 */
export function ChatSearch(props: ChatSearchProps) {
  const navigate = useNavigate();
  const me = props.session.user.id;
  const [query, setQuery] = createSignal('');
  const search = useMessageSearch(props.session, query);
  const active = () => query().trim() !== '';
  const chats = createMemo(() => props.rows.map((row) => row.entry));
  const byRoom = createMemo(() => new Map(chats().map((c) => [c.roomId, c])));
  const titles = createMemo(() => matchTitles(search.query(), props.rows, (row) => chatTitle(row.entry)));
  const pinnedCount = createMemo(() => props.rows.filter((r) => r.state?.pinnedAt && !r.state.archivedAt).length);

  // Chats asked of the server once per session, whatever came of it, so a failing one is not retried in a loop.
  // Those not reached (the connection dropped) are asked at the next search online.
  const tried = new Set<RoomId>();
  const [fetching, setFetching] = createSignal(0);
  const fetchMissing = () => {
    const replicas = props.session.replicas;
    if (replicas.status() !== 'connected' || fetching() > 0) return;
    const missing = chatsMissingLatest(chats(), search.index).filter((c) => !tried.has(c.roomId));
    if (missing.length === 0) return;
    setFetching(missing.length);
    void fetchChatsForSearch(replicas, missing, (roomId) => {
      tried.add(roomId);
      setFetching((n) => n - 1);
      void search.index.refresh();
    }).finally(() => setFetching(0));
  };
  createEffect(on([active, search.ready], ([searching, ready]) => searching && ready && fetchMissing()));

  // Reading the index starts as the box gets focus, so the first words typed find it (mostly) loaded.
  const focused = () => {
    void search.index.refresh();
    if (active()) fetchMissing();
  };

  const notOnDevice = createMemo(() => {
    search.index.version();
    const rooms = search.index.rooms();
    return chats().filter((c) => c.lastMessage && !rooms.has(c.roomId)).length;
  });

  const open = (roomId: RoomId, messageId: Parameters<typeof requestMessageFocus>[1], bucket: number) => {
    requestMessageFocus(roomId, messageId, bucket);
    navigate(`/c/${roomId}`);
  };

  /** Enter in the box: the newest matching message, else the first matching chat. */
  const openFirst = () => {
    const hit = search.result().hits[0];
    if (hit) open(hit.roomId, hit.message.id, hit.bucket);
    else if (titles()[0]) navigate(`/c/${titles()[0]!.roomId}`);
  };

  return (
    <div class="chat-search">
      <SearchBox value={query()} onInput={setQuery} placeholder="Search or start a new chat" label="Search chats and messages" testId="chat-search-input" onFocus={focused} onEnter={openFirst} />
      <Show when={active()} fallback={props.children}>
        <div class="search-results" data-testid="search-results" data-query={search.query()}>
          <Show when={titles().length > 0}>
            <h3 class="search-section">Chats</h3>
            <ul class="search-chats" data-testid="search-chats">
              <For each={titles()}>
                {(row) => (
                  <ChatListItem
                    row={row}
                    me={me}
                    selected={row.roomId === props.selected}
                    waiting={props.waitingIn(row.roomId)}
                    typing={props.typingIn(row.roomId)}
                    pinnedCount={pinnedCount()}
                    actions={props.actions}
                  />
                )}
              </For>
            </ul>
          </Show>
          <PeopleResults
            query={search.query()}
            me={me}
            listed={(id) => titles().some((row) => row.entry.peerId === id)}
            onPick={(user) =>
              void startDm(props.session.replicas, me, user).then((roomId) => {
                setQuery('');
                navigate(`/c/${roomId}`);
              })
            }
          />
          <h3 class="search-section">Messages</h3>
          <Show when={search.result().hits.length > 0} fallback={<NoHits search={search} />}>
            <ul class="search-list" data-testid="search-messages">
              <For each={search.result().hits}>
                {(hit) => {
                  const entry = () => byRoom().get(hit.roomId);
                  return (
                    <MessageResult
                      hit={hit}
                      query={search.query()}
                      me={me}
                      chatTitle={entry() ? chatTitle(entry()!) : ''}
                      showAuthor={entry()?.kind === 'group'}
                      onOpen={() => open(hit.roomId, hit.message.id, hit.bucket)}
                    />
                  );
                }}
              </For>
            </ul>
            <MoreHits search={search} hint="Add a word to narrow the search." />
          </Show>
          <Show when={fetching() > 0}>
            <p class="search-note" data-testid="search-fetching">
              Getting the latest messages of {fetching()} {fetching() === 1 ? 'chat' : 'chats'} to search…
            </p>
          </Show>
          <Show when={fetching() === 0 && notOnDevice() > 0}>
            <p class="search-note" data-testid="search-coverage">
              {notOnDevice()} {notOnDevice() === 1 ? 'chat has' : 'chats have'} not been downloaded to this device yet, so {notOnDevice() === 1 ? 'its' : 'their'} messages are not searched. They will
              be the next time you search online.
            </p>
          </Show>
        </div>
      </Show>
    </div>
  );
}
