import type { Extension, Hocuspocus } from '@hocuspocus/server';
import { removeAwarenessStates } from 'y-protocols/awareness';
import { parseDocName, roomOfDoc } from '#schema/docs/names';
import type { UserId } from '#schema/ids';
import type { Privacy } from '../people/privacy';
import type { SyncContext } from './context';

/**
 * "Who sees my last seen and online" for awareness (`schema/privacy.ts`): a state from
 * someone whose setting hides it from a doc's readers is dropped before it is applied,
 * so it reaches nobody. Awareness carries only typing now (online is the server's,
 * `headPresence.ts`, filtered by the same rule): hiding one's online state hides one's
 * typing too. In a DM the one other person is judged; group
 * docs reach every member alike, so there only "everyone" lets a state through. When a
 * setting changes, the states already shown where they are now hidden are withdrawn.
 */
export function privacyPresenceExtension(deps: { privacy: Privacy; log: (error: unknown, what: string) => void }): Extension {
  let unsubscribe: (() => void) | undefined;
  let instance: Hocuspocus | undefined;

  /**
   * After `userId` changed their settings: their states now hidden go, and in their DMs
   * so does the peer's, which reciprocity may now keep from them.
   */
  async function withdraw(userId: UserId): Promise<void> {
    for (const [name, document] of instance?.documents ?? []) {
      const ref = parseDocName(name);
      if (!ref) continue;
      const room = roomOfDoc(ref);
      const judged = room?.kind === 'dm' && room.members.includes(userId) ? room.members : [userId];
      for (const person of judged) {
        const theirs = [...document.awareness.getStates()].filter(([, state]) => (state as Partial<SyncContext>).user?.id === person).map(([clientId]) => clientId);
        if (theirs.length === 0 || (await deps.privacy.presenceFlows(ref, person))) continue;
        // Removal is broadcast like any awareness change: the others stop showing them.
        removeAwarenessStates(document.awareness, theirs, 'privacy');
      }
    }
  }

  return {
    extensionName: 'privacyPresence',
    async onConfigure(data) {
      instance = data.instance;
      unsubscribe = deps.privacy.onChanged((userId) => void withdraw(userId).catch((error) => deps.log(error, 'withdrawing presence')));
    },
    async beforeHandleAwareness({ states, connection, context, documentName }) {
      if (!connection || states.size === 0) return;
      const user = ((context ?? connection.context) as SyncContext | undefined)?.user;
      const ref = parseDocName(documentName);
      if (!user || !ref) return;
      if (!(await deps.privacy.presenceFlows(ref, user.id))) states.clear();
    },
    async onDestroy() {
      unsubscribe?.();
    },
  };
}
