import { Show } from 'solid-js';
import type { Message } from '../../../schema/docs/message';
import { CheckIcon, ClockIcon } from '../layout/icons';
import { formatClock } from '../time/formatTime';
import { displayNameOf } from '../users/userDirectory';

export interface BubbleProps {
  message: Message;
  own: boolean;
  /** Group chats name the author above the first of a run of their messages. */
  showAuthor: boolean;
  /** The first of a run of one author's messages gets the bubble's tail. */
  first: boolean;
  pending: boolean;
}

export function MessageBubble(props: BubbleProps) {
  return (
    <div class="message-row" classList={{ own: props.own, first: props.first }} data-testid="message" data-own={props.own ? 'true' : 'false'}>
      <div class="bubble">
        <Show when={props.showAuthor}>
          <div class="bubble-author" data-testid="message-author">
            {displayNameOf(props.message.authorId)}
          </div>
        </Show>
        {/* Text nodes only: a message is never parsed as HTML. */}
        <span class="bubble-text" data-testid="message-text">
          {props.message.text}
        </span>
        <span class="bubble-meta">
          <time datetime={new Date(props.message.createdAt).toISOString()}>{formatClock(props.message.createdAt)}</time>
          <Show when={props.own}>
            <span class="bubble-status" title={props.pending ? 'Waiting to send' : 'Sent'} data-testid={props.pending ? 'message-pending' : 'message-sent'}>
              {props.pending ? <ClockIcon /> : <CheckIcon />}
            </span>
          </Show>
        </span>
      </div>
    </div>
  );
}
