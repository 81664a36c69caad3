/**
 * What receipts cost as a group grows: the earlier form (every member writes
 * `delivered:`/`read:` keys into the room head, each logged and broadcast to every
 * member) against reports to the server folded into one aggregate — in one run, on
 * one server:
 *
 *   npx tsx scripts/bench/receipts.ts            # print the table
 *   npx tsx scripts/bench/receipts.ts --write    # also replace "## Receipts" in docs/benchmarks.md
 *
 * Groups of 10, 50 and 100 members, each member a real provider on a socket of its
 * own holding the room head and bucket 0. Messages go one at a time from rotating
 * senders; every member, on receiving one, reports it delivered and read (what the
 * app does with the chat open). Per message: head updates each member receives, head
 * log rows written, receipt transactions, and the time until the sender can see it
 * read by everyone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';
import type { AuthResponse } from '#schema/api/auth';
import { appendMessage, messageCount } from '#schema/docs/bucket';
import { bucketDoc, roomHeadDoc } from '#schema/docs/names';
import { advanceReceipt, comparePositions, deliveryStatus, encodeReceiptAdvance, readReceiptAggregate, readReceipts, type Position } from '#schema/docs/receipts';
import { initGroup } from '#schema/docs/roomHead';
import { newGroupId, newMessageId, type RoomId, type UserId } from '#schema/ids';
import { loadConfig } from '../../sync-server/src/config';
import { startJeco, type JecoServer } from '../../sync-server/src/server';
import { writeBenchmarkSection } from './benchmarksDoc';

const SIZES = [10, 50, 100];
const MESSAGES = 10;
type Mode = 'keys in the head' | 'reports + aggregate';
const MODES: Mode[] = ['keys in the head', 'reports + aggregate'];

interface Person {
  id: UserId;
  token: string;
}

interface Seat {
  person: Person;
  socket: HocuspocusProviderWebsocket;
  head: HocuspocusProvider;
  bucket: HocuspocusProvider;
  headUpdates: number;
  headBytes: number;
}

interface Row {
  mode: Mode;
  size: number;
  updatesPerMember: number;
  bytesPerMember: number;
  logRows: number;
  receiptTransactions: number;
  readAllMs: number[];
}

async function register(url: string, i: number): Promise<Person> {
  const res = await fetch(`${url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: `member${i}${Math.random().toString(36).slice(2, 6)}`, password: 'correct horse battery', displayName: `Member ${i}` }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as AuthResponse;
  return { id: body.user.id as UserId, token: body.token };
}

function synced(provider: HocuspocusProvider): Promise<void> {
  return new Promise((resolve) => (provider.isSynced ? resolve() : provider.on('synced', () => resolve())));
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function seat(server: JecoServer, room: RoomId, person: Person): Promise<Seat> {
  const socket = new HocuspocusProviderWebsocket({ url: `ws://127.0.0.1:${server.port}/sync`, WebSocketPolyfill: WebSocket as never });
  const open = (name: string) => {
    const provider = new HocuspocusProvider({ name, document: new Y.Doc(), token: person.token, websocketProvider: socket });
    provider.attach();
    return provider;
  };
  const s: Seat = { person, socket, head: open(roomHeadDoc(room)), bucket: open(bucketDoc(room, 0)), headUpdates: 0, headBytes: 0 };
  await Promise.all([synced(s.head), synced(s.bucket)]);
  s.head.document.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== s.head) return;
    s.headUpdates++;
    s.headBytes += update.byteLength;
  });
  return s;
}

const last = (doc: Y.Doc): Position => ({ bucket: 0, index: messageCount(doc) - 1 });

async function run(server: JecoServer, people: Person[], mode: Mode, size: number): Promise<Row> {
  const members = people.slice(0, size);
  const room = newGroupId();
  // The group's buckets open once it is stored: create it first, on a socket of its own.
  const creator = new HocuspocusProviderWebsocket({ url: `ws://127.0.0.1:${server.port}/sync`, WebSocketPolyfill: WebSocket as never });
  const created = new HocuspocusProvider({ name: roomHeadDoc(room), document: new Y.Doc(), token: members[0]!.token, websocketProvider: creator });
  created.attach();
  await synced(created);
  initGroup(created.document, { name: `Bench ${size}`, owner: members[0]!.id, members: members.slice(1).map((p) => p.id), now: Date.now() });
  await until(() => created.unsyncedChanges === 0, 'the group to be created');
  await server.projections.idle();
  created.destroy();
  creator.destroy();
  const seats = await Promise.all(members.map((p) => seat(server, room, p)));

  const reportOf = (s: Seat) => {
    const to = last(s.bucket.document);
    if (mode === 'keys in the head') {
      s.head.document.transact(() => {
        advanceReceipt(s.head.document, s.person.id, 'delivered', to, Date.now());
        advanceReceipt(s.head.document, s.person.id, 'read', to, Date.now());
      });
    } else {
      s.head.sendStateless(encodeReceiptAdvance('delivered', to));
      s.head.sendStateless(encodeReceiptAdvance('read', to));
    }
  };
  for (const s of seats) {
    s.bucket.document.on('update', (_u: Uint8Array, origin: unknown) => origin === s.bucket && reportOf(s));
  }
  await new Promise((r) => setTimeout(r, 500));
  for (const s of seats) {
    s.headUpdates = 0;
    s.headBytes = 0;
  }
  const logBefore = await server.store.countUpdates(roomHeadDoc(room));
  let receiptTransactions = 0;
  const advance = server.store.receipts.advance.bind(server.store.receipts);
  server.store.receipts.advance = async (rows) => {
    receiptTransactions++;
    return advance(rows);
  };

  const readAllMs: number[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const sender = seats[i % seats.length]!;
    const started = performance.now();
    appendMessage(sender.bucket.document, { id: newMessageId(), authorId: sender.person.id, createdAt: Date.now(), text: `message ${i}` });
    const to = last(sender.bucket.document);
    reportOf(sender);
    const recipients = members.filter((p) => p.id !== sender.person.id).map((p) => p.id);
    const readByAll = () => {
      if (mode === 'keys in the head') return deliveryStatus(readReceipts(sender.head.document), recipients, to) === 'read';
      const read = readReceiptAggregate(sender.head.document)?.read;
      return !!read && comparePositions(read, to) >= 0;
    };
    await until(readByAll, `message ${i} read by all`);
    readAllMs.push(performance.now() - started);
    // Let the stragglers' updates arrive before the next message, so each is counted once.
    await new Promise((r) => setTimeout(r, 400));
  }
  server.store.receipts.advance = advance;
  const logRows = (await server.store.countUpdates(roomHeadDoc(room))) - logBefore;
  const row: Row = {
    mode,
    size,
    updatesPerMember: seats.reduce((n, s) => n + s.headUpdates, 0) / seats.length / MESSAGES,
    bytesPerMember: seats.reduce((n, s) => n + s.headBytes, 0) / seats.length / MESSAGES,
    logRows: logRows / MESSAGES,
    receiptTransactions: receiptTransactions / MESSAGES,
    readAllMs,
  };
  for (const s of seats) {
    s.head.destroy();
    s.bucket.destroy();
    s.socket.destroy();
  }
  return row;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const started = Date.now();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-bench-receipts-'));
  const server = await startJeco(
    loadConfig({
      JECO_PORT: '0',
      JECO_HOST: '127.0.0.1',
      JECO_DATA_DIR: dataDir,
      JECO_LOG_LEVEL: 'warn',
      JECO_AUTH_RATE_PER_MIN: '100000',
      // Keep every head log row countable: no compaction during the run.
      JECO_COMPACT_AFTER_UPDATES: '1000000',
    }),
  );
  const rows: Row[] = [];
  try {
    const people: Person[] = [];
    for (let i = 0; i < Math.max(...SIZES); i++) people.push(await register(server.url, i));
    for (const size of SIZES) {
      for (const mode of MODES) {
        const row = await run(server, people, mode, size);
        rows.push(row);
        console.log(`${mode}, ${size} members: ${fmt(row.updatesPerMember)} head updates per member per message`);
      }
    }
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }

  const table = [
    '| receipts | members | head updates each member receives per message | head bytes each member receives per message | head log rows per message | receipt transactions per message | sender sees "read by all" after (median ms) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.mode} | ${r.size} | ${fmt(r.updatesPerMember)} | ${fmt(r.bytesPerMember, 0)} | ${fmt(r.logRows)} | ${r.mode === 'keys in the head' ? '–' : fmt(r.receiptTransactions)} | ${fmt(median(r.readAllMs), 0)} |`,
    ),
  ].join('\n');
  const keys = rows.filter((r) => r.mode === 'keys in the head');
  const agg = rows.filter((r) => r.mode === 'reports + aggregate');
  const span = (of: Row[], show: (r: Row) => string) => of.map(show).join(' / ');
  const section = `## Receipts

\`npx tsx scripts/bench/receipts.ts\` (\`npm run bench:receipts\`; \`--write\` updates this section), ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}.
Groups of ${SIZES.join(', ')} members on one server (SQLite), each member a real provider with the room head and bucket 0 on a socket of its own; ${MESSAGES} messages, one at a time, from rotating senders; every member reports each message delivered and read as it arrives. "Keys in the head" is the earlier form (each member writes \`delivered:\`/\`read:\` keys into the room head); "reports + aggregate" is the current one (stateless reports, one aggregate per room written at most once per \`JECO_RECEIPTS_FLUSH_MS\`, 250 ms). Both in the same run.

${table}

- Keys in the head: each member receives every other member's receipts — ${span(keys, (r) => fmt(r.bytesPerMember, 0))} head bytes per message at ${SIZES.join(' / ')} members, and the head logs ${span(keys, (r) => fmt(r.logRows, 0))} durable rows per message: both grow with the group. (The server batches a document's outgoing broadcasts within a tick, so the count of updates stays near ${fmt(keys.at(-1)!.updatesPerMember)} while each grows.)
- Reports + aggregate: ${span(agg, (r) => fmt(r.updatesPerMember))} head updates and ${span(agg, (r) => fmt(r.bytesPerMember, 0))} bytes per member per message, ${span(agg, (r) => fmt(r.logRows))} head log rows, whatever the group's size; a flush's reports share one transaction (${span(agg, (r) => fmt(r.receiptTransactions))} per message).
- "Read by all" reaches the sender after ${span(agg, (r) => fmt(median(r.readAllMs), 0))} ms with reports (waiting for a flush, at most 250 ms, plus the message's own fan-out, which grows with the group: every member's chat index is written per message) against ${span(keys, (r) => fmt(median(r.readAllMs), 0))} ms with keys in the head.
- Run took ${Math.round((Date.now() - started) / 1000)} s.
`;
  console.log(`\n${section}`);
  if (process.argv.includes('--write')) await writeBenchmarkSection(section);
}

await main();
process.exit(0);
