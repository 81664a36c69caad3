import { For, onCleanup, onMount } from 'solid-js';

/** The shortcuts, as the help dialog lists them; `Mod` reads Ctrl, or ⌘ on a Mac. */
const SHORTCUTS: readonly (readonly [keys: string, does: string])[] = [
  ['Enter', 'Send the message'],
  ['Shift + Enter', 'New line in the message'],
  ['↑ (in an empty message)', 'Edit your last message'],
  ['Escape', 'Close what is open: a menu, a picker, a panel, a reply'],
  ['Mod + K  or  Ctrl + Alt + /', 'Search chats'],
  ['Alt + ↑  /  Alt + ↓', 'Previous / next chat'],
  ['Mod + /', 'This list of shortcuts'],
];

/** A modal list of the keyboard shortcuts; Escape, Close or a click outside close it. */
export default function ShortcutsDialog(props: { onClose: () => void }) {
  const mod = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';
  let closeButton!: HTMLButtonElement;
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    props.onClose();
  };
  onMount(() => {
    closeButton.focus();
    document.addEventListener('keydown', onKey, true);
    onCleanup(() => document.removeEventListener('keydown', onKey, true));
  });
  return (
    <div class="confirm-backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="confirm shortcuts" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" data-testid="shortcuts-dialog">
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <dl class="shortcut-list">
          <For each={SHORTCUTS}>
            {([keys, does]) => (
              <div class="shortcut">
                <dt>
                  <kbd>{keys.replaceAll('Mod', mod)}</kbd>
                </dt>
                <dd>{does}</dd>
              </div>
            )}
          </For>
        </dl>
        <div class="confirm-buttons">
          <button type="button" class="confirm-go" ref={closeButton} onClick={() => props.onClose()} data-testid="shortcuts-close">
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
