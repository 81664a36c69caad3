import { createEffect, createSignal, For, onCleanup, Show } from 'solid-js';
import type { ShownMessage } from '../../../schema/docs/bucket';
import { ChevronDownIcon } from '../layout/icons';
import type { MessagePermissions } from './messagePermissions';

/** The common reactions offered, as WhatsApp offers them. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/** Below this many px of room under the menu button, the menu opens upwards so it is not cut off. */
const MENU_HEIGHT_PX = 260;

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
}

/** The chevron on a bubble (shown on hover, always on touch screens) and the menu it opens. */
export function MessageMenu(props: { message: ShownMessage; actions: MessageActions }) {
  const [open, setOpen] = createSignal(false);
  const [upwards, setUpwards] = createSignal(false);
  let root!: HTMLDivElement;

  // Any click outside the menu, or Escape, closes it.
  const onDocumentClick = (e: MouseEvent) => {
    if (!root.contains(e.target as Node)) setOpen(false);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') setOpen(false);
  };
  // Listening only while open: a long chat has a menu per message.
  createEffect(() => {
    if (!open()) return;
    document.addEventListener('click', onDocumentClick);
    document.addEventListener('keydown', onKey);
    onCleanup(() => {
      document.removeEventListener('click', onDocumentClick);
      document.removeEventListener('keydown', onKey);
    });
  });

  const toggle = (e: MouseEvent) => {
    const rect = (e.currentTarget as HTMLElement).getBoundingClientRect();
    setUpwards(window.innerHeight - rect.bottom < MENU_HEIGHT_PX);
    setOpen(!open());
  };
  const run = (action: () => void) => () => {
    setOpen(false);
    action();
  };
  const permissions = () => props.actions.permissions(props.message);
  const mine = () => props.actions.myReaction(props.message);

  return (
    <div class="message-menu" classList={{ open: open() }} ref={root}>
      <button type="button" class="message-menu-button" aria-label="Message options" aria-haspopup="menu" aria-expanded={open()} onClick={toggle} data-testid="message-menu-button">
        <ChevronDownIcon />
      </button>
      <Show when={open()}>
        <div class="message-menu-list" classList={{ up: upwards() }} role="menu" data-testid="message-menu">
          <Show when={!props.message.deleted}>
            <div class="reaction-picker" role="group" aria-label="React">
              <For each={QUICK_REACTIONS}>
                {(emoji) => (
                  <button
                    type="button"
                    class="reaction-choice"
                    classList={{ chosen: mine() === emoji }}
                    aria-pressed={mine() === emoji}
                    aria-label={`React ${emoji}`}
                    onClick={run(() => props.actions.react(props.message, mine() === emoji ? null : emoji))}
                    data-testid="reaction-choice"
                    data-emoji={emoji}
                  >
                    {emoji}
                  </button>
                )}
              </For>
            </div>
            <button type="button" role="menuitem" onClick={run(() => props.actions.reply(props.message))} data-testid="action-reply">
              Reply
            </button>
            <Show when={permissions().edit}>
              <button type="button" role="menuitem" onClick={run(() => props.actions.edit(props.message))} data-testid="action-edit">
                Edit
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
      </Show>
    </div>
  );
}
