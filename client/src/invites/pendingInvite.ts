import { storeQuietly } from '../storage/localCache';

/** Where a signed-out person who opened an invite link is taken after signing in (this tab only). */
const KEY = 'jeco:pendingInvite';

export function rememberInvite(token: string): void {
  // Storage that refuses writes: after signing in, the chats open; the link still works when opened again.
  storeQuietly('session', KEY, token);
}

/** The page to open after signing in: the invite that was opened signed out, else the chats. */
export function pathAfterSignIn(): string {
  const token = sessionStorage.getItem(KEY);
  sessionStorage.removeItem(KEY);
  return token ? `/join/${token}` : '/';
}
