import { describe, expect, it } from 'vitest';
import { dmRoomId, newGroupId, newUserId, parseRoomId } from '../ids';
import { bucketDoc, contactsDoc, inboxDoc, parseDocName, roomHeadDoc } from './names';

const a = newUserId();
const b = newUserId();

describe('doc names', () => {
  it('round-trips every kind of doc', () => {
    const dm = dmRoomId(a, b);
    const group = newGroupId();
    expect(parseDocName(roomHeadDoc(dm))).toMatchObject({ kind: 'roomHead', room: { kind: 'dm', id: dm } });
    expect(parseDocName(bucketDoc(group, 12))).toMatchObject({ kind: 'bucket', room: { kind: 'group', id: group }, bucket: 12 });
    expect(parseDocName(contactsDoc(a))).toEqual({ kind: 'contacts', userId: a });
    expect(parseDocName(inboxDoc(b))).toEqual({ kind: 'inbox', userId: b });
  });

  it('gives one DM id to a pair whichever side starts it', () => {
    expect(dmRoomId(a, b)).toBe(dmRoomId(b, a));
    const parsed = parseRoomId(dmRoomId(a, b));
    expect(parsed?.kind === 'dm' && [...parsed.members].sort()).toEqual([a, b].sort());
  });

  it('refuses anything else', () => {
    const dm = dmRoomId(a, b);
    const [x, y] = dm.split('.').slice(1);
    for (const bad of [
      '',
      'room',
      'room/',
      `room/dm.${y}.${x}`, // unsorted: would give one pair two rooms
      `room/dm.${a}.${a}`, // a DM with oneself
      `room/${dm}/01`,
      `room/${dm}/-1`,
      `room/${dm}/99999999`,
      `room/${dm}/0/extra`,
      'room/g.not-a-uuid',
      `inbox/${a}/0`,
      `inbox/${a.toUpperCase()}`,
      'contacts/../etc',
      `files/${a}`,
    ]) {
      expect(parseDocName(bad), bad).toBeNull();
    }
    expect(() => bucketDoc(dm, -1)).toThrow(RangeError);
  });
});
