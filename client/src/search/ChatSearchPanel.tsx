import { createSignal, For, Show } from 'solid-js';
import type { RoomId } from '#schema/ids';
import type { Session } from '../auth/session';
import { CloseIcon } from '../layout/icons';
import '../styles/search.css';
import { requestMessageFocus } from './messageFocus';
import { MessageResult } from './MessageResult';
import { MoreHits, NoHits } from './SearchNotes';
import { SearchBox } from './SearchBox';
import type { IndexedMessage } from './searchMessages';
import { useMessageSearch } from './useMessageSearch';

export interface ChatSearchPanelProps {
  session: Session;
  roomId: RoomId;
  group: boolean;
  onClose: () => void;
}

/** The one-pane layout's breakpoint (styles/phone.css). */
const PHONE_QUERY = '(max-width: 699px)';

/** "Search messages" in one chat: a panel beside (on a phone, over) the messages, newest results first. */
export function ChatSearchPanel(props: ChatSearchPanelProps) {
  const [query, setQuery] = createSignal('');
  const search = useMessageSearch(props.session, query, props.roomId);
  const me = props.session.user.id;
  // The panel opens focused: read the index now, before the first word is typed.
  void search.index.refresh();
  /** Whether this chat has older history than the device holds: search cannot see it. */
  const olderMissing = () => {
    search.index.version();
    return (search.index.oldestBucket(props.roomId) ?? 0) > 0;
  };
  const open = (hit: IndexedMessage) => {
    requestMessageFocus(hit.roomId, hit.message.id, hit.bucket);
    // On a phone the panel covers the chat: step aside to show the message.
    if (matchMedia(PHONE_QUERY).matches) props.onClose();
  };
  return (
    <aside class="chat-search-panel" data-testid="chat-search-panel" onKeyDown={(e) => e.key === 'Escape' && props.onClose()}>
      <header class="chat-search-header">
        <button type="button" class="icon-button" onClick={() => props.onClose()} aria-label="Close search" data-testid="chat-search-close">
          <CloseIcon />
        </button>
        <h2>Search messages</h2>
      </header>
      <SearchBox
        value={query()}
        onInput={setQuery}
        placeholder="Search…"
        label="Search messages in this chat"
        testId="chat-search-panel-input"
        autofocus
        onEnter={() => search.result().hits[0] && open(search.result().hits[0]!)}
      />
      <div class="search-results" data-query={search.query()}>
        <Show when={query().trim() !== ''} fallback={<p class="search-empty">Search for messages in this chat.</p>}>
          <Show when={search.result().hits.length > 0} fallback={<NoHits search={search} />}>
            <ul class="search-list" data-testid="chat-search-results">
              <For each={search.result().hits}>{(hit) => <MessageResult hit={hit} query={search.query()} me={me} showAuthor={props.group} onOpen={() => open(hit)} />}</For>
            </ul>
            <MoreHits search={search} />
          </Show>
        </Show>
        <Show when={olderMissing() && search.ready()}>
          <p class="search-note" data-testid="chat-search-older">
            Older messages of this chat are not on this device yet, so they are not searched. Scrolling up in the chat brings them.
          </p>
        </Show>
      </div>
    </aside>
  );
}
