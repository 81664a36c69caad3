import { SEEN_WITHIN_MS } from './chatPage';

/** Chromium as every end-to-end file launches it: headless, quiet, nothing fetched on its own. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** Every test person's password: long enough for the server's rules. */
export const PASSWORD = 'correct horse battery staple';
/** `expect.poll` options for something another person's screen should show soon. */
export const poll = { timeout: SEEN_WITHIN_MS, interval: 100 };
