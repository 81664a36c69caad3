import { createSignal, For, Show } from 'solid-js';
import { Portal } from 'solid-js/web';
import type { ShownMessage } from '#schema/docs/bucket';
import type { DeliveryStatus } from '#schema/docs/receipts';
import { ChevronDownIcon } from '../layout/icons';
import { useDropdown } from '../layout/useDropdown';
import { EmojiPicker } from './EmojiPicker';
import type { MessagePermissions } from './messagePermissions';

/** The common reactions offered, as WhatsApp offers them. */
const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/** What can be done to a message from its menu; the chat view decides what each means. */
export interface MessageActions {
  permissions(message: ShownMessage): MessagePermissions;
  /** One's own current reaction to the message, if any. */
  myReaction(message: ShownMessage): string | undefined;
  react(message: ShownMessage, emoji: string | null): void;
  reply(message: ShownMessage): void;
  edit(message: ShownMessage): void;
  deleteForEveryone(message: ShownMessage): void;
  deleteForMe(message: ShownMessage): void;
  /** Where one's own message stands with its recipients (the ticks). */
  status(message: ShownMessage): DeliveryStatus;
  /** Opens "Message info": who received and read one's own message, and when. */
  info(message: ShownMessage): void;
  /** Whether one starred the message. Reactive. */
  starred(message: ShownMessage): boolean;
  /** Stars the message, or takes the star off. */
  toggleStar(message: ShownMessage): void;
  /** Copies the message's text to the clipboard. */
  copy(message: ShownMessage): void;
  /** Asks which chats to forward the message to. */
  forward(message: ShownMessage): void;
  /** Starts choosing several messages, this one chosen first. */
  select(message: ShownMessage): void;
  /** Whether several messages are being chosen (the bubbles show checkboxes, the menus hide). Reactive. */
  selecting(): boolean;
  /** Whether the message is among those chosen. Reactive. */
  selected(message: ShownMessage): boolean;
  /** Adds the message to those chosen, or takes it out. */
  toggleSelected(message: ShownMessage): void;
}

/** The chevron on a bubble (shown on hover, always on touch screens) and the menu it opens. */
export function MessageMenu(props: { message: ShownMessage; actions: MessageActions }) {
  let root!: HTMLDivElement;
  const { open, floating, toggle, run } = useDropdown(() => root, { boundary: () => root.closest('.chat-pane') });
  const permissions = () => props.actions.permissions(props.message);
  const mine = () => props.actions.myReaction(props.message);
  const [picking, setPicking] = createSignal(false);

  return (
    <div class="message-menu" classList={{ open: open() }} ref={root}>
      <button type="button" class="message-menu-button" aria-label="Message options" aria-haspopup="menu" aria-expanded={open()} onClick={toggle} data-testid="message-menu-button">
        <ChevronDownIcon />
      </button>
      <Show when={open()}>
        <Portal>
          <div class="message-menu-list" ref={floating} role="menu" data-testid="message-menu">
            <Show when={!props.message.deleted}>
              <div class="reaction-picker" role="group" aria-label="React">
                <For each={QUICK_REACTIONS}>
                  {(emoji) => (
                    <button
                      type="button"
                      class="reaction-choice"
                      classList={{ chosen: mine() === emoji }}
                      role="menuitemradio"
                      aria-checked={mine() === emoji}
                      aria-label={`React ${emoji}`}
                      onClick={run(() => props.actions.react(props.message, mine() === emoji ? null : emoji))}
                      data-testid="reaction-choice"
                      data-emoji={emoji}
                    >
                      {emoji}
                    </button>
                  )}
                </For>
                <button
                  type="button"
                  role="menuitem"
                  class="reaction-choice reaction-more"
                  aria-label="React with another emoji"
                  title="Any emoji"
                  onClick={run(() => setPicking(true))}
                  data-testid="reaction-more"
                >
                  +
                </button>
              </div>
              <button type="button" role="menuitem" onClick={run(() => props.actions.reply(props.message))} data-testid="action-reply">
                Reply
              </button>
              <button type="button" role="menuitem" onClick={run(() => props.actions.forward(props.message))} data-testid="action-forward">
                Forward
              </button>
              <button type="button" role="menuitem" onClick={run(() => props.actions.copy(props.message))} data-testid="action-copy">
                Copy
              </button>
              <button type="button" role="menuitem" onClick={run(() => props.actions.toggleStar(props.message))} data-testid="action-star">
                {props.actions.starred(props.message) ? 'Unstar' : 'Star'}
              </button>
              <button type="button" role="menuitem" onClick={run(() => props.actions.select(props.message))} data-testid="action-select">
                Select
              </button>
              <Show when={permissions().edit}>
                <button type="button" role="menuitem" onClick={run(() => props.actions.edit(props.message))} data-testid="action-edit">
                  Edit
                </button>
              </Show>
              <Show when={permissions().info}>
                <button type="button" role="menuitem" onClick={run(() => props.actions.info(props.message))} data-testid="action-info">
                  Message info
                </button>
              </Show>
            </Show>
            <button type="button" role="menuitem" onClick={run(() => props.actions.deleteForMe(props.message))} data-testid="action-delete-for-me">
              Delete for me
            </button>
            <Show when={permissions().deleteForEveryone}>
              <button type="button" role="menuitem" class="danger" onClick={run(() => props.actions.deleteForEveryone(props.message))} data-testid="action-delete-for-everyone">
                Delete for everyone
              </button>
            </Show>
          </div>
        </Portal>
      </Show>
      <Show when={picking()}>
        <EmojiPicker
          anchor={root}
          label="React with any emoji"
          placement="bottom-end"
          boundary={() => root.closest('.chat-pane')}
          onPick={(emoji) => {
            setPicking(false);
            props.actions.react(props.message, emoji);
          }}
          onClose={() => setPicking(false)}
        />
      </Show>
    </div>
  );
}
