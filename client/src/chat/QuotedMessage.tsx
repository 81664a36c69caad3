import { Show } from 'solid-js';
import { DELETED_MESSAGE_TEXT, type ShownMessage } from '#schema/docs/bucket';
import type { UserId } from '#schema/ids';
import { displayNameOf } from '../users/userDirectory';

/** What a quote says of its original: the current text, a tombstone, or that it is not loaded. */
function quoteText(original: ShownMessage | undefined): string {
  if (!original) return 'Original message not loaded';
  if (original.deleted) return DELETED_MESSAGE_TEXT;
  return original.editedText ?? original.text;
}

/**
 * A quoted message: above a reply in its bubble, and above the composer while
 * replying. Rendered as text only, like every message.
 */
export function QuotedMessage(props: { original: ShownMessage | undefined; me: UserId; onClick?: () => void }) {
  const author = () => (props.original ? (props.original.authorId === props.me ? 'You' : displayNameOf(props.original.authorId)) : '');
  return (
    <button
      type="button"
      class="quote"
      classList={{ clickable: !!props.onClick && !!props.original }}
      disabled={!props.onClick || !props.original}
      onClick={() => props.onClick?.()}
      data-testid="quote"
    >
      <Show when={author()}>
        <span class="quote-author">{author()}</span>
      </Show>
      <span class="quote-text" dir="auto" classList={{ deleted: !!props.original?.deleted }} data-testid="quote-text">
        {quoteText(props.original)}
      </span>
    </button>
  );
}
