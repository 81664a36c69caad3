import { For, Show } from 'solid-js';
import type { UserId } from '#schema/ids';
import { Avatar } from '../users/Avatar';

export interface Mentionable {
  id: UserId;
  name: string;
}

/** The `@word` being typed just before the caret, if any: what the member picker filters by. */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|\s)@([^@\s]{0,30})$/.exec(text.slice(0, caret));
  return match ? { start: caret - match[2]!.length - 1, query: match[2]! } : null;
}

/** Members whose name has a word starting with `query`, best first. */
export function filterMentionables(people: readonly Mentionable[], query: string): Mentionable[] {
  const q = query.toLowerCase();
  return people
    .filter((p) =>
      p.name
        .toLowerCase()
        .split(/\s+/)
        .some((word) => word.startsWith(q)),
    )
    .sort((a, b) => Number(!a.name.toLowerCase().startsWith(q)) - Number(!b.name.toLowerCase().startsWith(q)) || a.name.localeCompare(b.name));
}

/** The list of members above the composer while one types `@…` in a group. */
export function MentionPicker(props: { people: Mentionable[]; active: number; onPick: (person: Mentionable) => void }) {
  return (
    <Show when={props.people.length > 0}>
      <ul class="mention-picker popover-list" role="listbox" aria-label="Mention a member" data-testid="mention-picker">
        <For each={props.people}>
          {(person, i) => (
            <li
              role="option"
              aria-selected={i() === props.active}
              classList={{ active: i() === props.active }}
              // mousedown, not click: the input must keep focus and its caret.
              onMouseDown={(e) => {
                e.preventDefault();
                props.onPick(person);
              }}
              data-testid="mention-option"
            >
              <Avatar name={person.name} seed={person.id} size="small" />
              <span class="mention-name">{person.name}</span>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}
