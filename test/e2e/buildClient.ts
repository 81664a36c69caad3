import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** Builds the web app into dist/ once, before any end-to-end file, so the server under test serves the current client. */
export default async function buildClient(): Promise<void> {
  await build({ configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)), logLevel: 'warn' });
}
