import { onCleanup } from 'solid-js';

export interface ShortcutActions {
  /** Ctrl/Cmd+K or Ctrl+Alt+/: the chat list's search box. */
  searchChats: () => void;
  /** Alt+↑ / Alt+↓: the chat above or below the open one in the list. */
  moveChat: (step: -1 | 1) => void;
  /** Ctrl+/ : the list of shortcuts. */
  showHelp: () => void;
  /** Escape, when nothing nearer used it: closes the side panel that is open. */
  escape: () => void;
}

/** The shortcuts of the whole app, as a chat app on the desktop has them; the composer's own keys stay with the composer. */
export function useShortcuts(actions: ShortcutActions): void {
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.isComposing) return;
    const mod = e.ctrlKey || e.metaKey;
    if ((mod && !e.altKey && e.key.toLowerCase() === 'k') || (e.ctrlKey && e.altKey && e.key === '/')) {
      e.preventDefault();
      actions.searchChats();
    } else if (e.altKey && !mod && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault();
      actions.moveChat(e.key === 'ArrowUp' ? -1 : 1);
    } else if (mod && !e.altKey && (e.key === '/' || e.key === '?')) {
      e.preventDefault();
      actions.showHelp();
    } else if (e.key === 'Escape') {
      actions.escape();
    }
  };
  document.addEventListener('keydown', onKey);
  onCleanup(() => document.removeEventListener('keydown', onKey));
}
