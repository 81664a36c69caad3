import { createSignal } from 'solid-js';
import type * as Y from 'yjs';
import { readMessages } from '../../../schema/docs/bucket';
import type { Message } from '../../../schema/docs/message';
import { parseDocName, roomOfDoc, type DocName } from '../../../schema/docs/names';
import type { MessageId, RoomId, UserId } from '../../../schema/ids';
import { onLocalChange, readLocal, updateLocal } from '../storage/localCache';

/** What the chat list needs to show a waiting message as the chat's preview. */
export interface PendingMessage {
  id: MessageId;
  text: string;
  at: number;
}

type PendingByDoc = Record<string, PendingMessage[]>;

/**
 * This user's messages the server has not acknowledged yet (the clock icon), by
 * bucket doc. A message is "sent" (one tick) only once the server stored it, which
 * the replica learns from its provider's acknowledgements; those reach the tab that
 * wrote the message, or whichever tab later reopens the doc. So the marks live in
 * localStorage: they survive a reload, and every tab shows the same clock or tick.
 */
export class PendingMessages {
  private readonly key: string;
  private readonly byDoc: () => PendingByDoc;
  private readonly setByDoc: (value: PendingByDoc) => void;
  readonly stop: () => void;

  constructor(userId: UserId) {
    this.key = `pending:${userId}`;
    const [byDoc, setByDoc] = createSignal<PendingByDoc>(readLocal<PendingByDoc>(this.key) ?? {});
    this.byDoc = byDoc;
    this.setByDoc = setByDoc;
    this.stop = onLocalChange(this.key, () => setByDoc(readLocal<PendingByDoc>(this.key) ?? {}));
  }

  private update(change: (current: PendingByDoc) => PendingByDoc): void {
    this.setByDoc(updateLocal<PendingByDoc>(this.key, (current) => change(current ?? {})));
  }

  /** Marks a message just written to `bucket` as waiting for the server. */
  add(bucket: DocName, message: Pick<Message, 'id' | 'text' | 'createdAt'>): void {
    const entry: PendingMessage = { id: message.id, text: message.text, at: message.createdAt };
    this.update((current) => ({ ...current, [bucket]: [...(current[bucket] ?? []), entry] }));
  }

  /**
   * The server acknowledged every edit this tab held for `bucket`: the pending
   * messages the tab's copy contains are stored. Others (written in another tab a
   * moment ago and not yet arrived here) stay pending.
   */
  settle(bucket: DocName, doc: Y.Doc): void {
    const ids = this.byDoc()[bucket];
    if (!ids) return;
    const present = new Set(readMessages(doc).map((m) => m.id));
    this.update((current) => {
      const rest = (current[bucket] ?? []).filter((m) => !present.has(m.id));
      const { [bucket]: _settled, ...others } = current;
      return rest.length > 0 ? { ...others, [bucket]: rest } : others;
    });
  }

  /** Whether this message still waits for the server. Reactive. */
  has(id: MessageId): boolean {
    return Object.values(this.byDoc()).some((list) => list.some((m) => m.id === id));
  }

  /** How many messages wait to go out, across all chats. Reactive. */
  count(): number {
    return Object.values(this.byDoc()).reduce((sum, list) => sum + list.length, 0);
  }

  /**
   * The newest waiting message of a room, which the chat list shows as its preview:
   * the server-kept index learns of it only once it is sent. Reactive.
   */
  latestIn(roomId: RoomId): PendingMessage | undefined {
    let latest: PendingMessage | undefined;
    for (const [name, list] of Object.entries(this.byDoc())) {
      const ref = parseDocName(name);
      if (!ref || roomOfDoc(ref)?.id !== roomId) continue;
      for (const m of list) if (!latest || m.at >= latest.at) latest = m;
    }
    return latest;
  }
}
