/**
 * What one user may learn about another, decided in one place for the HTTP routes, the
 * update guard and awareness. Blocking is the only input so far; privacy settings
 * (everyone / contacts / nobody) will be further inputs to the same functions.
 */

/** The block state between a viewer and the person viewed, from the store. */
export interface BlockState {
  /** The person viewed blocked the viewer. */
  blockedByThem: boolean;
  /** The viewer blocked the person viewed. */
  blockedByMe: boolean;
}

/** What of a profile the viewer may see. */
export interface Visibility {
  /** Last seen and online (awareness). */
  presence: boolean;
  /** The "about" line. */
  about: boolean;
}

/**
 * Someone who blocked you stops telling you when they are online or were last seen,
 * and their about line; blocking someone yourself hides nothing of theirs from you
 * (as on WhatsApp, where the blocker still sees the blocked person's profile).
 */
export function visibilityOf(state: BlockState): Visibility {
  return { presence: !state.blockedByThem, about: !state.blockedByThem };
}

/**
 * Whether a DM may carry anything between its two people: either of them blocking the
 * other stops both directions (the blocker must unblock to write), as on WhatsApp.
 */
export function dmOpen(state: BlockState): boolean {
  return !state.blockedByThem && !state.blockedByMe;
}
