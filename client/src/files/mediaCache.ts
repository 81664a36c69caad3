/**
 * Photos, videos, voice notes and documents already seen stay viewable offline: the
 * service worker keeps each `/api/files/…` answer in this cache (`vite.config.ts`,
 * cache-first, at most {@link MEDIA_CACHE_ENTRIES} files, oldest used first out, a
 * file's bytes never change under its id). Settings shows what it holds and clears it;
 * signing out clears it with the replicas.
 */
export const MEDIA_CACHE = 'jeco-media';
export const MEDIA_CACHE_ENTRIES = 500;

/** Bytes the media cache holds on this device (0 without Cache Storage). */
export async function mediaCacheBytes(): Promise<number> {
  if (typeof caches === 'undefined' || !(await caches.has(MEDIA_CACHE))) return 0;
  const cache = await caches.open(MEDIA_CACHE);
  let total = 0;
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    const length = Number(response?.headers.get('content-length'));
    total += Number.isFinite(length) && length > 0 ? length : ((await response?.blob())?.size ?? 0);
  }
  return total;
}

export async function clearMediaCache(): Promise<void> {
  if (typeof caches !== 'undefined') await caches.delete(MEDIA_CACHE);
}
