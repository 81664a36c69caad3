/** Every key this app keeps in localStorage starts with this, so sign-out can clear them all. */
const PREFIX = 'jeco:';

export function readLocal<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw === null ? null : (JSON.parse(raw) as T);
  } catch {
    return null;
  }
}

export function writeLocal(key: string, value: unknown): void {
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // A full or disabled storage only costs a slower next start.
  }
}

export function clearLocal(): void {
  for (const key of Object.keys(localStorage)) if (key.startsWith(PREFIX)) localStorage.removeItem(key);
}

/**
 * Reads, changes and writes back one key in a single step. Tabs share localStorage:
 * writing back a copy read long ago would undo what another tab wrote meanwhile.
 */
export function updateLocal<T>(key: string, change: (current: T | null) => T): T {
  const next = change(readLocal<T>(key));
  writeLocal(key, next);
  return next;
}

/** Calls `changed` when another tab writes `key`; returns the function that stops listening. */
export function onLocalChange(key: string, changed: () => void): () => void {
  const listener = (event: StorageEvent) => {
    if (event.key === PREFIX + key || event.key === null) changed();
  };
  window.addEventListener('storage', listener);
  return () => window.removeEventListener('storage', listener);
}
