import { For, Show } from 'solid-js';
import { Portal } from 'solid-js/web';
import { MAX_PINNED } from '#schema/docs/inbox';
import { ChevronDownIcon } from '../layout/icons';
import { useDropdown } from '../layout/useDropdown';
import type { ChatRow } from './useChatIndex';
import { MUTE_CHOICES, NOTIFY_CHOICES, type ChatActions } from './chatActions';

/** The chevron on a chat list row (on hover) and its menu: archive, mute, notification level, pin, mark as read. */
export function ChatItemMenu(props: { row: ChatRow; pinnedCount: number; actions: ChatActions }) {
  let root!: HTMLDivElement;
  const { open, floating, toggle, run } = useDropdown(() => root);
  const roomId = () => props.row.entry.roomId;
  const archived = () => !!props.row.state?.archivedAt;
  const pinned = () => !!props.row.state?.pinnedAt;
  const pinFull = () => !pinned() && props.pinnedCount >= MAX_PINNED;
  return (
    <div class="chat-item-menu" classList={{ open: open() }} ref={root}>
      <button type="button" class="chat-item-menu-button" aria-label="Chat options" aria-haspopup="menu" aria-expanded={open()} onClick={toggle} data-testid="chat-menu-button">
        <ChevronDownIcon />
      </button>
      <Show when={open()}>
        <Portal>
          <div class="message-menu-list chat-menu-list" ref={floating} role="menu" data-testid="chat-menu">
            <button type="button" role="menuitem" onClick={run(() => props.actions.archive(roomId(), !archived()))} data-testid="action-archive">
              {archived() ? 'Unarchive chat' : 'Archive chat'}
            </button>
            <Show
              when={props.row.muted}
              fallback={
                <For each={MUTE_CHOICES}>
                  {(choice) => (
                    <button type="button" role="menuitem" onClick={run(() => props.actions.mute(roomId(), choice.ms))} data-testid="action-mute" data-mute={choice.label}>
                      {choice.label}
                    </button>
                  )}
                </For>
              }
            >
              <button type="button" role="menuitem" onClick={run(() => props.actions.mute(roomId(), false))} data-testid="action-unmute">
                Unmute notifications
              </button>
            </Show>
            <div class="menu-group" role="group" aria-labelledby={`notify-label-${roomId()}`} data-testid="notify-levels">
              <div class="menu-group-label" id={`notify-label-${roomId()}`}>
                Notify me about
              </div>
              <For each={NOTIFY_CHOICES}>
                {(choice) => (
                  <button
                    type="button"
                    role="menuitemradio"
                    aria-checked={props.row.level === choice.level}
                    onClick={run(() => props.actions.notify(roomId(), choice.level))}
                    data-testid={`notify-${choice.level}`}
                  >
                    <span class="menu-check" aria-hidden="true">
                      {props.row.level === choice.level ? '✓' : ''}
                    </span>
                    {choice.label}
                  </button>
                )}
              </For>
            </div>
            <Show when={!archived()}>
              <button
                type="button"
                role="menuitem"
                disabled={pinFull()}
                title={pinFull() ? `You can only pin up to ${MAX_PINNED} chats` : undefined}
                onClick={run(() => props.actions.pin(roomId(), !pinned()))}
                data-testid="action-pin"
              >
                {pinned() ? 'Unpin chat' : 'Pin chat'}
              </button>
            </Show>
            <Show when={props.row.unread > 0}>
              <button type="button" role="menuitem" onClick={run(() => props.actions.markRead(props.row.entry))} data-testid="action-mark-read">
                Mark as read
              </button>
            </Show>
          </div>
        </Portal>
      </Show>
    </div>
  );
}
