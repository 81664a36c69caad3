import { Show, type JSX } from 'solid-js';
import { BackIcon, SearchIcon } from '../layout/icons';
import { Avatar } from '../users/Avatar';

/**
 * `typing` ("Alice is typing…"), when set, stands in for the subtitle. With `onOpenInfo`
 * (a group's info, a DM's media: `infoLabel` names it), a click on the header, away from its buttons, opens it;
 * with `onSearch`, a magnifier opens the chat's search.
 */
export function ChatHeader(props: {
  title: string;
  subtitle: string;
  typing: string | null;
  seed: string;
  actions?: JSX.Element;
  onBack: () => void;
  onOpenInfo?: () => void;
  infoLabel?: string;
  onSearch?: () => void;
}) {
  const openInfo = (e: MouseEvent) => {
    if (props.onOpenInfo && !(e.target as Element).closest('button')) props.onOpenInfo();
  };
  return (
    <header class="chat-header" classList={{ 'opens-info': !!props.onOpenInfo }} onClick={openInfo} data-testid="chat-header">
      <button type="button" class="icon-button back-button" onClick={() => props.onBack()} aria-label="Back to chats" data-testid="back">
        <BackIcon />
      </button>
      <Avatar name={props.title} seed={props.seed} />
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: a button (with its label) whenever it opens the info panel */}
      <div
        class="chat-header-text"
        role={props.onOpenInfo ? 'button' : undefined}
        tabIndex={props.onOpenInfo ? 0 : undefined}
        aria-label={props.onOpenInfo ? `${props.title}: ${props.infoLabel ?? 'group info'}` : undefined}
        onKeyDown={(e) => {
          if (!props.onOpenInfo || (e.key !== 'Enter' && e.key !== ' ')) return;
          e.preventDefault();
          props.onOpenInfo();
        }}
        data-testid="chat-header-info"
      >
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
      {props.actions}
      <Show when={props.onSearch}>
        <button type="button" class="icon-button" onClick={() => props.onSearch?.()} title="Search messages" aria-label="Search messages" data-testid="chat-search-button">
          <SearchIcon />
        </button>
      </Show>
    </header>
  );
}
