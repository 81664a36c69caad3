import { For, Show } from 'solid-js';
import { Portal } from 'solid-js/web';
import { MoreIcon } from './icons';
import { setThemeChoice, themeChoice, type ThemeChoice } from './theme';
import { useDropdown } from './useDropdown';

const THEMES: readonly { choice: ThemeChoice; label: string }[] = [
  { choice: 'system', label: 'Theme: as the system' },
  { choice: 'light', label: 'Theme: light' },
  { choice: 'dark', label: 'Theme: dark' },
];

/** The "⋮" of the sidebar header: the places that are not chats (contacts, settings, starred messages), the theme, keyboard shortcuts. */
export function MainMenu(props: { onContacts: () => void; onSettings: () => void; onShortcuts: () => void; onStarred?: () => void }) {
  let root!: HTMLDivElement;
  const { open, floating, toggle, run } = useDropdown(() => root);
  return (
    <div class="main-menu" ref={root}>
      <button type="button" class="icon-button" aria-label="Menu" title="Menu" aria-haspopup="menu" aria-expanded={open()} onClick={toggle} data-testid="main-menu">
        <MoreIcon />
      </button>
      <Show when={open()}>
        <Portal>
          <div class="message-menu-list" ref={floating} role="menu" data-testid="main-menu-list">
            <button type="button" role="menuitem" onClick={run(props.onContacts)} data-testid="open-contacts">
              Contacts
            </button>
            <button type="button" role="menuitem" onClick={run(props.onSettings)} data-testid="open-settings">
              Settings
            </button>
            <Show when={props.onStarred}>
              <button type="button" role="menuitem" onClick={run(() => props.onStarred?.())} data-testid="open-starred">
                Starred messages
              </button>
            </Show>
            <For each={THEMES}>
              {(theme) => (
                <button type="button" role="menuitemradio" aria-checked={themeChoice() === theme.choice} onClick={run(() => setThemeChoice(theme.choice))} data-testid={`theme-${theme.choice}`}>
                  {theme.label}
                  <Show when={themeChoice() === theme.choice}> ✓</Show>
                </button>
              )}
            </For>
            <button type="button" role="menuitem" onClick={run(props.onShortcuts)} data-testid="open-shortcuts">
              Keyboard shortcuts
            </button>
          </div>
        </Portal>
      </Show>
    </div>
  );
}
