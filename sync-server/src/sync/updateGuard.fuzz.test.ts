import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import * as Y from 'yjs';
import { appendMessage, readMessages } from '../../../schema/docs/bucket';
import { bucketDoc, parseDocName } from '../../../schema/docs/names';
import type { MessageId, RoomId, UserId } from '../../../schema/ids';
import { GuardHarness, type Peer } from './guardHarness';
import type { GuardResult } from './updateGuard';

const USERS = [
  '00000000-0000-4000-8000-0000000000a1',
  '00000000-0000-4000-8000-0000000000b2',
  '00000000-0000-4000-8000-0000000000c3',
] as UserId[];
const ADMIN = USERS[2]!;
const GROUP = 'g.22222222-2222-4222-8222-222222222222' as RoomId;
const EMOJI = ['👍', '❤️', '😂', '🎉'];

/** A seeded PRNG, so the same seed gives the same run. */
function prng(seed: number): () => number {
  return seedrandom(String(seed));
}

interface Tab extends Peer {
  online: boolean;
}

/**
 * Honest clients (two tabs per user, one user an admin) write messages, edit and
 * delete their own, react and unreact, go offline and come back, and reload a tab
 * from a sibling's replica (shared IndexedDB). Every update passes the guard before
 * the server applies it; the guard must never refuse one, and all replicas converge.
 */
function run(seed: number, steps: number): void {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const h = new GuardHarness(parseDocName(bucketDoc(GROUP, 0))!);
  for (const user of USERS) h.roles.set(user, user === ADMIN ? 'admin' : 'member');
  let nextClient = 1000 + seed * 100;
  const tabs: Tab[] = USERS.flatMap((user) => [0, 1].map(() => ({ ...h.peer(user, nextClient++), online: true })));
  const log: string[] = [];
  const counts = { accepted: 0, offlineSyncs: 0 };
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}` as MessageId;
  };

  const accept = (tab: Tab, result: GuardResult, what: string) => {
    if (!result.ok) throw new Error(`seed ${seed}: guard refused ${what} from ${tab.userId}: ${result.rule} ${result.detail ?? ''}\n${log.slice(-15).join('\n')}`);
    counts.accepted++;
  };
  const broadcast = () => tabs.filter((t) => t.online).forEach((t) => h.pull(t));
  const sync = (tab: Tab) => {
    if (Y.decodeUpdate(Y.encodeStateAsUpdate(tab.doc, Y.encodeStateVector(h.server))).structs.length > 0) counts.offlineSyncs++;
    h.pull(tab);
    accept(tab, h.push(tab), 'sync step 2');
    broadcast();
  };
  const write = (tab: Tab, what: string, change: (doc: Y.Doc) => void) => {
    log.push(`${tab.doc.clientID} ${tab.online ? 'online' : 'offline'} ${what}`);
    const update = GuardHarness.capture(tab, change);
    if (!tab.online) return;
    accept(tab, h.send(tab.userId, update), what);
    broadcast();
  };

  for (let step = 0; step < steps; step++) {
    const tab = pick(tabs);
    const messages = readMessages(tab.doc);
    const own = messages.filter((m) => m.authorId === tab.userId);
    const roll = random();
    if (roll < 0.3) {
      const id = uuid();
      write(tab, 'append', (doc) => appendMessage(doc, { id, authorId: tab.userId, createdAt: step, text: `m${step}` }));
    } else if (roll < 0.4 && own.length > 0) {
      const m = pick(own);
      write(tab, `edit ${m.id}`, (doc) => doc.getMap('edits').set(m.id, { text: `e${step}`, at: step }));
    } else if (roll < 0.5 && messages.length > 0) {
      const m = pick(tab.userId === ADMIN ? messages : own.length > 0 ? own : messages.slice(0, 0));
      if (m) write(tab, `delete ${m.id}`, (doc) => doc.getMap('deletions').set(m.id, { by: tab.userId, at: step }));
    } else if (roll < 0.65 && messages.length > 0) {
      const m = pick(messages);
      write(tab, `react ${m.id}`, (doc) => doc.getMap('reactions').set(`${m.id}:${tab.userId}`, pick(EMOJI)));
    } else if (roll < 0.72) {
      const mine = [...tab.doc.getMap('reactions').keys()].filter((key) => key.endsWith(`:${tab.userId}`));
      if (mine.length > 0) write(tab, 'unreact', (doc) => doc.getMap('reactions').delete(pick(mine)));
    } else if (roll < 0.85) {
      tab.online = !tab.online;
      log.push(`${tab.doc.clientID} goes ${tab.online ? 'online' : 'offline'}`);
      if (tab.online) sync(tab);
    } else if (roll < 0.9) {
      // Reload from the shared replica of a sibling tab: a new client id, the sibling's state.
      const sibling = tabs.find((t) => t !== tab && t.userId === tab.userId)!;
      tab.doc = new Y.Doc();
      tab.doc.clientID = nextClient++;
      Y.applyUpdate(tab.doc, Y.encodeStateAsUpdate(sibling.doc));
      log.push(`${tab.doc.clientID} reloads from ${sibling.doc.clientID}`);
      if (tab.online) sync(tab);
    }
  }

  for (const tab of tabs) {
    tab.online = true;
    sync(tab);
  }
  for (const tab of tabs) expect(snapshot(tab.doc), `seed ${seed}, tab ${tab.doc.clientID}`).toEqual(snapshot(h.server));
  // The run must have exercised the paths it is about, not only trivial ones.
  expect(counts.accepted).toBeGreaterThan(steps / 4);
  expect(counts.offlineSyncs).toBeGreaterThan(5);
  expect(h.server.getMap('deletions').size + h.server.getMap('edits').size).toBeGreaterThan(0);
}

function snapshot(doc: Y.Doc) {
  return {
    messages: doc.getArray('messages').toJSON(),
    edits: doc.getMap('edits').toJSON(),
    deletions: doc.getMap('deletions').toJSON(),
    reactions: doc.getMap('reactions').toJSON(),
  };
}

describe('update guard fuzz: honest clients are never refused and converge', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}`, () => run(seed, 400));
  }
});
