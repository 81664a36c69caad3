import { createEffect, createMemo, createSignal, on, onCleanup, type Accessor } from 'solid-js';
import { readHiddenMessages } from '#schema/docs/inbox';
import { inboxDoc } from '#schema/docs/names';
import type { RoomId } from '#schema/ids';
import type { Session } from '../auth/session';
import { docSignal } from '../sync/docBindings';
import { useReplica } from '../sync/replicaScope';
import { measureSearch } from './measureSearch';
import { localMessageIndexFor, type LocalMessageIndex } from './localMessageIndex';
import { searchMessages, type SearchResult } from './searchMessages';

/** Skips the keystrokes of a word being typed; short enough to feel live. */
const DEBOUNCE_MS = 120;
/**
 * While a search is shown, the index re-checks IndexedDB this often, so messages that
 * arrive meanwhile (in this tab, another tab, or from the server) show up. A check of
 * an unchanged replica is one key look-up.
 */
const REFRESH_MS = 2000;
/** The User Timing entry of each search run. */
const SEARCH_MEASURE = 'jeco:search:query';
/** Results rendered at most; the count says how many more matched. */
export const RESULT_LIMIT = 100;

export interface MessageSearch {
  /** The query the results are for (debounced). */
  query: Accessor<string>;
  result: Accessor<SearchResult>;
  /** False until the index has been read from IndexedDB once; results shown meanwhile may be partial. */
  ready: Accessor<boolean>;
  /** Whether the results are for the query as typed now (the debounce has passed): only then is "nothing found" true. */
  settled: Accessor<boolean>;
  index: LocalMessageIndex;
}

/**
 * Searches this user's local replicas for `query` (all chats, or `roomId` only), keeping
 * the index current while a query is shown. Messages deleted for everyone or for oneself
 * are never found.
 */
export function useMessageSearch(session: Session, query: Accessor<string>, roomId?: RoomId): MessageSearch {
  const index = localMessageIndexFor(session.replicas, session.user.id);
  // "Delete for me" keys live in one's inbox, which the chat list keeps open anyway.
  const inbox = useReplica(session.replicas, inboxDoc(session.user.id));
  const hidden = docSignal(inbox.doc, readHiddenMessages);
  const [debounced, setDebounced] = createSignal('');
  const ready = () => !index.loading();

  createEffect(
    on(query, (q) => {
      if (q.trim() === '') return setDebounced('');
      const timer = setTimeout(() => setDebounced(q), DEBOUNCE_MS);
      onCleanup(() => clearTimeout(timer));
    }),
  );
  const active = () => query().trim() !== '';
  createEffect(() => {
    if (!active()) return;
    const refresh = () => void index.refresh();
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    onCleanup(() => clearInterval(timer));
  });

  const result = createMemo(() => {
    index.version();
    const q = debounced();
    const start = performance.now();
    const found = searchMessages(q, index.all(), { hidden: hidden(), roomId, limit: RESULT_LIMIT });
    // The search alone, without rendering.
    if (q.trim() !== '') measureSearch(SEARCH_MEASURE, start, { query: q, total: found.total });
    return found;
  });
  return { query: debounced, result, ready, settled: () => debounced() === query(), index };
}
