import { Show } from 'solid-js';
import { BackIcon, SearchIcon } from '../layout/icons';
import { Avatar } from '../users/Avatar';

/** `typing` ("Alice is typing…"), when set, stands in for the subtitle. */
export function ChatHeader(props: { title: string; subtitle: string; typing: string | null; seed: string; onBack: () => void; onSearch?: () => void }) {
  return (
    <header class="chat-header">
      <button type="button" class="icon-button back-button" onClick={() => props.onBack()} aria-label="Back to chats" data-testid="back">
        <BackIcon />
      </button>
      <Avatar name={props.title} seed={props.seed} />
      <div class="chat-header-text">
        <h2 data-testid="chat-header-title">{props.title}</h2>
        <Show
          when={props.typing}
          fallback={
            <Show when={props.subtitle}>
              <p class="chat-header-subtitle" data-testid="chat-header-subtitle">
                {props.subtitle}
              </p>
            </Show>
          }
        >
          <p class="chat-header-subtitle typing" data-testid="typing-indicator">
            {props.typing}
          </p>
        </Show>
      </div>
      <Show when={props.onSearch}>
        <button type="button" class="icon-button" onClick={() => props.onSearch?.()} title="Search messages" aria-label="Search messages" data-testid="chat-search-button">
          <SearchIcon />
        </button>
      </Show>
    </header>
  );
}
