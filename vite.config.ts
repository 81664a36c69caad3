import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import solid from 'vite-plugin-solid';
import { MEDIA_CACHE, MEDIA_CACHE_ENTRIES } from './client/src/files/mediaCache';
import { reportInitialBundleSize } from './scripts/build/initialBundleSize';

const SERVER = 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('./client', import.meta.url)),
  plugins: [
    solid(),
    reportInitialBundleSize(),
    // The app shell is precached by a service worker, so Jeco opens with no network at
    // all and renders from the local replicas. Updates apply on the next load
    // (skipWaiting + clientsClaim): a chat app must never get stuck on an old shell.
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: 'script-defer',
      manifest: false,
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,ico,woff2}'],
        // Every client-side route (/, /c/:roomId, /login…) is the one index.html.
        navigateFallback: '/index.html',
        // The API and the sync socket are live: never answered from the cache.
        navigateFallbackDenylist: [/^\/api\//, /^\/sync/],
        clientsClaim: true,
        skipWaiting: true,
        cleanupOutdatedCaches: true,
        // Web Push: the push and notificationclick handlers (client/public/push-sw.js).
        importScripts: ['push-sw.js'],
        // Media already seen stays viewable offline (client/src/files/mediaCache.ts): a
        // file's bytes never change under its id, so the cached copy is used first. Only
        // whole answers (200), not uploads (tus) or ranges of a video being sought.
        runtimeCaching: [
          {
            urlPattern: ({ url, request }) => url.pathname.startsWith('/api/files/') && !url.pathname.startsWith('/api/files/tus') && request.method === 'GET' && !request.headers.has('range'),
            handler: 'CacheFirst',
            options: {
              cacheName: MEDIA_CACHE,
              expiration: { maxEntries: MEDIA_CACHE_ENTRIES, purgeOnQuotaError: true },
              cacheableResponse: { statuses: [200] },
            },
          },
        ],
      },
    }),
  ],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    // The app and its API share one origin in production; the proxy keeps it so in
    // development, so the session cookie reaches both /api and the /sync upgrade. The Host
    // header is passed on unchanged (no changeOrigin): the server checks it against Origin.
    proxy: {
      '/api': { target: SERVER },
      '/sync': { target: SERVER, ws: true },
    },
  },
});
