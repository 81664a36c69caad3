import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const SERVER = 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('./client', import.meta.url)),
  plugins: [solid()],
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
