import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import type { ChatEntry } from '../../../schema/docs/inbox';
import type { UserId } from '../../../schema/ids';
import type { PendingMessage } from '../chat/pendingMessages';
import { ClockIcon } from '../layout/icons';
import { formatChatTime } from '../time/formatTime';
import { Avatar } from '../users/Avatar';
import { displayNameOf } from '../users/userDirectory';

/** The chat's title: the group name, or the DM peer's current name when known. */
export function chatTitle(entry: ChatEntry): string {
  return entry.peerId ? displayNameOf(entry.peerId, entry.title) : entry.title;
}

function previewOf(entry: ChatEntry, me: UserId): string {
  const last = entry.lastMessage;
  if (!last) return entry.kind === 'group' ? 'Group created' : 'No messages yet';
  // Already worded for this reader by the server ("Alice added you").
  if (last.system) return last.preview;
  if (last.authorId === me) return `You: ${last.preview}`;
  return entry.kind === 'group' ? `${last.authorName}: ${last.preview}` : last.preview;
}

export interface ChatListItemProps {
  entry: ChatEntry;
  me: UserId;
  selected: boolean;
  /** One's newest message in this chat still waiting for the server, if any. */
  waiting: PendingMessage | undefined;
}

export function ChatListItem(props: ChatListItemProps) {
  // A message waiting to go out is newer than anything the server-kept index knows of.
  const waiting = () => props.waiting;
  const time = () => waiting()?.at ?? props.entry.lastMessage?.at;
  return (
    <li>
      <A
        href={`/c/${props.entry.roomId}`}
        class="chat-item"
        classList={{ selected: props.selected }}
        aria-current={props.selected ? 'page' : undefined}
        data-testid="chat-list-item"
        data-room={props.entry.roomId}
      >
        <Avatar name={chatTitle(props.entry)} seed={props.entry.peerId ?? props.entry.roomId} />
        <span class="chat-item-body">
          <span class="chat-item-top">
            <span class="chat-item-title" data-testid="chat-title">
              {chatTitle(props.entry)}
            </span>
            <Show when={time()}>
              {(at) => <span class="chat-item-time">{formatChatTime(at())}</span>}
            </Show>
          </span>
          <span class="chat-item-preview" data-testid="chat-preview">
            <Show when={waiting()} fallback={previewOf(props.entry, props.me)}>
              {(m) => (
                <>
                  <span class="chat-item-waiting" title="Waiting to send" data-testid="chat-preview-waiting">
                    <ClockIcon />
                  </span>
                  {m().text}
                </>
              )}
            </Show>
          </span>
        </span>
      </A>
    </li>
  );
}
