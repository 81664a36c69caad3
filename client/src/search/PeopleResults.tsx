import { createEffect, createSignal, For, on, onCleanup, Show } from 'solid-js';
import type { PublicUser } from '#schema/api/auth';
import { parseUserId, type UserId } from '#schema/ids';
import { PersonButton } from '../users/PersonButton';
import { searchUsers } from '../users/searchUsers';

/** Long enough to skip the keystrokes of a word being typed, short enough to feel live. */
const DEBOUNCE_MS = 250;
/** People listed under the chats; the new-chat panel lists more. */
const MAX_PEOPLE = 8;

/**
 * "People" in the chat list's search: whoever's username or name starts with what is
 * typed, so the box can start a chat as its placeholder promises. Unlike messages,
 * people are looked up on the server (offline: the people met on this device), as the
 * new-chat panel does. People already listed as a chat above are left out.
 */
export function PeopleResults(props: { query: string; me: UserId; listed: (id: UserId) => boolean; onPick: (user: PublicUser & { id: UserId }) => void }) {
  const [people, setPeople] = createSignal<(PublicUser & { id: UserId })[]>([]);
  let asked = 0;
  createEffect(
    on(
      () => props.query.trim(),
      (query) => {
        const ticket = ++asked;
        if (!query) return setPeople([]);
        const timer = setTimeout(() => {
          searchUsers(query).then(
            (users) =>
              ticket === asked &&
              setPeople(
                users.flatMap((u) => {
                  const id = parseUserId(u.id);
                  return id && id !== props.me ? [{ ...u, id }] : [];
                }),
              ),
            // A failed look-up only means no people are listed; chats and messages still are.
            () => ticket === asked && setPeople([]),
          );
        }, DEBOUNCE_MS);
        onCleanup(() => clearTimeout(timer));
      },
    ),
  );
  const shown = () =>
    people()
      .filter((p) => !props.listed(p.id))
      .slice(0, MAX_PEOPLE);
  return (
    <Show when={shown().length > 0}>
      <h3 class="search-section">People</h3>
      <ul class="search-chats user-results" data-testid="search-people">
        <For each={shown()}>
          {(user) => (
            <li>
              <PersonButton id={user.id} name={user.displayName} detail={`@${user.username}`} onClick={() => props.onPick(user)} testId="search-person" username={user.username} />
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}
