import { SIGNED_OUT_COOKIE } from '#schema/api/auth';

/** A year: the flag must outlive any session cookie it voids; the server clears it once heard. */
const FLAG_MAX_AGE_S = 365 * 24 * 60 * 60;

/**
 * Marks this browser as signed out. The session cookie is HttpOnly, so a script cannot
 * remove it; the flag voids it instead, from the next request on, whether or not the
 * server can be reached now (the server revokes the session when it sees both).
 */
export function setSignedOutFlag(): void {
  const secure = location.protocol === 'https:' ? '; secure' : '';
  // biome-ignore lint/suspicious/noDocumentCookie: the flag must be readable by the server on the next request, and cookieStore is not in every browser
  document.cookie = `${SIGNED_OUT_COOKIE}=1; path=/; max-age=${FLAG_MAX_AGE_S}; samesite=lax${secure}`;
}

/** Whether a sign-out on this browser has not reached the server yet (the server clears the flag when it has). */
export function signedOutFlagSet(): boolean {
  return document.cookie.split(';').some((part) => part.trim().startsWith(`${SIGNED_OUT_COOKIE}=`));
}
