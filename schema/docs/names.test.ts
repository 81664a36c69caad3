import { describe, expect, it } from 'vitest';
import { dmRoomId, newGroupId, newUserId, parseRoomId, type UserId } from '../ids';
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

  it('parses a name again to the same answer, which no caller can change for the next', () => {
    const dm = dmRoomId(a, b);
    const name = bucketDoc(dm, 3);
    const first = parseDocName(name);
    expect(parseDocName(name)).toEqual(first);
    if (first?.kind !== 'bucket' || first.room.kind !== 'dm') throw new Error('not a DM bucket');
    const members = first.room.members;
    expect(() => {
      (first as { bucket: number }).bucket = 4;
    }).toThrow(TypeError);
    expect(() => (members as unknown as UserId[]).reverse()).toThrow(TypeError);
    expect(parseDocName(name)).toMatchObject({ kind: 'bucket', bucket: 3, room: { kind: 'dm', id: dm, members: [...members] } });
  });

  it('still parses every name right after many forged ones pushed the old ones out', () => {
    const group = newGroupId();
    expect(parseDocName(roomHeadDoc(group))).toMatchObject({ kind: 'roomHead', room: { id: group } });
    for (let i = 0; i < 25_000; i++) expect(parseDocName(`inbox/forged-${i}`)).toBeNull();
    expect(parseDocName(roomHeadDoc(group))).toMatchObject({ kind: 'roomHead', room: { kind: 'group', id: group } });
    expect(parseDocName(inboxDoc(a))).toEqual({ kind: 'inbox', userId: a });
    expect(parseDocName('inbox/forged-1')).toBeNull();
  });
});
