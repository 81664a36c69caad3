import { onCleanup } from 'solid-js';
import type * as Y from 'yjs';
import { setChatState, type ChatState } from '#schema/docs/inbox';
import type { RoomId } from '#schema/ids';

/** A draft is saved this long after the last key. */
const DRAFT_SAVE_MS = 400;

/**
 * A chat's unsent draft. It lives in the owner's inbox, so it follows them to other tabs
 * and devices; written after a pause in typing, and at once when the chat closes.
 * `state` is the chat's own state as the chat list read it from the inbox.
 */
export function useDraft(inbox: Y.Doc, roomId: RoomId, state: () => ChatState | undefined): { draft: () => string | undefined; saveDraft: (text: string) => void; clearDraft: () => void } {
  let unsaved: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const write = (text: string) => {
    clearTimeout(timer);
    unsaved = null;
    setChatState(inbox, roomId, 'draft', text.trim() ? { text, at: Date.now() } : null);
  };
  // Leaving the chat keeps what was typed, at once.
  onCleanup(() => unsaved !== null && write(unsaved));
  return {
    draft: () => state()?.draft?.text,
    saveDraft: (text) => {
      unsaved = text;
      clearTimeout(timer);
      timer = setTimeout(() => write(text), DRAFT_SAVE_MS);
    },
    clearDraft: () => write(''),
  };
}
