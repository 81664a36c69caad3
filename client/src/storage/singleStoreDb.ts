/**
 * Opens, creating it at version 1 if need be, an IndexedDB database that holds one object
 * store of records keyed by `keyPath`. The caller closes it once done: an open connection
 * holds up the wipe at sign-out (deleteDatabase waits for it).
 */
export function openSingleStoreDb(name: string, store: string, keyPath: string): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(store, { keyPath });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}
