import { For, Show } from 'solid-js';
import type { ChatEntry } from '../../../schema/docs/inbox';
import type { RoomId, UserId } from '../../../schema/ids';
import { ChatListItem } from './ChatListItem';

export function ChatList(props: { chats: ChatEntry[]; loaded: boolean; me: UserId; selected: RoomId | undefined; onNewChat: () => void }) {
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
          <For each={props.chats}>{(entry) => <ChatListItem entry={entry} me={props.me} selected={entry.roomId === props.selected} />}</For>
        </ul>
      </Show>
    </Show>
  );
}
