/**
 * What one user may learn about another, and do to them, decided in one place for the
 * HTTP routes, the update guard, awareness and receipts. The inputs are the block state
 * between the two, the owner's privacy settings, and whether the viewer is in the
 * owner's contacts (`contacts/<ownerId>`).
 */

/** The block state between a viewer and the person viewed, from the store. */
export interface BlockState {
  /** The person viewed blocked the viewer. */
  blockedByThem: boolean;
  /** The viewer blocked the person viewed. */
  blockedByMe: boolean;
}

/** Who sees something of mine. */
export type Audience = 'everyone' | 'contacts' | 'nobody';
export const AUDIENCES: readonly Audience[] = ['everyone', 'contacts', 'nobody'];

/** Who may add me to groups. */
export type GroupAdders = 'everyone' | 'contacts';
export const GROUP_ADDERS: readonly GroupAdders[] = ['everyone', 'contacts'];

/** One user's privacy settings, as stored with the user. */
export interface PrivacySettings {
  /** Who sees my last seen and that I am online (awareness: online and typing). */
  lastSeen: Audience;
  /** Who sees my profile photo and about line. */
  profile: Audience;
  /**
   * Whether my DMs show read receipts. Off hides my reads from the other person and
   * theirs from me (as on WhatsApp); delivered still shows. Groups always show them, as
   * on WhatsApp.
   */
  readReceipts: boolean;
  /** Who may add me to a group. */
  groupAdd: GroupAdders;
}

/** What a new account starts with: what WhatsApp starts with, except last seen there defaults to everyone too. */
export const DEFAULT_PRIVACY: PrivacySettings = { lastSeen: 'everyone', profile: 'everyone', readReceipts: true, groupAdd: 'everyone' };

/** What the owner's rules depend on about the viewer. */
export interface Relation extends BlockState {
  /** The viewer is in the owner's contacts. */
  inTheirContacts: boolean;
}

const NO_RELATION: Relation = { blockedByThem: false, blockedByMe: false, inTheirContacts: false };

/** What of a profile the viewer may see. */
export interface Visibility {
  /** Last seen and online (awareness). */
  presence: boolean;
  /** The "about" line (and the photo). */
  about: boolean;
}

/** Whether someone with this relation to the owner is in the owner's `audience`. */
export function inAudience(audience: Audience | GroupAdders, relation: Pick<Relation, 'inTheirContacts'>): boolean {
  return audience === 'everyone' || (audience === 'contacts' && relation.inTheirContacts);
}

/**
 * Someone who blocked you stops telling you when they are online or were last seen,
 * and their about line; blocking someone yourself hides nothing of theirs from you
 * (as on WhatsApp, where the blocker still sees the blocked person's profile). Past
 * blocks, the owner's settings decide, per audience.
 */
export function visibilityOf(state: BlockState, theirs: PrivacySettings = DEFAULT_PRIVACY, inTheirContacts = false): Visibility {
  const relation = { ...NO_RELATION, ...state, inTheirContacts };
  if (relation.blockedByThem) return { presence: false, about: false };
  return { presence: inAudience(theirs.lastSeen, relation), about: inAudience(theirs.profile, relation) };
}

/**
 * WhatsApp's reciprocity: whoever hides their own last seen and online from someone
 * does not see that person's either. `mine` is the viewer's own "last seen" setting,
 * `ownerInMyContacts` whether the person viewed is in the viewer's contacts. Applied on
 * top of {@link visibilityOf} by the routes and, in a DM, by awareness.
 */
export function seesPresenceBack(mine: Audience, ownerInMyContacts: boolean): boolean {
  return inAudience(mine, { inTheirContacts: ownerInMyContacts });
}

/**
 * Whether a DM may carry anything between its two people: either of them blocking the
 * other stops both directions (the blocker must unblock to write), as on WhatsApp.
 */
export function dmOpen(state: BlockState): boolean {
  return !state.blockedByThem && !state.blockedByMe;
}

/** Whether the viewer may add the owner to a group: not blocked by them, and within their "who may add me". */
export function mayAddToGroup(relation: Relation, theirs: PrivacySettings): boolean {
  return !relation.blockedByThem && inAudience(theirs.groupAdd, relation);
}

/**
 * Whether the owner's online state and typing may flow in a group's docs. Hocuspocus
 * broadcasts an awareness state to every member alike, so it cannot be shown to some
 * members and not others: only owners who show it to everyone are shown in groups.
 */
export function presenceInGroups(theirs: PrivacySettings): boolean {
  return theirs.lastSeen === 'everyone';
}

/** Whether a DM between two people shows read receipts: only when both have them on, as on WhatsApp. */
export function dmReadReceipts(a: PrivacySettings, b: PrivacySettings): boolean {
  return a.readReceipts && b.readReceipts;
}

/** The rule a group change is refused under (`rejected_update:<rule>`) when it adds someone whose "who may add me to groups" leaves the writer out. */
export const GROUP_ADD_REFUSAL = 'group-add-privacy';
