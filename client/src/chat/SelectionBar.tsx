import { Show } from 'solid-js';
import { CloseIcon } from '../layout/icons';

/** What may be done to the chosen messages together; an action not allowed for every one of them is not offered. */
interface SelectionAbilities {
  /** How many messages are chosen. */
  count: number;
  /** Some chosen message has text to forward or copy (a deleted one has none). */
  hasText: boolean;
  /** Every chosen message may be deleted for everyone by this person (`schema/access.ts`). */
  deleteForEveryone: boolean;
}

export interface SelectionBarProps {
  abilities: SelectionAbilities;
  onForward: () => void;
  onCopy: () => void;
  onDeleteForMe: () => void;
  onDeleteForEveryone: () => void;
  onCancel: () => void;
}

/** Takes the composer's place while messages are chosen: how many, and what can be done to them all. */
export function SelectionBar(props: SelectionBarProps) {
  const none = () => props.abilities.count === 0;
  return (
    <div class="selection-bar" role="toolbar" aria-label="Selected messages" data-testid="selection-bar">
      <button type="button" class="selection-cancel" aria-label="Cancel selection" title="Cancel (Esc)" onClick={() => props.onCancel()} data-testid="selection-cancel">
        <CloseIcon />
      </button>
      <span class="selection-count" aria-live="polite" data-testid="selection-count">
        {props.abilities.count === 1 ? '1 selected' : `${props.abilities.count} selected`}
      </span>
      <div class="selection-actions">
        <button type="button" disabled={none() || !props.abilities.hasText} onClick={() => props.onForward()} data-testid="selection-forward">
          Forward
        </button>
        <button type="button" disabled={none() || !props.abilities.hasText} onClick={() => props.onCopy()} data-testid="selection-copy">
          Copy
        </button>
        <button type="button" disabled={none()} onClick={() => props.onDeleteForMe()} data-testid="selection-delete-for-me">
          Delete for me
        </button>
        <Show when={props.abilities.deleteForEveryone}>
          <button type="button" class="danger" disabled={none()} onClick={() => props.onDeleteForEveryone()} data-testid="selection-delete-for-everyone">
            Delete for everyone
          </button>
        </Show>
      </div>
    </div>
  );
}
