import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIVACY, dmOpen, dmReadReceipts, mayAddToGroup, presenceInGroups, seesPresenceBack, visibilityOf, type PrivacySettings } from './privacy';

const open = { blockedByThem: false, blockedByMe: false };
const settings = (change: Partial<PrivacySettings>): PrivacySettings => ({ ...DEFAULT_PRIVACY, ...change });

describe('privacy rules', () => {
  it('someone who blocked me hides their presence and about line from me', () => {
    expect(visibilityOf({ blockedByThem: true, blockedByMe: false })).toEqual({ presence: false, about: false });
    // Even when they are in my contacts and show everything to everyone.
    expect(visibilityOf({ blockedByThem: true, blockedByMe: false }, DEFAULT_PRIVACY, true)).toEqual({ presence: false, about: false });
  });

  it('blocking someone hides nothing of theirs from me', () => {
    expect(visibilityOf({ blockedByThem: false, blockedByMe: true })).toEqual({ presence: true, about: true });
    expect(visibilityOf(open)).toEqual({ presence: true, about: true });
  });

  it('a DM is closed both ways when either person blocked the other', () => {
    expect(dmOpen(open)).toBe(true);
    expect(dmOpen({ blockedByThem: true, blockedByMe: false })).toBe(false);
    expect(dmOpen({ blockedByThem: false, blockedByMe: true })).toBe(false);
  });

  it('last seen and online: everyone shows it to all, contacts only to their contacts, nobody to none', () => {
    expect(visibilityOf(open, settings({ lastSeen: 'everyone' }), false).presence).toBe(true);
    expect(visibilityOf(open, settings({ lastSeen: 'contacts' }), false).presence).toBe(false);
    expect(visibilityOf(open, settings({ lastSeen: 'contacts' }), true).presence).toBe(true);
    expect(visibilityOf(open, settings({ lastSeen: 'nobody' }), true).presence).toBe(false);
  });

  it('photo and about follow their own setting, apart from last seen', () => {
    expect(visibilityOf(open, settings({ profile: 'nobody' }), true)).toEqual({ presence: true, about: false });
    expect(visibilityOf(open, settings({ profile: 'contacts', lastSeen: 'nobody' }), true)).toEqual({ presence: false, about: true });
    expect(visibilityOf(open, settings({ profile: 'contacts' }), false).about).toBe(false);
  });

  it('who may add me to groups: everyone, or only my contacts; never someone I blocked', () => {
    expect(mayAddToGroup({ ...open, inTheirContacts: false }, settings({ groupAdd: 'everyone' }))).toBe(true);
    expect(mayAddToGroup({ ...open, inTheirContacts: false }, settings({ groupAdd: 'contacts' }))).toBe(false);
    expect(mayAddToGroup({ ...open, inTheirContacts: true }, settings({ groupAdd: 'contacts' }))).toBe(true);
    expect(mayAddToGroup({ blockedByThem: true, blockedByMe: false, inTheirContacts: true }, settings({ groupAdd: 'everyone' }))).toBe(false);
  });

  it('groups show online only for people who show it to everyone', () => {
    expect(presenceInGroups(settings({ lastSeen: 'everyone' }))).toBe(true);
    expect(presenceInGroups(settings({ lastSeen: 'contacts' }))).toBe(false);
    expect(presenceInGroups(settings({ lastSeen: 'nobody' }))).toBe(false);
  });

  it('a DM shows read receipts only when both people have them on', () => {
    expect(dmReadReceipts(DEFAULT_PRIVACY, DEFAULT_PRIVACY)).toBe(true);
    expect(dmReadReceipts(settings({ readReceipts: false }), DEFAULT_PRIVACY)).toBe(false);
    expect(dmReadReceipts(DEFAULT_PRIVACY, settings({ readReceipts: false }))).toBe(false);
  });
});

describe('reciprocity of last seen', () => {
  it('who hides their own last seen from someone does not see theirs: everyone sees all, contacts only their contacts, nobody none', () => {
    expect(seesPresenceBack('everyone', false)).toBe(true);
    expect(seesPresenceBack('contacts', true)).toBe(true);
    expect(seesPresenceBack('contacts', false)).toBe(false);
    expect(seesPresenceBack('nobody', true)).toBe(false);
  });
});
