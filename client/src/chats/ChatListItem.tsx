import { A } from '@solidjs/router';
import { Match, Show, Switch } from 'solid-js';
import type { ChatEntry } from '#schema/docs/inbox';
import type { DeliveryStatus } from '#schema/docs/receipts';
import type { UserId } from '#schema/ids';
import type { PendingMessage } from '../sync/outbox';
import { MessageTicks } from '../chat/MessageTicks';
import { typingText } from '../chat/useTyping';
import { ClockIcon, MutedIcon, PinIcon } from '../layout/icons';
import { formatChatTime } from '../time/formatTime';
import { Avatar } from '../users/Avatar';
import { ChatItemMenu } from './ChatItemMenu';
import { chatTitle } from './chatTitle';
import type { ChatActions } from './chatActions';
import type { ChatRow } from './useChatIndex';

function previewOf(entry: ChatEntry, me: UserId): string {
  const last = entry.lastMessage;
  if (!last) return entry.kind === 'group' ? 'Group created' : 'No messages yet';
  // Already worded for this reader by the server ("Alice added you").
  if (last.system) return last.preview;
  if (last.authorId === me) return `You: ${last.preview}`;
  return entry.kind === 'group' ? `${last.authorName}: ${last.preview}` : last.preview;
}

export interface ChatListItemProps {
  row: ChatRow;
  me: UserId;
  selected: boolean;
  /** One's newest message in this chat still waiting for the server, if any. */
  waiting: PendingMessage | undefined;
  /** Who is typing in this chat now. */
  typing: string[];
  /** The ticks of the last message when it is one's own, if known. */
  status?: DeliveryStatus | null;
  pinnedCount: number;
  actions: ChatActions;
}

export function ChatListItem(props: ChatListItemProps) {
  const entry = () => props.row.entry;
  // A message waiting to go out is newer than anything the server-kept index knows of.
  const waiting = () => props.waiting;
  const time = () => waiting()?.at ?? entry().lastMessage?.at;
  // An open chat is being read: its count would only flash until the read mark lands.
  const unread = () => (props.selected ? 0 : props.row.unread);
  const typing = () => (props.typing.length === 0 ? null : entry().kind === 'dm' ? 'typing…' : typingText(props.typing));
  const draft = () => (props.selected ? undefined : props.row.state?.draft);
  return (
    <li class="chat-item-row">
      <A
        href={`/c/${entry().roomId}`}
        class="chat-item"
        classList={{ selected: props.selected, unread: unread() > 0 }}
        aria-current={props.selected ? 'page' : undefined}
        data-testid="chat-list-item"
        data-room={entry().roomId}
      >
        <Avatar name={chatTitle(entry())} seed={entry().peerId ?? entry().roomId} />
        <span class="chat-item-body">
          <span class="chat-item-top">
            <span class="chat-item-title" data-testid="chat-title">
              {chatTitle(entry())}
            </span>
            <Show when={time()}>{(at) => <span class="chat-item-time">{formatChatTime(at())}</span>}</Show>
          </span>
          <span class="chat-item-bottom">
            <span class="chat-item-preview" data-testid="chat-preview">
              <Switch fallback={previewOf(entry(), props.me)}>
                <Match when={props.status && !waiting() && !typing() && !draft() && entry().lastMessage}>
                  {(last) => (
                    <>
                      <MessageTicks status={props.status!} />
                      {last().preview}
                    </>
                  )}
                </Match>
                <Match when={typing()}>
                  <span class="chat-item-typing" data-testid="chat-typing">
                    {typing()}
                  </span>
                </Match>
                <Match when={draft()}>
                  {(d) => (
                    <>
                      <span class="chat-item-draft" data-testid="chat-draft">
                        Draft:
                      </span>{' '}
                      {d().text}
                    </>
                  )}
                </Match>
                <Match when={waiting()}>
                  {(m) => (
                    <>
                      <span class="chat-item-waiting" title="Waiting to send" data-testid="chat-preview-waiting">
                        <ClockIcon />
                      </span>
                      {m().text}
                    </>
                  )}
                </Match>
              </Switch>
            </span>
            <span class="chat-item-marks">
              <Show when={props.row.quiet}>
                <span class="chat-item-mark" title={props.row.muted ? 'Muted' : props.row.level === 'off' ? 'Notifications off' : 'Notifications for mentions only'} data-testid="chat-muted">
                  <MutedIcon />
                </span>
              </Show>
              <Show when={props.row.mentioned && unread() > 0}>
                <span class="chat-item-mention" title="You were mentioned" data-testid="chat-mention">
                  @
                </span>
              </Show>
              <Show when={unread() > 0}>
                <span class="chat-item-unread count-badge" classList={{ muted: props.row.quiet }} role="img" aria-label={`${unread()} unread`} data-testid="chat-unread">
                  {unread()}
                </span>
              </Show>
              <Show when={props.row.state?.pinnedAt}>
                <span class="chat-item-mark" title="Pinned" data-testid="chat-pinned">
                  <PinIcon />
                </span>
              </Show>
            </span>
          </span>
        </span>
      </A>
      <ChatItemMenu row={props.row} pinnedCount={props.pinnedCount} actions={props.actions} />
    </li>
  );
}
