import { Show } from 'solid-js';
import type { UserId } from '#schema/ids';
import { formatChatTime } from '../time/formatTime';
import { displayNameOf } from '../users/userDirectory';
import type { IndexedMessage } from './searchMessages';
import { SearchSnippet } from './SearchSnippet';

export interface MessageResultProps {
  hit: IndexedMessage;
  query: string;
  me: UserId;
  /** Shown above the snippet in the chat list's search; a chat's own search leaves it out. */
  chatTitle?: string;
  /** Whether to name the author (groups): "You: …", "Ada: …". */
  showAuthor: boolean;
  onOpen: () => void;
}

/** One found message: where (chat), when, who and the matching text. */
export function MessageResult(props: MessageResultProps) {
  const author = () => (props.hit.message.authorId === props.me ? 'You' : displayNameOf(props.hit.message.authorId));
  return (
    <li>
      <button type="button" class="search-result" onClick={() => props.onOpen()} data-testid="search-result" data-room={props.hit.roomId} data-message-id={props.hit.message.id}>
        <span class="search-result-top">
          <Show when={props.chatTitle !== undefined}>
            <span class="search-result-title" data-testid="search-result-chat">
              {props.chatTitle}
            </span>
          </Show>
          <span class="search-result-time">{formatChatTime(props.hit.message.createdAt)}</span>
        </span>
        <span class="search-result-text">
          <Show when={props.showAuthor || props.hit.message.authorId === props.me}>
            <span class="search-result-author" data-testid="search-result-author">
              {author()}:{' '}
            </span>
          </Show>
          <SearchSnippet text={props.hit.text} query={props.query} />
        </span>
      </button>
    </li>
  );
}
