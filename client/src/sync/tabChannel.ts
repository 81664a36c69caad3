import * as Y from 'yjs';
import type { DocName } from '#schema/docs/names';

/**
 * The origin of updates that came from another tab. A replica does not count them as
 * its own unsent edits, and the channel does not send them back out: the tab that
 * made an edit is the one that owes it to the server and to the other tabs.
 */
export const TAB_ORIGIN = Symbol('another tab');

type TabMessage =
  /** An edit made in the sending tab. */
  | { kind: 'update'; name: string; update: Uint8Array }
  /** A tab just opened `name`: whoever has it open answers with what the asker lacks. */
  | { kind: 'ask'; name: string; from: string; stateVector: Uint8Array }
  | { kind: 'answer'; name: string; to: string; update: Uint8Array };

/** An update with no structs and no deletions: `encodeStateAsUpdate` of nothing new. */
const EMPTY_UPDATE_BYTES = 2;

/**
 * Carries Yjs updates between the tabs of one user in this browser (the Hocuspocus v4
 * provider has none), so what one tab writes shows in the others at once, online or
 * offline. Tabs share the IndexedDB replicas, but y-indexeddb reads them only when a
 * doc is opened: without this channel another tab would see a change only after a
 * round trip through the server, and never while offline.
 *
 * Awareness (typing, presence) is not carried: each tab's replica has its own, which
 * reaches the other tabs through the server, the one place that stamps it with the
 * signed-in user (`sync-server/src/sync/presence.ts`); offline there is nobody to tell.
 */
export class TabChannel {
  private readonly channel: BroadcastChannel | null;
  private readonly docs = new Map<string, Y.Doc>();
  private readonly tabId = crypto.randomUUID();

  constructor(userId: string) {
    // Per user, so two accounts in one browser (one signed out, one in) never mix.
    this.channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(`jeco-tabs:${userId}`);
    this.channel?.addEventListener('message', (event: MessageEvent<TabMessage>) => this.receive(event.data));
  }

  /**
   * Shares `doc` with the other tabs until the returned function is called: edits
   * for which `isOwnEdit(origin)` holds go out, and the other tabs are asked for what
   * this copy lacks. Call once the local copy is loaded, so the question is small.
   */
  join(name: DocName, doc: Y.Doc, isOwnEdit: (origin: unknown) => boolean): () => void {
    this.docs.set(name, doc);
    const share = (update: Uint8Array, origin: unknown) => {
      if (origin !== TAB_ORIGIN && isOwnEdit(origin)) this.post({ kind: 'update', name, update });
    };
    doc.on('update', share);
    this.post({ kind: 'ask', name, from: this.tabId, stateVector: Y.encodeStateVector(doc) });
    return () => {
      doc.off('update', share);
      if (this.docs.get(name) === doc) this.docs.delete(name);
    };
  }

  private receive(message: TabMessage): void {
    const doc = this.docs.get(message.name);
    if (!doc) return;
    switch (message.kind) {
      case 'update':
        Y.applyUpdate(doc, message.update, TAB_ORIGIN);
        return;
      case 'ask': {
        const update = Y.encodeStateAsUpdate(doc, message.stateVector);
        if (update.byteLength > EMPTY_UPDATE_BYTES) this.post({ kind: 'answer', name: message.name, to: message.from, update });
        return;
      }
      case 'answer':
        if (message.to === this.tabId) Y.applyUpdate(doc, message.update, TAB_ORIGIN);
        return;
    }
  }

  private post(message: TabMessage): void {
    try {
      this.channel?.postMessage(message);
    } catch {
      // A closed channel (the tab is signing out) has no one left to tell.
    }
  }

  close(): void {
    this.docs.clear();
    this.channel?.close();
  }
}
