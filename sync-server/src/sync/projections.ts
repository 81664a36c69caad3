import type { Hocuspocus } from '@hocuspocus/server';
import type { Redis } from 'ioredis';
import type { ProjectionMark, Store } from '../store/db/store';
import { onMessageTextChanged } from '#schema/docs/bucket';
import { onReadMarks } from '#schema/docs/inbox';
import { inboxDoc, parseDocName } from '#schema/docs/names';
import { readMembers, readMeta } from '#schema/docs/roomHead';
import type { MessageId, RoomRef, UserId } from '#schema/ids';
import type { PushSender } from '../push/pushSender';
import type { ServerWrites } from '../store/serverWrites';
import type { Membership } from './membership';
import { MembershipProjection } from './membershipProjection';
import { MessageProjection } from './messageProjection';
import { fromClient, fromOtherNode } from './origins';
import { projectionNotices } from './projectionNotices';
import { rewritePreviews } from './previewRewrites';
import { closeNonMembers } from './removedMembers';
import { SerialQueue } from './serialQueue';
import { SystemLineWriter } from './systemLineWriter';
import type { ChainedExtension } from './extensionChain';

/**
 * What the server derives from what clients write, one room at a time (a per-room
 * queue serialises every kind of projection of a room):
 * - room heads → `MembershipProjection` (`membershipProjection.ts`): the rooms and
 *   room_members tables, every member's chat index entry, system lines
 *   (`systemLineWriter.ts`) and removed members' connections closed
 *   (`removedMembers.ts`);
 * - new messages and reactions in a bucket → `MessageProjection`
 *   (`messageProjection.ts`): every member's chat index (`schema/docs/chatIndex.ts`),
 *   their notifications and pushes, and the head rollover;
 * - an edit or a deletion for everyone of a chat's last message → its preview
 *   (`previewRewrites.ts`).
 * Every write goes through the server-write transport (`store/serverWrites.ts`). Only
 * changes that arrived from a client connection of this node are projected, so with
 * several nodes each change is projected once.
 */
export class Projections {
  private readonly queue: SerialQueue;
  private readonly messages: MessageProjection;
  private readonly membershipProjection: MembershipProjection;
  private readonly lines: SystemLineWriter;

  constructor(
    private readonly deps: {
      store: Store;
      writes: ServerWrites;
      membership: Membership;
      bucketSize: number;
      /** How long new messages gather before their chat-index projection runs (coalescing per inbox). */
      delayMs: number;
      /** The window of a room projected within the last second. */
      busyDelayMs: number;
      /** How much longer a busy room's window is per member (`MessageProjection`). */
      busyMsPerMember: number;
      instance: () => Hocuspocus;
      log: (error: unknown, what: string) => void;
      /** Web Push for new messages, announced once their projection committed. */
      push?: PushSender;
      /** Events between nodes (Redis): with them, the nodes take turns projecting a room (`projectionNotices.ts`). */
      events?: { pub: Redis; sub: Redis };
    },
  ) {
    this.queue = new SerialQueue((error, key) => deps.log(error, `projection ${key}`));
    this.lines = new SystemLineWriter(deps.writes);
    const notices = deps.events && projectionNotices({ events: deps.events, heard: (roomId, members) => this.messages.projectedElsewhere(roomId, members), log: deps.log });
    this.messages = new MessageProjection({ ...deps, queue: this.queue, ...(notices ? { announce: notices.announce } : {}) });
    this.membershipProjection = new MembershipProjection({ ...deps, lines: this.lines });
  }

  /**
   * For operators (`/metrics`): rooms whose projection waits or runs, and how long the
   * oldest waiting change has waited — a growing lag means chat lists fall behind.
   */
  backlog(): { rooms: number; lagMs: number } {
    return this.messages.waiting(this.queue.size);
  }

  /** After a restart: the rooms whose message projection a crash interrupted are projected again. */
  recover(): Promise<void> {
    return this.messages.recover();
  }

  /** An append marked a room's bucket in the store: a flush will cover it (and clear the mark), even if it added no message. */
  marked(mark: ProjectionMark): void {
    this.messages.marked(mark);
  }

  extension(): ChainedExtension {
    return {
      extensionName: 'projections',
      priority: 50,
      afterUnloadDocument: async ({ documentName }) => {
        this.messages.unloaded(documentName);
      },
      afterLoadDocument: async ({ documentName, document }) => {
        const ref = parseDocName(documentName);
        if (ref?.kind === 'bucket') {
          const room = ref.room;
          this.messages.loaded(documentName, document, room, ref.bucket);
          onMessageTextChanged(document, (messageId, shown, origin) => {
            if (fromClient(origin)) void this.queue.run(room.id, () => this.rewritePreviews(room, new Set([messageId]), shown));
          });
        }
        if (ref?.kind === 'roomHead') this.lines.watchHead(document, ref.room);
        // A read mark moved on any device (or node): a push about what it now covers is withdrawn.
        const push = this.deps.push;
        if (ref?.kind === 'inbox' && push) onReadMarks(document, (roomId, readCount) => push.read(ref.userId, roomId, readCount));
      },
      onChange: ({ documentName, document, transactionOrigin }) => {
        const ref = parseDocName(documentName);
        if (ref?.kind !== 'roomHead') return;
        if (fromClient(transactionOrigin)) void this.queue.run(ref.room.id, () => this.membershipProjection.project(ref.room));
        // Another node projected this change; the people it removed may be connected here.
        else if (fromOtherNode(transactionOrigin) && ref.room.kind === 'group' && readMeta(document)?.kind === 'group') {
          closeNonMembers(this.deps.instance(), ref.room.id, new Set(readMembers(document).keys()));
        }
      },
    };
  }

  /** Projects what is waiting for its window now, and resolves when every queued projection has run. */
  async idle(): Promise<void> {
    do {
      this.messages.flushNow();
      await this.queue.idle();
    } while (this.messages.pending);
  }

  /**
   * Someone joins a group through its invite link (the route checked the link): the
   * server writes their member entry into the head, as a member added by the link's
   * maker, and the room is projected as after any membership change — the "joined" line,
   * the members in SQL (so their connections open the group's docs), every member's chat
   * list. Resolves when that is done. Someone already in is left as they are.
   */
  async joinByInvite(room: RoomRef, userId: UserId, invitedBy: UserId): Promise<void> {
    // The queue logs a task's failure and goes on; the caller (the join route) must hear of it.
    let failure: unknown = null;
    await this.queue.run(room.id, () => this.membershipProjection.addByInvite(room, userId, invitedBy).catch((error) => void (failure = error)));
    if (failure) throw failure;
  }

  /**
   * Messages the chat's disappearing messages removed: chat lists and notifications that
   * preview one of them show nothing of it (one write per member; the purge extension
   * then compacts each inbox, whose log still holds the old preview).
   */
  forgetMessages(room: RoomRef, ids: ReadonlySet<MessageId>): Promise<void> {
    return this.queue.run(room.id, () => this.rewritePreviews(room, ids, ''));
  }

  /** An edit, a deletion for everyone or an expiry: every member's inbox previewing one of `ids` shows `shown` now. */
  private async rewritePreviews(room: RoomRef, ids: ReadonlySet<MessageId>, shown: string): Promise<void> {
    const members = await this.deps.membership.members(room);
    await Promise.all(members.map((userId) => this.deps.writes.write(inboxDoc(userId), (inbox) => rewritePreviews(inbox, room.id, ids, shown))));
  }
}
