import { For } from 'solid-js';
import type { UserId } from '../../../schema/ids';
import { displayNameOf } from '../users/userDirectory';

/** Counts under a bubble, one chip per emoji; hovering (or a long tap) names who reacted. */
export function ReactionBar(props: { reactions: ReadonlyMap<string, UserId[]>; me: UserId }) {
  // "You" first, as WhatsApp lists it.
  const names = (users: UserId[]) =>
    [...(users.includes(props.me) ? ['You'] : []), ...users.filter((id) => id !== props.me).map((id) => displayNameOf(id))].join(', ');
  return (
    <div class="reactions" data-testid="reactions">
      <For each={[...props.reactions]}>
        {([emoji, users]) => (
          <span class="reaction-chip" title={names(users)} data-testid="reaction" data-emoji={emoji} data-count={users.length}>
            <span class="reaction-emoji">{emoji}</span>
            <span class="reaction-count">{users.length}</span>
          </span>
        )}
      </For>
    </div>
  );
}
