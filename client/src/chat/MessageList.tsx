import { createEffect, createMemo, For, on, Show } from 'solid-js';
import type { ShownMessage } from '../../../schema/docs/bucket';
import type { MessageId, UserId } from '../../../schema/ids';
import { formatDay, sameDay } from '../time/formatTime';
import { MessageBubble } from './MessageBubble';
import type { MessageActions } from './MessageMenu';

/** How long the original of a clicked quote stays highlighted, in ms. */
const HIGHLIGHT_MS = 1600;

/** Start loading older buckets this close (px) to the top, before the reader hits it. */
const LOAD_OLDER_MARGIN_PX = 200;

export interface MessageListProps {
  messages: ShownMessage[];
  me: UserId;
  group: boolean;
  /** Whether one's own message still waits for the server. Reactive. */
  isPending: (id: MessageId) => boolean;
  hasOlder: boolean;
  loadOlder: () => boolean;
  /** Whether {@link loadOlder} may run yet; when it turns true, a view not yet full loads more. */
  mayLoadOlder: boolean;
  /** Bumped when this user sends, to bring the bottom back into view. */
  sentCount: number;
  actions: MessageActions;
  /** When this changes, the list scrolls to that message and highlights it (a search result). */
  focus?: { id: MessageId; nonce: number };
}

/**
 * The scroll area is a reversed flex column: its natural position is the bottom, new
 * messages stay in view while the reader is at the bottom, and older ones added at
 * the top do not move what the reader is looking at.
 */
export function MessageList(props: MessageListProps) {
  let scroller!: HTMLDivElement;

  const nearTop = () => scroller.scrollHeight - scroller.clientHeight + scroller.scrollTop < LOAD_OLDER_MARGIN_PX;
  // Older buckets are also loaded while the messages do not fill the view, as there is nothing to scroll.
  const maybeLoadOlder = () => {
    if (props.hasOlder && nearTop()) props.loadOlder();
  };
  const count = createMemo(() => props.messages.length);
  createEffect(on([count, () => props.mayLoadOlder], () => queueMicrotask(maybeLoadOlder)));
  createEffect(on(() => props.sentCount, () => scroller.scrollTo({ top: 0 }), { defer: true }));

  // One index per change of the list, so each quote finds its original in O(1).
  const byId = createMemo(() => new Map(props.messages.map((m) => [m.id, m])));

  /** Scrolls the original of a quote into view and highlights it briefly. */
  const jumpTo = (id: MessageId, behavior: ScrollBehavior = 'smooth') => {
    const row = scroller.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(id)}"]`);
    if (!row) return;
    row.scrollIntoView({ block: 'center', behavior });
    row.classList.remove('highlight');
    // Restarts the animation when the same original is clicked again.
    void row.offsetWidth;
    row.classList.add('highlight');
    setTimeout(() => row.classList.remove('highlight'), HIGHLIGHT_MS);
  };

  createEffect(on(() => props.focus?.nonce, () => props.focus && jumpTo(props.focus.id, 'instant')));

  const startsDay = (i: number) => {
    const prev = props.messages[i - 1];
    return !prev || !sameDay(prev.createdAt, props.messages[i]!.createdAt);
  };
  // A system line ends a run: the message after it names its author again.
  const startsRun = (i: number) => startsDay(i) || props.messages[i - 1]!.authorId !== props.messages[i]!.authorId || !!props.messages[i - 1]!.event;

  return (
    <div class="messages" ref={scroller} onScroll={maybeLoadOlder} data-testid="messages">
      <div class="messages-inner">
        <Show when={props.hasOlder}>
          <p class="messages-older">Loading older messages…</p>
        </Show>
        <For each={props.messages}>
          {(message, i) => (
            <>
              <Show when={startsDay(i())}>
                <div class="day-separator">
                  <span>{formatDay(message.createdAt)}</span>
                </div>
              </Show>
              <MessageBubble
                message={message}
                me={props.me}
                own={message.authorId === props.me}
                quoted={message.replyTo ? byId().get(message.replyTo) : undefined}
                onQuoteClick={() => message.replyTo && jumpTo(message.replyTo)}
                actions={props.actions}
                showAuthor={props.group && message.authorId !== props.me && startsRun(i())}
                first={startsRun(i())}
                pending={message.authorId === props.me && props.isPending(message.id)}
              />
            </>
          )}
        </For>
      </div>
    </div>
  );
}
