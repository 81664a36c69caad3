import type { Extension } from '@hocuspocus/server';
import { parseDocName } from '../../../schema/docs/names';
import type { Blocks } from '../people/blocks';
import type { SyncContext } from './context';

/**
 * Someone who blocked you stops showing you that they are online or typing
 * (`schema/privacy.ts`). A DM has only its two people, so in a DM where either blocked
 * the other no awareness state travels at all, in either direction. Awareness in group
 * heads both belong to still flows: hiding one member's state from one other member
 * needs per-recipient awareness, which Hocuspocus does not offer.
 */
export function blockedPresenceExtension(deps: { blocks: Blocks }): Extension {
  return {
    extensionName: 'blockedPresence',
    async beforeHandleAwareness({ states, connection, context, documentName }) {
      if (!connection) return;
      const user = ((context ?? connection.context) as SyncContext | undefined)?.user;
      const ref = parseDocName(documentName);
      if (!user || !ref) return;
      if (!(await deps.blocks.dmPresenceOpen(ref, user.id))) states.clear();
    },
  };
}
