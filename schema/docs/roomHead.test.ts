import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newUserId } from '../ids';
import { ROOM_HEAD, roleIn, setMember } from './roomHead';

const owner = newUserId();
const someone = newUserId();

describe('a member’s role in a group’s head', () => {
  it('follows every change of the entry, on this doc and on a replica', () => {
    const doc = new Y.Doc();
    expect(roleIn(doc, someone)).toBeNull();
    setMember(doc, someone, { role: 'member', addedBy: owner, addedAt: 1 });
    expect(roleIn(doc, someone)).toBe('member');
    expect(roleIn(doc, someone)).toBe('member');
    setMember(doc, someone, { role: 'admin', addedBy: owner, addedAt: 1 });
    expect(roleIn(doc, someone)).toBe('admin');
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
    expect(roleIn(replica, someone)).toBe('admin');
    doc.getMap(ROOM_HEAD.members).delete(someone);
    expect(roleIn(doc, someone)).toBeNull();
    expect(roleIn(replica, someone)).toBe('admin');
  });

  it('is null for an entry of the wrong shape, and again once a good one replaces it', () => {
    const doc = new Y.Doc();
    const members = doc.getMap<unknown>(ROOM_HEAD.members);
    members.set(someone, { role: 'king', addedBy: owner, addedAt: 1 });
    expect(roleIn(doc, someone)).toBeNull();
    members.set(someone, 'owner');
    expect(roleIn(doc, someone)).toBeNull();
    setMember(doc, someone, { role: 'owner', addedBy: owner, addedAt: 1 });
    expect(roleIn(doc, someone)).toBe('owner');
  });
});
