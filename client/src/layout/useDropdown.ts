import { createEffect, createSignal, onCleanup } from 'solid-js';

/** Below this many px of room under its button, a dropdown opens upwards so it is not cut off. */
const MENU_HEIGHT_PX = 260;

/**
 * A dropdown's open state: any click outside `root()` or Escape closes it, and it
 * opens upwards near the bottom of the window. Listens only while open (a long list
 * has a menu per row).
 */
export function useDropdown(root: () => HTMLElement | undefined) {
  const [open, setOpen] = createSignal(false);
  const [upwards, setUpwards] = createSignal(false);
  const onDocumentClick = (e: MouseEvent) => {
    if (!root()?.contains(e.target as Node)) setOpen(false);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') setOpen(false);
  };
  createEffect(() => {
    if (!open()) return;
    document.addEventListener('click', onDocumentClick);
    document.addEventListener('keydown', onKey);
    onCleanup(() => {
      document.removeEventListener('click', onDocumentClick);
      document.removeEventListener('keydown', onKey);
    });
  });
  return {
    open,
    upwards,
    toggle(e: MouseEvent) {
      const rect = (e.currentTarget as HTMLElement).getBoundingClientRect();
      setUpwards(window.innerHeight - rect.bottom < MENU_HEIGHT_PX);
      setOpen(!open());
    },
    /** A menu item's click handler: closes the menu, then does `action`. */
    run: (action: () => void) => () => {
      setOpen(false);
      action();
    },
  };
}
