/**
 * `npm run seed -- [--users N] [--chats N] [--messages N] [--bucket-size N] [--data-dir DIR]`
 *
 * Fills a data dir's store with demo data for one main user: DMs and groups with N
 * messages each, spread over history buckets, the room heads pointing at the bucket new
 * messages go to, the room membership rows, and every member's chat index (the inbox
 * doc), so the chat list renders from the inbox alone. The docs are real Y.Docs built
 * with the schema's doc helpers and stored as one update each, as if the server had
 * logged them. Start the server on the same data dir (and `JECO_BUCKET_SIZE` when not
 * the default) and sign in with the printed credentials.
 *
 * The docs' Yjs client ids are random and claimed by no user: fine for reading, and the
 * update guard only checks the client ids of updates sent later.
 */
import seedrandom from 'seedrandom';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import type { MemberRole } from '#schema/docs/roomHead';
import type { Store } from '../sync-server/src/store/db/store';
import { appendMessage, DEFAULT_BUCKET_SIZE } from '#schema/docs/bucket';
import { entryAfterMessages, newChatEntry, withoutRoomId, type ChatEntryValue } from '#schema/docs/chatIndex';
import { setChatEntry } from '#schema/docs/inbox';
import type { Message } from '#schema/docs/message';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { advanceHead, initDm, initGroup } from '#schema/docs/roomHead';
import { dmRoomId, newGroupId, newMessageId, newUserId, parseRoomId, type RoomId, type UserId } from '#schema/ids';
import { hashPassword } from '../sync-server/src/auth/passwords';
import { openStore } from '../sync-server/src/store/openStore';

export interface SeedOptions {
  dataDir: string;
  /** All users, the main one included; each other user is someone to chat with. */
  users: number;
  chats: number;
  /** Messages per chat. */
  messages: number;
  bucketSize: number;
  username?: string;
  password?: string;
}

export interface SeededChat {
  roomId: RoomId;
  title: string;
  /** The text of the chat's newest message (unique: every text ends with its number). */
  latestText: string | null;
}

export interface SeedResult {
  username: string;
  password: string;
  userId: UserId;
  /** The main user's chats, most recent first, as the chat list shows them. */
  chats: SeededChat[];
}

const DEFAULT_PASSWORD = 'demo password';
/** A group every fourth chat, so the list shows both kinds even when there are peers to spare. */
const GROUP_EVERY = 4;
/** Members of a seeded group besides the main user. */
const GROUP_PEERS = 3;
/** Chats are an hour apart and messages a minute apart, so the list and each chat have a clear order. */
const CHAT_SPACING_MS = 60 * 60 * 1000;
const MESSAGE_SPACING_MS = 60 * 1000;

