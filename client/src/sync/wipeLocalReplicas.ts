import { localDbPrefix } from './replica';

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    // A failure here leaves a copy behind but must not keep a person from signing out.
    request.onsuccess = request.onerror = () => resolve();
  });
}

/** Deletes every local replica of `userId` in this browser (all its IndexedDB databases). */
export async function wipeLocalReplicas(userId: string): Promise<void> {
  const prefix = localDbPrefix(userId);
  const databases = await indexedDB.databases();
  await Promise.all(databases.flatMap(({ name }) => (name?.startsWith(prefix) ? [deleteDatabase(name)] : [])));
}
