import { createSignal, For, onCleanup, onMount } from 'solid-js';
import type { ChatEntry } from '#schema/docs/inbox';
import type { RoomId } from '#schema/ids';
import { chatTitle } from '../chats/chatTitle';
import { Avatar } from '../users/Avatar';

/** Pick one or more chats to forward one or more messages to; Escape, Cancel or a click outside close it. */
export default function ForwardDialog(props: { chats: ChatEntry[]; title: string; preview: string; onForward: (to: RoomId[]) => void; onClose: () => void }) {
  const [chosen, setChosen] = createSignal<ReadonlySet<RoomId>>(new Set());
  const toggle = (roomId: RoomId) =>
    setChosen((current) => {
      const next = new Set(current);
      if (!next.delete(roomId)) next.add(roomId);
      return next;
    });
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    props.onClose();
  };
  onMount(() => {
    document.addEventListener('keydown', onKey, true);
    onCleanup(() => document.removeEventListener('keydown', onKey, true));
  });
  return (
    <div class="confirm-backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="confirm forward" role="dialog" aria-modal="true" aria-labelledby="forward-title" data-testid="forward-dialog">
        <h2 id="forward-title">{props.title}</h2>
        <p class="forward-preview" dir="auto">
          {props.preview}
        </p>
        <ul class="forward-chats">
          <For each={props.chats}>
            {(chat) => (
              <li>
                <label class="forward-chat" data-testid="forward-chat" data-title={chatTitle(chat)}>
                  <input type="checkbox" checked={chosen().has(chat.roomId)} onChange={() => toggle(chat.roomId)} />
                  <Avatar name={chatTitle(chat)} seed={chat.peerId ?? chat.roomId} size="small" />
                  <span>{chatTitle(chat)}</span>
                </label>
              </li>
            )}
          </For>
        </ul>
        <div class="confirm-buttons">
          <button type="button" class="confirm-cancel" onClick={() => props.onClose()}>
            Cancel
          </button>
          <button type="button" class="confirm-go" disabled={chosen().size === 0} onClick={() => props.onForward([...chosen()])} data-testid="forward-send">
            {chosen().size > 1 ? `Forward to ${chosen().size} chats` : 'Forward'}
          </button>
        </div>
      </div>
    </div>
  );
}
