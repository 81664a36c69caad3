import { createEffect, createMemo, For, on, Show } from 'solid-js';
import type { Message } from '../../../schema/docs/message';
import type { MessageId, UserId } from '../../../schema/ids';
import { formatDay, sameDay } from '../time/formatTime';
import { MessageBubble } from './MessageBubble';

/** Start loading older buckets this close (px) to the top, before the reader hits it. */
const LOAD_OLDER_MARGIN_PX = 200;

export interface MessageListProps {
  messages: Message[];
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

  const startsDay = (i: number) => {
    const prev = props.messages[i - 1];
    return !prev || !sameDay(prev.createdAt, props.messages[i]!.createdAt);
  };
  const startsRun = (i: number) => startsDay(i) || props.messages[i - 1]!.authorId !== props.messages[i]!.authorId;

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
                own={message.authorId === props.me}
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
