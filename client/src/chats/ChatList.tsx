import { For, Show } from 'solid-js';
import type { ChatEntry } from '../../../schema/docs/inbox';
import type { RoomId, UserId } from '../../../schema/ids';
import type { PendingMessage } from '../chat/pendingMessages';
import { ChatListItem } from './ChatListItem';

export interface ChatListProps {
  chats: ChatEntry[];
  loaded: boolean;
  me: UserId;
  selected: RoomId | undefined;
  waitingIn: (roomId: RoomId) => PendingMessage | undefined;
  onNewChat: () => void;
}

export function ChatList(props: ChatListProps) {
  // A chat with a message waiting to go out moves up as if sent: it is the latest thing in it.
  const latestAt = (entry: ChatEntry) => Math.max(entry.updatedAt, props.waitingIn(entry.roomId)?.at ?? 0);
  const sorted = () => [...props.chats].sort((a, b) => latestAt(b) - latestAt(a));
  return (
    <Show when={props.loaded}>
      <Show
        when={props.chats.length > 0}
        fallback={
          <div class="sidebar-empty" data-testid="no-chats">
            <p>No chats yet.</p>
            <button class="button-secondary" type="button" onClick={() => props.onNewChat()}>
              Start a chat
            </button>
          </div>
        }
      >
        <ul class="chat-list" data-testid="chat-list">
          <For each={sorted()}>{(entry) => <ChatListItem entry={entry} me={props.me} selected={entry.roomId === props.selected} waiting={props.waitingIn(entry.roomId)} />}</For>
        </ul>
      </Show>
    </Show>
  );
}
