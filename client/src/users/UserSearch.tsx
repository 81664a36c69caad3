import { createEffect, createSignal, For, on, onCleanup, Show } from 'solid-js';
import type { PublicUser } from '#schema/api/auth';
import { ApiError } from '../api/apiRequest';
import { SearchIcon } from '../layout/icons';
import { PersonButton } from './PersonButton';
import { searchUsers } from './searchUsers';

/** Long enough to skip the keystrokes of a word being typed, short enough to feel live. */
const DEBOUNCE_MS = 250;

/**
 * Searches people by username prefix as one types; `hidden` users (oneself, those
 * already picked) are left out. `forGroup`: picking adds to a group, so people who do not
 * let me add them (the server says so per person, and refuses it) are shown but not
 * offered, with why.
 */
export function UserSearch(props: { hidden: (id: string) => boolean; onPick: (user: PublicUser) => void; autofocus?: boolean; forGroup?: boolean }) {
  const [query, setQuery] = createSignal('');
  const [results, setResults] = createSignal<PublicUser[] | null>(null);
  const [error, setError] = createSignal<string>();
  let asked = 0;
  let input!: HTMLInputElement;

  createEffect(
    on(query, (q) => {
      const trimmed = q.trim();
      const ticket = ++asked;
      if (!trimmed) {
        setResults(null);
        setError(undefined);
        return;
      }
      const timer = setTimeout(() => {
        searchUsers(trimmed).then(
          (users) => {
            if (ticket !== asked) return;
            setError(undefined);
            setResults(users);
          },
          (e: unknown) => {
            if (ticket !== asked) return;
            setError(e instanceof ApiError ? e.message : 'Search failed.');
          },
        );
      }, DEBOUNCE_MS);
      onCleanup(() => clearTimeout(timer));
    }),
  );

  const visible = () => (results() ?? []).filter((user) => !props.hidden(user.id));

  return (
    <div class="user-search">
      <label class="search-box">
        <SearchIcon />
        <input
          type="search"
          placeholder="Search by username"
          aria-label="Search people by username"
          value={query()}
          onInput={(e) => setQuery(e.currentTarget.value)}
          autofocus={props.autofocus}
          ref={(el) => {
            input = el;
            if (props.autofocus) queueMicrotask(() => el.focus());
          }}
          data-testid="user-search"
        />
      </label>
      <Show when={error()}>
        <p class="panel-note panel-error">{error()}</p>
      </Show>
      <Show
        when={results() !== null && !error()}
        fallback={
          <Show when={!error()}>
            <p class="panel-note">Find people by the start of their username.</p>
          </Show>
        }
      >
        <Show when={visible().length > 0} fallback={<p class="panel-note">Nobody found for “{query().trim()}”.</p>}>
          <ul class="user-results">
            <For each={visible()}>
              {(user) => (
                <li>
                  <PersonButton
                    id={user.id}
                    name={user.displayName}
                    detail={`@${user.username}`}
                    disabled={props.forGroup && user.mayAddToGroups === false}
                    onClick={() => {
                      // A new search starts after each pick: the one picked leaves the list, and "Nobody found" would be false.
                      setQuery('');
                      props.onPick(user);
                      input.focus();
                    }}
                    testId="user-result"
                    username={user.username}
                  >
                    <Show when={props.forGroup && user.mayAddToGroups === false}>
                      <span class="user-result-note" data-testid="user-result-refusal">
                        Only their contacts can add them to groups
                      </span>
                    </Show>
                  </PersonButton>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </div>
  );
}
