import { createEffect, createSignal, untrack, type Accessor } from 'solid-js';
import type { ShownMessage } from '#schema/docs/bucket';
import type { MessageId, RoomId } from '#schema/ids';
import { messageFocusRequest, takeMessageFocus } from '../search/messageFocus';

/**
 * The message a search result (or a notification) asked this chat to show: history is
 * opened back to its bucket, and the message is focused once it is in the list.
 */
export function useMessageFocus(roomId: RoomId, openFrom: (bucket: number) => void, shown: Accessor<readonly ShownMessage[]>): Accessor<{ id: MessageId; nonce: number } | undefined> {
  const [focus, setFocus] = createSignal<{ id: MessageId; nonce: number }>();
  createEffect(() => {
    const request = messageFocusRequest();
    if (!request || request.roomId !== roomId || untrack(focus)?.nonce === request.nonce) return;
    openFrom(request.bucket);
    if (!shown().some((m) => m.id === request.id)) return;
    setFocus({ id: request.id, nonce: request.nonce });
    takeMessageFocus(request.nonce);
  });
  return focus;
}
