import { createEffect, createRoot, createSignal } from 'solid-js';
import { storeQuietly } from '../storage/localCache';

export type ThemeChoice = 'system' | 'light' | 'dark';

/**
 * A setting of this device, not of the account: kept outside the `jeco:` keys that
 * sign-out wipes, so the next person to sign in here is not dazzled either.
 */
const CHOICE_KEY = 'jeco-theme';

function readChoice(): ThemeChoice {
  try {
    const value = localStorage.getItem(CHOICE_KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

const darkQuery = typeof window !== 'undefined' ? window.matchMedia('(prefers-color-scheme: dark)') : null;
const [systemDark, setSystemDark] = createSignal(darkQuery?.matches ?? false);
darkQuery?.addEventListener('change', (e) => setSystemDark(e.matches));
const [choice, setChoiceSignal] = createSignal<ThemeChoice>(readChoice());

/** The theme chosen on this device: the system's (the default), or light or dark whatever the system says. */
export const themeChoice = choice;

export function setThemeChoice(next: ThemeChoice): void {
  // Without storage the choice lasts until the page closes.
  storeQuietly('local', CHOICE_KEY, next === 'system' ? null : next);
  setChoiceSignal(next);
}

/** The theme in effect. Reactive. */
export function resolvedTheme(): 'light' | 'dark' {
  const chosen = choice();
  return chosen === 'system' ? (systemDark() ? 'dark' : 'light') : chosen;
}

/** Puts the theme in effect on `<html data-theme>`, where the stylesheets read it, for the life of the page. */
export function applyTheme(): void {
  createRoot(() =>
    createEffect(() => {
      const theme = resolvedTheme();
      document.documentElement.dataset.theme = theme;
      document.documentElement.style.colorScheme = theme;
    }),
  );
}
