import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newGroupId } from '../ids';
import { chatNotifyLevel, isValidStateEntry, readChatStates, setNotifyLevel, shouldNotify } from './inbox';

describe('per-chat notification level', () => {
  it('is kept under notify:<roomId>; "all" is the default and deletes the key', () => {
    const doc = new Y.Doc();
    const room = newGroupId();
    expect(chatNotifyLevel(doc, room)).toBe('all');
    setNotifyLevel(doc, room, 'mentions');
    expect(doc.getMap('state').get(`notify:${room}`)).toBe('mentions');
    expect(readChatStates(doc).get(room)?.notify).toBe('mentions');
    setNotifyLevel(doc, room, 'all');
    expect(doc.getMap('state').has(`notify:${room}`)).toBe(false);
    expect(chatNotifyLevel(doc, room)).toBe('all');
  });

  it('the guard accepts only the two stored levels', () => {
    const room = newGroupId();
    expect(isValidStateEntry(`notify:${room}`, 'mentions')).toBe(true);
    expect(isValidStateEntry(`notify:${room}`, 'off')).toBe(true);
    for (const bad of ['all', 'loud', 1, null, { level: 'off' }]) expect(isValidStateEntry(`notify:${room}`, bad)).toBe(false);
    expect(isValidStateEntry('notify:', 'off')).toBe(false);
  });

  it('decides what is announced: a mute or "mentions only" lets personal things through, "off" nothing', () => {
    expect(shouldNotify('all', false, false)).toBe(true);
    expect(shouldNotify('all', true, false)).toBe(false);
    expect(shouldNotify('all', true, true)).toBe(true);
    expect(shouldNotify('mentions', false, false)).toBe(false);
    expect(shouldNotify('mentions', false, true)).toBe(true);
    expect(shouldNotify('off', false, true)).toBe(false);
  });
});
