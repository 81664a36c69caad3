import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import { privacyOf, type Store, type UserRow } from '../store/db/store';
import { applyUpdates } from '#schema/docs/applyUpdates';
import { readContacts } from '#schema/docs/contacts';
import { contactsDoc, parseDocName, roomOfDoc, type DocRef } from '#schema/docs/names';
import type { RoomRef, UserId } from '#schema/ids';
import { DEFAULT_PRIVACY, dmReadReceipts, inAudience, mayAddToGroup, presenceInGroups, seesPresenceBack, visibilityOf, type PrivacySettings, type Relation, type Visibility } from '#schema/privacy';
import type { Blocks } from './blocks';
import { ExpiringCache } from './expiringCache';
import type { ChainedExtension } from '../sync/extensionChain';

/**
 * How long a cached answer stands. This node forgets its own answer when a setting or
 * a contacts doc changes through it; another node's change reaches it within this long.
 */
const CACHE_MS = 5_000;
/** Users (settings) and contact lists kept in memory; past this many the oldest are dropped. */
const CACHE_SIZE = 50_000;
const CACHE_LIMITS = { ttlMs: CACHE_MS, max: CACHE_SIZE };

/**
 * The inputs of `schema/privacy.ts` for the server: users' settings (SQL columns of
 * `users`) and whether one person is in another's contacts.
 *
 * Contacts live only in the owner's `contacts/<userId>` Yjs doc; there is no SQL
 * projection of them. A rule asks about contacts only when the owner chose "my
 * contacts", so the doc is read then: from memory when it is loaded on this node (its
 * owner has a device online, the usual case), else from the store (snapshot + log of a
 * small doc), and the owner's contact set is cached for {@link CACHE_MS}. A change to
 * the doc through this node forgets the cached set at once.
 */
export class Privacy {
  private readonly settings: ExpiringCache<PrivacySettings>;
  private readonly contacts: ExpiringCache<ReadonlySet<UserId>>;
  private readonly changedListeners = new Set<(userId: UserId, settings: PrivacySettings) => void>();
  private instance: Hocuspocus | undefined;

  constructor(
    private readonly store: Store,
    private readonly blocks: Blocks,
    now: () => number = Date.now,
  ) {
    this.settings = new ExpiringCache(CACHE_LIMITS, now);
    this.contacts = new ExpiringCache(CACHE_LIMITS, now);
  }

  /** Keeps the contacts cache true for changes through this node, and reads loaded contacts docs from memory. */
  extension(): ChainedExtension {
    return {
      extensionName: 'privacy',
      onConfigure: async ({ instance }) => {
        this.instance = instance;
      },
      onChange: ({ documentName }) => {
        const ref = parseDocName(documentName);
        if (ref?.kind === 'contacts') this.contacts.forget(ref.userId);
      },
    };
  }

  /** A user's settings (the defaults for an unknown user). */
  async settingsOf(userId: UserId): Promise<PrivacySettings> {
    const cached = this.settings.get(userId);
    if (cached) return cached;
    const row = await this.store.getUserById(userId);
    const settings = row ? privacyOf(row) : DEFAULT_PRIVACY;
    this.settings.set(userId, settings);
    return settings;
  }

  /** Changes a user's settings; resolves with them all. */
  async set(userId: UserId, change: Partial<PrivacySettings>): Promise<PrivacySettings> {
    await this.store.setPrivacy(userId, change);
    this.settings.forget(userId);
    const settings = await this.settingsOf(userId);
    for (const listener of this.changedListeners) listener(userId, settings);
    return settings;
  }

  /** Forgets a user's cached settings and contacts: another node changed them. */
  forget(userId: UserId): void {
    this.settings.forget(userId);
    this.contacts.forget(userId);
  }

  /** Called after each settings change made through this node (presence drops what is now hidden). */
  onChanged(listener: (userId: UserId, settings: PrivacySettings) => void): () => void {
    this.changedListeners.add(listener);
    return () => this.changedListeners.delete(listener);
  }

  /** Whether `viewer` is in `owner`'s contacts. */
  async inContactsOf(owner: UserId, viewer: UserId): Promise<boolean> {
    let set = this.contacts.get(owner);
    if (!set) {
      set = new Set((await this.contactsDocOf(owner, (doc) => [...readContacts(doc).keys()])) ?? []);
      this.contacts.set(owner, set);
    }
    return set.has(viewer);
  }

