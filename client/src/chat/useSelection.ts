import { createEffect, createMemo, createSignal, onCleanup, type Accessor } from 'solid-js';
import type { ShownMessage } from '#schema/docs/bucket';
import type { MessageId } from '#schema/ids';

/**
 * Choosing several messages at once: the ids chosen, in no order (the list gives the
 * order), or null when not choosing. Escape ends it, unless `dialogOpen()` (a dialog
 * over the chat takes the key first).
 */
export function useSelection(shown: Accessor<readonly ShownMessage[]>, dialogOpen: () => boolean) {
  const [selection, setSelection] = createSignal<ReadonlySet<MessageId> | null>(null);
  const end = () => setSelection(null);
  createEffect(() => {
    if (!selection()) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || dialogOpen()) return;
      e.preventDefault();
      end();
    };
    window.addEventListener('keydown', onKey, true);
    onCleanup(() => window.removeEventListener('keydown', onKey, true));
  });
  return {
    selection,
    /** Starts choosing, with this message chosen. */
    start: (id: MessageId) => setSelection(new Set([id])),
    toggle: (id: MessageId) =>
      setSelection((current) => {
        const next = new Set(current);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    /** The chosen messages still shown, in the chat's order (one deleted for me meanwhile drops out). */
    selected: createMemo(() => {
      const ids = selection();
      return ids ? shown().filter((m) => ids.has(m.id)) : [];
    }),
    end,
  };
}
