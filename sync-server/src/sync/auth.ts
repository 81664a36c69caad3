import fastifyCookie from '@fastify/cookie';
import type { Extension, Hocuspocus } from '@hocuspocus/server';
import { SESSION_COOKIE, SIGNED_OUT_COOKIE } from '#schema/api/auth';
import { syncRefusal } from '#schema/api/errors';
import { parseDocName } from '#schema/docs/names';
import type { Sessions } from '../auth/sessions';
import { closeConnections, type SyncContext } from './context';
import type { Membership } from './membership';
import type { UserBudgets } from './userBudgets';

/**
 * Authenticates each doc connection: the provider's token, or else the session cookie
 * sent on the upgrade (browsers), maps to a user; the doc's readers decide. Refusals
 * carry a reason from `SYNC_REFUSALS`, which the client shows. A revoked session
 * (sign-out, password reset) closes its live connections at once. Each open counts
 * against the user's message budget, and a doc past their docs-open budget is refused
 * (`too_many_docs`, retryable) here, before it loads: only this hook knows the user that
 * early; the budgets extension gives the slot back.
 */
export function authExtension(deps: { sessions: Sessions; membership: Membership; budgets: UserBudgets; instance: () => Hocuspocus; recheckEveryMs: number }): Extension {
  deps.sessions.onRevoked(({ tokenHash, userId }) => {
    closeConnections(deps.instance(), (context) => context.sessionHash === tokenHash || context.user.id === userId, syncRefusal('unauthorized'));
  });

  // Sessions are checked when a doc connects; a socket can stay open for days, so the
  // sessions of live connections are checked again on a timer: a live connection
  // counts as use (the idle expiry slides), and one past its absolute expiry closes.
  const recheck = setInterval(() => {
    void recheckLiveSessions(deps).catch(() => {});
  }, deps.recheckEveryMs);
  recheck.unref();

  return {
    extensionName: 'auth',
    priority: 300,
    async onDestroy() {
      clearInterval(recheck);
    },
    async onAuthenticate({ token, documentName, requestHeaders, connectionConfig }): Promise<SyncContext> {
      const doc = parseDocName(documentName);
      if (!doc) throw syncRefusal('unknown_doc');
      const sessionToken = token || cookieToken(requestHeaders.get('cookie'));
      const auth = sessionToken ? await deps.sessions.validate(sessionToken) : null;
      if (!auth) throw syncRefusal('unauthorized');
      // Opening counts as one of the user's messages, before the look-ups it costs: else a
      // script could ask for docs it will be refused, as fast as its socket allows.
      if (deps.budgets.takeMessage(auth.user.id, 0, false)) throw syncRefusal('rate_limited');
      const access = await deps.membership.access(doc, auth.user.id);
      if (access === 'not_yet') throw syncRefusal('out_of_order', 'group-not-created');
      if (!access) throw syncRefusal('forbidden');
      const docSlot = deps.budgets.openDoc(auth.user.id);
      if (!docSlot) throw syncRefusal('too_many_docs');
      // A former member reads their time in the group; the read-only connection drops anything they send.
      if (access === 'former') connectionConfig.readOnly = true;
      const { id, username, displayName } = auth.user;
      return { user: { id, username, displayName }, sessionHash: auth.session.tokenHash, doc, docSlot, ...(access === 'former' ? { former: true as const } : {}) };
    },
  };
}

async function recheckLiveSessions(deps: { sessions: Sessions; instance: () => Hocuspocus }): Promise<void> {
  const hashes = new Set<string>();
  for (const document of deps.instance().documents.values()) {
    for (const connection of document.getConnections()) {
      const hash = (connection.context as SyncContext | undefined)?.sessionHash;
      if (hash) hashes.add(hash);
    }
  }
  const valid = await deps.sessions.validateHashes([...hashes]);
  const ended = new Set([...valid].filter(([, session]) => !session).map(([hash]) => hash));
  if (ended.size > 0) closeConnections(deps.instance(), (context) => ended.has(context.sessionHash), syncRefusal('unauthorized'));
}

function cookieToken(header: string | null): string | null {
  if (!header) return null;
  const cookies = fastifyCookie.parse(header);
  // A browser that signed out offline still sends its HttpOnly session cookie, with the flag that voids it.
  if (cookies[SIGNED_OUT_COOKIE] !== undefined) return null;
  return cookies[SESSION_COOKIE] ?? null;
}
