import { useNavigate } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { readStarredMessages } from '#schema/docs/inbox';
import type { UserId } from '#schema/ids';
import { PanelHeader } from '../layout/PanelHeader';
import { requestMessageFocus } from '../search/messageFocus';
import { docSignal } from '../sync/docBindings';
import type { Replica } from '../sync/replica';
import { formatChatTime } from '../time/formatTime';
import { displayNameOf } from '../users/userDirectory';

/**
 * "Starred messages": what this user starred, newest star first, from the inbox's own
 * `star:` keys (so on every device). A click opens the chat at the message.
 */
export default function StarredPanel(props: { inbox: Replica; me: UserId; chatTitle: (roomId: string) => string; onClose: () => void }) {
  const navigate = useNavigate();
  const starred = docSignal(props.inbox.doc, readStarredMessages);
  const author = (id: UserId) => (id === props.me ? 'You' : displayNameOf(id));
  return (
    <section class="panel" data-testid="starred-panel">
      <PanelHeader title="Starred messages" onBack={props.onClose} />
      <Show when={starred().length > 0} fallback={<p class="panel-note">Star a message from its menu to find it here.</p>}>
        <ul class="starred-list">
          <For each={starred()}>
            {(star) => (
              <li>
                <button
                  type="button"
                  class="starred-item"
                  onClick={() => {
                    requestMessageFocus(star.roomId, star.messageId, star.bucket);
                    navigate(`/c/${star.roomId}`);
                    props.onClose();
                  }}
                  data-testid="starred-item"
                >
                  <span class="starred-where">
                    <span class="starred-author">{author(star.authorId)}</span>
                    {/* A DM's title is the other person: named once. */}
                    <Show when={props.chatTitle(star.roomId) !== author(star.authorId)}>{` · ${props.chatTitle(star.roomId)}`}</Show>
                    <time class="starred-time">{formatChatTime(star.createdAt)}</time>
                  </span>
                  <span class="starred-text" dir="auto" data-testid="starred-text">
                    {star.preview}
                  </span>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