const FIRST_NAMES = ['Ada', 'Ben', 'Chloé', 'Dmitri', 'Esra', 'Femi', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kira', 'Luca', 'Maya', 'Nils', 'Olu', 'Priya'];
const LAST_NAMES = ['Lovelace', 'Okafor', 'Nakamura', 'Svensson', 'García', 'Novak', 'Haddad', 'Ivanova', 'Moreau', 'Kowalski'];
const GROUP_NAMES = ['Weekend plans', 'Book club', 'Climbing crew', 'Flat 3B', 'Release train', 'Family', 'Choir', 'Board games'];
const PHRASES = [
  'Are we still on for tomorrow?',
  'Running ten minutes late, sorry!',
  'That sounds great.',
  'I found the photos from last summer.',
  'Can you send me the address again?',
  'Haha, exactly what I was thinking.',
  'Let me check and get back to you.',
  'The train is delayed again.',
  'Happy birthday! 🎉',
  'Did you see the game last night?',
  'I will bring snacks.',
  'Good night, talk tomorrow.',
];

/** A seeded PRNG, so the same seed gives the same run. */
function random(seed: number): () => number {
  return seedrandom(String(seed));
}

interface Person {
  id: UserId;
  displayName: string;
}

async function createUsers(db: Store, count: number, username: string, password: string, pick: () => number): Promise<Person[]> {
  // One hash for everyone: they share the demo password, and argon2 per user would make large seeds slow.
  const passwordHash = await hashPassword(password);
  const people: Person[] = [];
  for (let i = 0; i < count; i++) {
    const id = newUserId();
    const displayName = i === 0 ? 'Demo User' : `${FIRST_NAMES[Math.floor(pick() * FIRST_NAMES.length)]} ${LAST_NAMES[Math.floor(pick() * LAST_NAMES.length)]}`;
    const name = i === 0 ? username : `${username}_peer${i}`;
    const created = await db.createUser({ id, username: name, displayName, email: null, passwordHash, createdAt: Date.now() });
    if ('conflict' in created) throw new Error(`user ${name} exists already: seed an empty data dir`);
    people.push({ id, displayName });
  }
  return people;
}

/** Stores a doc built locally as one update, as if the server had logged it. */
async function storeDoc(db: Store, name: string, build: (doc: Y.Doc) => void): Promise<void> {
  const doc = new Y.Doc();
  doc.transact(() => build(doc));
  await db.appendUpdate(name, Y.encodeStateAsUpdate(doc));
  doc.destroy();
}

/** Seeds `options.dataDir`; the store must not hold the main username yet. */
export async function seed(options: SeedOptions): Promise<SeedResult> {
  if (options.users < 2) throw new Error('--users must be at least 2: the main user and someone to chat with');
  const username = options.username ?? 'demo';
  const password = options.password ?? DEFAULT_PASSWORD;
  const pick = random(1);
  const db = await openStore({ dataDir: options.dataDir });
  try {
    const people = await createUsers(db, options.users, username, password, pick);
    const [me, ...peers] = people as [Person, ...Person[]];
    const names = new Map(people.map((p) => [p.id, p.displayName]));
    const indexes = new Map<UserId, Array<[RoomId, ChatEntryValue]>>();
    const chats: SeededChat[] = [];
    const now = Date.now();
    let nextPeer = 0;

    for (let c = 0; c < options.chats; c++) {
      const group = c % GROUP_EVERY === GROUP_EVERY - 1 || nextPeer >= peers.length;
      const members = group ? [me, ...Array.from({ length: Math.min(GROUP_PEERS, peers.length) }, (_, k) => peers[(c + k) % peers.length]!)] : [me, peers[nextPeer++]!];
      const roomId = group ? newGroupId() : dmRoomId(me.id, members[1]!.id);
      const title = group ? `${GROUP_NAMES[c % GROUP_NAMES.length]} ${c + 1}` : members[1]!.displayName;
      const lastAt = now - c * CHAT_SPACING_MS;
      const createdAt = lastAt - options.messages * MESSAGE_SPACING_MS;

      const messages: Message[] = Array.from({ length: options.messages }, (_, j) => ({
        id: newMessageId(),
        authorId: members[j % members.length]!.id,
        createdAt: lastAt - (options.messages - 1 - j) * MESSAGE_SPACING_MS,
        text: `${PHRASES[Math.floor(pick() * PHRASES.length)]} #${j + 1}`,
      }));
      // The server's rule: a full bucket moves the head on, so new messages go to the next one.
      const head = Math.floor(options.messages / options.bucketSize);
      for (let b = 0; b * options.bucketSize < options.messages; b++) {
        const slice = messages.slice(b * options.bucketSize, (b + 1) * options.bucketSize);
        await storeDoc(db, bucketDoc(roomId, b), (doc) => slice.forEach((m) => appendMessage(doc, m)));
      }
      await storeDoc(db, roomHeadDoc(roomId), (doc) => {
        if (group) initGroup(doc, { name: title, owner: me.id, members: members.map((m) => m.id), now: createdAt });
        else initDm(doc, me.id, createdAt);
        advanceHead(doc, head);
      });
      const roles: Array<{ userId: UserId; role: MemberRole }> = members.map((m, k) => ({ userId: m.id, role: group && k === 0 ? 'owner' : 'member' }));
      await db.saveRoomMembers({ id: roomId, kind: group ? 'group' : 'dm', createdBy: me.id, createdAt }, roles);

      // Each member's entry as the server's projection of these messages makes it (with the last message's position, so it can show delivered).
      const room = parseRoomId(roomId)!;
      const placed = messages.map((message, j) => ({ message, position: { bucket: Math.floor(j / options.bucketSize), index: j % options.bucketSize } }));
      const last = placed.at(-1);
      for (const member of members) {
        const entry = withoutRoomId(newChatEntry(room, member.id, (id) => names.get(id), title, createdAt));
        indexes.set(member.id, [...(indexes.get(member.id) ?? []), [roomId, last ? entryAfterMessages(entry, member.id, placed, last, (id) => names.get(id), last.message.createdAt) : entry]]);
      }
      chats.push({ roomId, title, latestText: last?.message.text ?? null });
    }

    for (const [userId, entries] of indexes) {
      await storeDoc(db, inboxDoc(userId), (doc) => entries.forEach(([roomId, entry]) => setChatEntry(doc, roomId, entry)));
    }
    return { username, password, userId: me.id, chats };
  } finally {
    await db.close();
  }
}

function wholeNumber(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string' },
      chats: { type: 'string' },
      messages: { type: 'string' },
      'bucket-size': { type: 'string' },
      'data-dir': { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
    },
  });
  const options: SeedOptions = {
    dataDir: path.resolve(values['data-dir'] ?? './data'),
    users: wholeNumber(values.users, 10, 'users'),
    chats: wholeNumber(values.chats, 20, 'chats'),
    messages: wholeNumber(values.messages, 50, 'messages'),
    bucketSize: wholeNumber(values['bucket-size'], DEFAULT_BUCKET_SIZE, 'bucket-size'),
    username: values.username,
    password: values.password,
  };
  if (options.bucketSize < 2) throw new Error('--bucket-size must be at least 2 (as JECO_BUCKET_SIZE)');
  const started = Date.now();
  const result = await seed(options);
  console.log(`Seeded ${options.chats} chats × ${options.messages} messages for ${options.users} users into ${options.dataDir} in ${Date.now() - started} ms.`);
  console.log(`Sign in as: ${result.username} / ${result.password}`);
  if (options.bucketSize !== DEFAULT_BUCKET_SIZE) console.log(`Start the server with JECO_BUCKET_SIZE=${options.bucketSize}.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
