import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newGroupId, newMessageId, newUserId } from '../ids';
import { PREVIEW_LENGTH } from './message';
import {
  addNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  MAX_NOTIFICATIONS,
  notificationKey,
  readNotificationReadState,
  readNotifications,
  rewriteNotificationPreviews,
  unreadNotificationCount,
  type Notification,
} from './notifications';

const ROOM = newGroupId();
const BOB = newUserId();

function item(at: number, overrides: Partial<Notification> = {}): Notification {
  const messageId = newMessageId();
  return {
    key: notificationKey('mention', messageId),
    kind: 'mention',
    roomId: ROOM,
    messageId,
    bucket: 0,
    actorId: BOB,
    actorName: 'Bob',
    roomTitle: 'Team',
    preview: `message ${at}`,
    at,
    ...overrides,
  };
}

describe('the notification list of an inbox doc', () => {
  it('lists newest first and cuts long previews', () => {
    const doc = new Y.Doc();
    addNotifications(doc, [item(1)]);
    addNotifications(doc, [item(2, { preview: 'x'.repeat(1000) })]);
    addNotifications(doc, [item(3)]);
    const list = readNotifications(doc);
    expect(list.map((n) => n.at)).toEqual([3, 2, 1]);
    expect(list[1]!.preview.length).toBe(PREVIEW_LENGTH);
  });

  it('orders items of one write (one clock reading) as they were added, after every item already listed', () => {
    const doc = new Y.Doc();
    addNotifications(doc, [item(100)]);
    addNotifications(doc, [item(50, { preview: 'first' }), item(50, { preview: 'second' })]);
    expect(readNotifications(doc).map((n) => [n.preview, n.at])).toEqual([
      ['second', 102],
      ['first', 101],
      ['message 100', 100],
    ]);
  });

  it(`keeps the newest ${MAX_NOTIFICATIONS}, dropping the oldest, within one write and across writes`, () => {
    const doc = new Y.Doc();
    const added: Notification[] = [];
    // Batches of 37 items that share one clock reading, as a projection writes them.
    for (let i = 0; i < MAX_NOTIFICATIONS + 50; i += 37) {
      const batch = Array.from({ length: Math.min(37, MAX_NOTIFICATIONS + 50 - i) }, (_, j) => item(1_000, { preview: `n${i + j}` }));
      added.push(...batch);
      addNotifications(doc, batch);
    }
    const list = readNotifications(doc);
    expect(list).toHaveLength(MAX_NOTIFICATIONS);
    expect(list.map((n) => n.preview)).toEqual(
      added
        .slice(50)
        .reverse()
        .map((n) => n.preview),
    );
    // One more pushes the oldest kept out.
    addNotifications(doc, [item(1_000, { preview: 'latest' })]);
    expect(readNotifications(doc)).toHaveLength(MAX_NOTIFICATIONS);
    expect(readNotifications(doc)[0]!.preview).toBe('latest');
    expect(readNotifications(doc).map((n) => n.preview)).not.toContain('n50');
  });

  it('adds an item with the same key once (a projection that runs again rewrites it)', () => {
    const doc = new Y.Doc();
    const first = item(5);
    addNotifications(doc, [first]);
    addNotifications(doc, [{ ...first }]);
    expect(readNotifications(doc)).toHaveLength(1);
  });

  it('counts unread items; one read by itself, then all by the watermark, which forgets the per-item marks', () => {
    const doc = new Y.Doc();
    const [a, b, c] = [item(10), item(20), item(30)];
    addNotifications(doc, [a!, b!, c!]);
    expect(readNotifications(doc).map((n) => n.at)).toEqual([30, 20, 10]);
    expect(unreadNotificationCount(doc)).toBe(3);
    markNotificationRead(doc, b!.key, 99);
    expect(unreadNotificationCount(doc)).toBe(2);
    markAllNotificationsRead(doc);
    expect(unreadNotificationCount(doc)).toBe(0);
    expect(readNotificationReadState(doc)).toEqual({ readThrough: 30, read: new Set() });
    addNotifications(doc, [item(40)]);
    expect(unreadNotificationCount(doc)).toBe(1);
  });

  it('rewrites the preview of the items about an edited or deleted message', () => {
    const doc = new Y.Doc();
    const a = item(1);
    addNotifications(doc, [a, item(2)]);
    rewriteNotificationPreviews(doc, a.messageId!, 'This message was deleted');
    expect(readNotifications(doc).map((n) => n.preview)).toEqual(['message 2', 'This message was deleted']);
  });
});
