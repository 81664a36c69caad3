import { createSignal } from 'solid-js';
import type { MessageId, RoomId } from '#schema/ids';

/** A request to show one message in its chat: scrolled to and highlighted. */
interface MessageFocusRequest {
  roomId: RoomId;
  id: MessageId;
  /** The bucket that holds it, so the chat can open its history back that far. */
  bucket: number;
  /** Unique per request, so asking for the same message twice jumps twice. */
  nonce: number;
}

const [request, setRequest] = createSignal<MessageFocusRequest | null>(null);
let nonce = 0;

/** The latest request not yet taken by the chat it names. */
export const messageFocusRequest = request;

/** Asks the chat of `roomId` (now open or about to open) to show message `id`. */
export function requestMessageFocus(roomId: RoomId, id: MessageId, bucket: number): void {
  setRequest({ roomId, id, bucket, nonce: ++nonce });
}

/** The chat took the request: a chat opened later must not jump to it again. */
export function takeMessageFocus(taken: number): void {
  if (request()?.nonce === taken) setRequest(null);
}
