import { createMemo, createSignal, For, Show } from 'solid-js';
import type { DeliveryStatus } from '#schema/docs/receipts';
import type { RoomId, UserId } from '#schema/ids';
import type { PendingMessage } from '../sync/outbox';
import { ArchiveIcon, BackIcon } from '../layout/icons';
import type { ChatActions } from './chatActions';
import { ChatListItem } from './ChatListItem';
import type { ChatRow } from './useChatIndex';

export interface ChatListProps {
  rows: ChatRow[];
  loaded: boolean;
  me: UserId;
  selected: RoomId | undefined;
  waitingIn: (roomId: RoomId) => PendingMessage | undefined;
  typingIn: (roomId: RoomId) => string[];
  /** The ticks of a chat's last message when it is one's own, if known. */
  statusIn?: (roomId: RoomId) => DeliveryStatus | null;
  actions: ChatActions;
  onNewChat: () => void;
}

/** Pinned chats first (the latest pinned on top), then the most recent; archived ones behind the "Archived" row. */
export function ChatList(props: ChatListProps) {
  const [showArchived, setShowArchived] = createSignal(false);
  // A chat with a message waiting to go out moves up as if sent: it is the latest thing in it.
  const latestAt = (row: ChatRow) => Math.max(row.entry.updatedAt, props.waitingIn(row.entry.roomId)?.at ?? 0);
  const sorted = createMemo(() => [...props.rows].sort((a, b) => (b.state?.pinnedAt ?? 0) - (a.state?.pinnedAt ?? 0) || latestAt(b) - latestAt(a)));
  const archived = createMemo(() => sorted().filter((r) => r.state?.archivedAt));
  const shown = createMemo(() => (showArchived() ? archived() : sorted().filter((r) => !r.state?.archivedAt)));
  const pinnedCount = createMemo(() => props.rows.filter((r) => r.state?.pinnedAt && !r.state.archivedAt).length);
  const archivedUnread = createMemo(() => archived().filter((r) => r.unread > 0).length);
  return (
    <Show when={props.loaded}>
      <Show
        when={props.rows.length > 0}
        fallback={
          <div class="sidebar-empty" data-testid="no-chats">
            <p>No chats yet.</p>
            <button class="button-secondary" type="button" onClick={() => props.onNewChat()}>
              Start a chat
            </button>
          </div>
        }
      >
        <Show
          when={showArchived()}
          fallback={
            <Show when={archived().length > 0}>
              <button type="button" class="archived-row" onClick={() => setShowArchived(true)} data-testid="archived-row">
                <span class="archived-icon">
                  <ArchiveIcon />
                </span>
                <span class="archived-label">Archived</span>
                <span class="archived-count">{archivedUnread() > 0 ? archivedUnread() : archived().length}</span>
              </button>
            </Show>
          }
        >
          <button type="button" class="archived-row archived-back" onClick={() => setShowArchived(false)} data-testid="archived-back">
            <span class="archived-icon">
              <BackIcon />
            </span>
            <span class="archived-label">Archived</span>
          </button>
        </Show>
        <ul class="chat-list" data-testid="chat-list">
          <For each={shown()}>
            {(row) => (
              <ChatListItem
                row={row}
                me={props.me}
                selected={row.entry.roomId === props.selected}
                waiting={props.waitingIn(row.entry.roomId)}
                typing={props.typingIn(row.entry.roomId)}
                status={props.statusIn?.(row.entry.roomId)}
                pinnedCount={pinnedCount()}
                actions={props.actions}
              />
            )}
          </For>
        </ul>
        <Show when={showArchived() && archived().length === 0}>
          <p class="sidebar-empty">No archived chats.</p>
        </Show>
      </Show>
    </Show>
  );
}
