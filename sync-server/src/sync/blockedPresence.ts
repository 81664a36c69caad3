import type { Extension } from '@hocuspocus/server';
import { removeAwarenessStates } from 'y-protocols/awareness';
import { parseDocName, roomHeadDoc } from '#schema/docs/names';
import { dmRoomId } from '#schema/ids';
import type { Blocks } from '../people/blocks';
import type { SyncContext } from './context';

/**
 * Someone who blocked you stops showing you that they are typing (`schema/privacy.ts`;
 * online is left out by `headPresence.ts`). A DM has only its two people, so in a DM
 * where either blocked the other no awareness state travels at all, in either direction; what was already
 * shown is removed when the block is made. Awareness in group heads both belong to
 * still flows: hiding one member's state from one other member needs per-recipient
 * awareness, which Hocuspocus does not offer.
 */
export function blockedPresenceExtension(deps: { blocks: Blocks }): Extension {
  let unsubscribe: (() => void) | undefined;
  return {
    extensionName: 'blockedPresence',
    async onConfigure({ instance }) {
      unsubscribe = deps.blocks.onBlocked((blocker, blocked) => {
        const head = instance.documents.get(roomHeadDoc(dmRoomId(blocker, blocked)));
        if (!head) return;
        // Removal is broadcast like any awareness change: both sides stop showing the other.
        removeAwarenessStates(head.awareness, [...head.awareness.getStates().keys()], 'blocked');
      });
    },
    async beforeHandleAwareness({ states, connection, context, documentName }) {
      if (!connection) return;
      const user = ((context ?? connection.context) as SyncContext | undefined)?.user;
      const ref = parseDocName(documentName);
      if (!user || !ref) return;
      if (!(await deps.blocks.dmPresenceOpen(ref, user.id))) states.clear();
    },
    async onDestroy() {
      unsubscribe?.();
    },
  };
}
