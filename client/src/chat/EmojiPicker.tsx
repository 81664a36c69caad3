import type { Placement } from '@floating-ui/dom';
import dataSource from 'emoji-picker-element-data/en/emojibase/data.json?url';
import { onCleanup, onMount } from 'solid-js';
import { Portal } from 'solid-js/web';
import { resolvedTheme } from '../layout/theme';
import { floatNear } from '../layout/useDropdown';

/**
 * Every emoji, with search, categories and recently used ones (emoji-picker-element, a
 * maintained web component), floating next to `anchor`. The component and its code are
 * loaded on first use, so the app's first download stays small; its data is served by
 * Jeco itself (never a CDN) and kept by the picker in its own IndexedDB database.
 * A click outside or Escape closes it.
 */
export function EmojiPicker(props: { anchor: Element; label: string; placement?: Placement; boundary?: () => Element | null | undefined; onPick: (emoji: string) => void; onClose: () => void }) {
  let box!: HTMLDivElement;
  const outside = (e: Event) => {
    const path = e.composedPath();
    if (!path.includes(box) && !path.includes(props.anchor)) props.onClose();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    // Escape closes the picker only, not the reply or dialog under it.
    e.stopPropagation();
    e.preventDefault();
    props.onClose();
  };
  onMount(() => {
    onCleanup(floatNear(props.anchor, box, { placement: props.placement ?? 'top-start', boundary: props.boundary }));
    document.addEventListener('pointerdown', outside, true);
    document.addEventListener('keydown', onKey, true);
    onCleanup(() => {
      document.removeEventListener('pointerdown', outside, true);
      document.removeEventListener('keydown', onKey, true);
    });
    let gone = false;
    onCleanup(() => (gone = true));
    void import('emoji-picker-element/picker').then(({ default: Picker }) => {
      if (gone) return;
      const picker = new Picker({ dataSource, locale: 'en' });
      picker.classList.add(resolvedTheme());
      picker.addEventListener('emoji-click', (e) => {
        if (e.detail.unicode) props.onPick(e.detail.unicode);
      });
      box.replaceChildren(picker);
      // The search field first, as a person opening the picker often knows what they want.
      requestAnimationFrame(() => picker.shadowRoot?.querySelector<HTMLInputElement>('#search')?.focus());
    });
  });
  return (
    <Portal>
      <div class="emoji-popover" ref={box} role="dialog" aria-label={props.label} data-testid="emoji-picker">
        <p class="emoji-loading">Loading emoji…</p>
      </div>
    </Portal>
  );
}
