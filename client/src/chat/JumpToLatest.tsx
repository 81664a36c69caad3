import { Show } from 'solid-js';
import { ChevronDownIcon } from '../layout/icons';

/** Badges show at most this; more reads "99+", as chat apps do. */
const MAX_BADGE = 99;

/**
 * The round button at the bottom right of a scrolled-up chat: back to the latest
 * message, with a badge counting what other people wrote since the reader left it.
 */
export function JumpToLatest(props: { unseen: number; onClick: () => void }) {
  const label = () => (props.unseen > 0 ? `Jump to latest messages, ${props.unseen} new` : 'Jump to latest messages');
  return (
    <button type="button" class="jump-to-latest" aria-label={label()} title="Jump to latest messages" onClick={() => props.onClick()} data-testid="jump-to-latest">
      <ChevronDownIcon />
      <Show when={props.unseen > 0}>
        <span class="jump-to-latest-badge count-badge" data-testid="jump-to-latest-count">
          {props.unseen > MAX_BADGE ? `${MAX_BADGE}+` : props.unseen}
        </span>
      </Show>
    </button>
  );
}
