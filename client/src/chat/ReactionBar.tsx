import { For, Show } from 'solid-js';
import { Portal } from 'solid-js/web';
import type { UserId } from '#schema/ids';
import { useDropdown } from '../layout/useDropdown';
import { displayNameOf } from '../users/userDirectory';

/**
 * Counts under a bubble, one chip per emoji. Hovering names who reacted; a click or a
 * tap (touch screens have no hover) opens the list of who reacted with what.
 */
export function ReactionBar(props: { reactions: ReadonlyMap<string, UserId[]>; me: UserId }) {
  let root!: HTMLDivElement;
  const { open, floating, toggle } = useDropdown(() => root, { placement: 'bottom-start', boundary: () => root.closest('.chat-pane') });
  // "You" first, as WhatsApp lists it.
  const ordered = (users: UserId[]) => [...users.filter((id) => id === props.me), ...users.filter((id) => id !== props.me)];
  const nameOf = (id: UserId) => (id === props.me ? 'You' : displayNameOf(id));
  const names = (users: UserId[]) => ordered(users).map(nameOf).join(', ');
  const who = () => [...props.reactions].flatMap(([emoji, users]) => ordered(users).map((id) => ({ emoji, id })));
  return (
    <div class="reactions" ref={root} data-testid="reactions">
      <button type="button" class="reactions-button" aria-haspopup="dialog" aria-expanded={open()} aria-label="Who reacted" onClick={toggle}>
        <For each={[...props.reactions]}>
          {([emoji, users]) => (
            <span class="reaction-chip" title={names(users)} data-testid="reaction" data-emoji={emoji} data-count={users.length}>
              <span class="reaction-emoji">{emoji}</span>
              <span class="reaction-count">{users.length}</span>
            </span>
          )}
        </For>
      </button>
      <Show when={open()}>
        <Portal>
          <ul class="reaction-details popover-list" ref={floating} data-testid="reaction-details">
            <For each={who()}>
              {(row) => (
                <li data-testid="reaction-detail">
                  <span class="reaction-detail-name">{nameOf(row.id)}</span>
                  <span class="reaction-emoji">{row.emoji}</span>
                </li>
              )}
            </For>
          </ul>
        </Portal>
      </Show>
    </div>
  );
}
