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

/**
 * Writes one key of the browser's storage as it is, or removes it (`null`): keys that
 * `writeLocal` does not manage (a device's settings, marks that must outlive
 * `clearLocal`, this tab's `sessionStorage`). A storage
 * that refuses (full, or disabled) is not an error: what was asked lasts as long as the
 * page, and the caller goes on.
 */
export function storeQuietly(area: 'local' | 'session', key: string, value: string | null): void {
  try {
    const storage = area === 'local' ? localStorage : sessionStorage;
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, value);
  } catch {
    // See above.
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