  /** The relation of `viewer` to `owner`; contacts are read only when one of `theirs` asks for them. */
  async relation(viewer: UserId, owner: UserId, theirs: PrivacySettings, fresh = false): Promise<Relation> {
    const state = await this.blocks.between(viewer, owner, fresh);
    const needsContacts = !state.blockedByThem && [theirs.lastSeen, theirs.profile, theirs.groupAdd].includes('contacts');
    return { ...state, inTheirContacts: needsContacts && (await this.inContactsOf(owner, viewer)) };
  }

  /** What of `owner`'s profile `viewer` may see. */
  async visibility(viewer: UserId, owner: UserRow): Promise<Visibility & { mayAddToGroups: boolean }> {
    if (viewer === owner.id) return { presence: true, about: true, mayAddToGroups: true };
    const theirs = privacyOf(owner);
    const relation = await this.relation(viewer, owner.id, theirs);
    const shown = visibilityOf(relation, theirs, relation.inTheirContacts);
    const presence = shown.presence && (await this.sharesPresenceWith(viewer, owner.id));
    return { ...shown, presence, mayAddToGroups: mayAddToGroup(relation, theirs) };
  }

  /** Whether `viewer`'s own "last seen" setting shows them to `other`: only then do they see `other`'s (`seesPresenceBack`). */
  async sharesPresenceWith(viewer: UserId, other: UserId): Promise<boolean> {
    const mine = (await this.settingsOf(viewer)).lastSeen;
    if (mine !== 'contacts') return seesPresenceBack(mine, false);
    return seesPresenceBack(mine, await this.inContactsOf(viewer, other));
  }

  /** For the update guard: whether `adder` may add `target` to a group; the store is asked, not the cache, before refusing. */
  async mayAddToGroup(adder: UserId, target: UserId): Promise<boolean> {
    const theirs = await this.settingsOf(target);
    if (mayAddToGroup(await this.relation(adder, target, theirs), theirs)) return true;
    this.settings.forget(target);
    this.contacts.forget(target);
    const fresh = await this.settingsOf(target);
    return mayAddToGroup(await this.relation(adder, target, fresh, true), fresh);
  }

  /**
   * Whether `userId`'s presence (online, typing: `headPresence.ts`) may travel in this doc.
   * A DM's doc has one other reader, so the owner's setting is applied to that person; a
   * group's docs reach every member alike, so only "everyone" lets it through
   * (`presenceInGroups`). Blocks are `Blocks.dmPresenceOpen`'s.
   */
  async presenceFlows(ref: DocRef, userId: UserId): Promise<boolean> {
    const room = roomOfDoc(ref);
    if (!room) return true;
    const theirs = await this.settingsOf(userId);
    if (room.kind === 'group') return presenceInGroups(theirs);
    const peer = room.members.find((id) => id !== userId);
    if (!peer || !room.members.includes(userId)) return true;
    // Reciprocity: a peer who hides their own online state from this user does not get this user's.
    if (!(await this.sharesPresenceWith(peer, userId))) return false;
    if (theirs.lastSeen !== 'contacts') return inAudience(theirs.lastSeen, { inTheirContacts: false });
    return this.inContactsOf(userId, peer);
  }

  /** For receipts: whether the room shows read receipts (a DM only when both people have them on; groups always). */
  async readReceiptsShown(room: RoomRef): Promise<boolean> {
    if (room.kind !== 'dm') return true;
    const [a, b] = await Promise.all(room.members.map((id) => this.settingsOf(id)));
    return dmReadReceipts(a!, b!);
  }

  private async contactsDocOf<T>(owner: UserId, read: (doc: Y.Doc) => T): Promise<T | null> {
    const name = contactsDoc(owner);
    const loaded = this.instance?.documents.get(name);
    if (loaded) return read(loaded);
    const { snapshot, updates } = await this.store.loadDoc(name);
    const parts = snapshot ? [snapshot, ...updates] : updates;
    if (parts.length === 0) return null;
    const doc = new Y.Doc();
    try {
      applyUpdates(doc, parts);
      return read(doc);
    } finally {
      doc.destroy();
    }
  }
}
