/**
 * One server of the load benchmark (`load.ts`), run as its own process so that its CPU
 * time (`process.cpuUsage`) and RSS are the server's alone. Started with one JSON
 * argument; talks to the benchmark over the IPC channel:
 *
 * - `{ mode: 'jeco', env }`: the real server (`startJeco`) configured by JECO_* `env`;
 * - `{ mode: 'bare', redisUrl? }`: a bare Hocuspocus — no auth, no guard, no
 *   persistence, no projections — on the same kind of socket with the same keep-alive
 *   (idle sockets would otherwise be dropped), optionally relaying
 *   through Redis like Jeco's nodes do. It holds the seeded docs in memory only.
 * - `{ mode: 'bare', logEnv }`: the same with Jeco's persistence extension and nothing
 *   else of Jeco's: every update appended to the SQLite log in `logEnv`'s
 *   `JECO_DATA_DIR` before it is applied and acknowledged (the group commit, the writer
 *   thread, the compactions), configured as Jeco's server is by the same JECO_* settings.
 *   What durability alone costs.
 * - `{ mode: 'bare', journalEnv }`: bare with the least a server that acknowledges only
 *   what is durable must do: every update written to one append-only file (in its
 *   `JECO_DATA_DIR`) and `fdatasync`ed before it is applied and acknowledged, the updates
 *   that arrive together sharing a write and a sync (Jeco's group commit, with Jeco's
 *   spacing), through Node's own asynchronous file calls. Never read back, never
 *   compacted, no index, no tables: a floor for durability's cost, not a store.
 *
 * Messages in: `seed` (users, sessions and the group heads, written straight into the
 * store), `stats` (the first and second of a run bound the measured window), `stop`. Messages out: `ready` (port), `seeded` (tokens), `stats`.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Hocuspocus, type Extension } from '@hocuspocus/server';
import { WebSocketServer } from 'ws';
import { Redis as RedisExtension } from '@hocuspocus/extension-redis';
import * as Y from 'yjs';
import type { UserId } from '#schema/ids';
import { encodeTyping, parseTypingSignal } from '#schema/api/presence';
import { roomHeadDoc } from '#schema/docs/names';
import { parseRoomId } from '#schema/ids';
import { Sessions } from '../../sync-server/src/auth/sessions';
import { loadConfig } from '../../sync-server/src/config';
import { isPong, KeepAlive } from '../../sync-server/src/http/keepAlive';
import { syncRequest } from '../../sync-server/src/http/syncRequest';
import { startJeco } from '../../sync-server/src/server';
import type { Store } from '../../sync-server/src/store/db/store';
import { openStore } from '../../sync-server/src/store/openStore';
import { LogPositions } from '../../sync-server/src/store/logPositions';
import { persistenceExtension } from '../../sync-server/src/sync/persistence';
import { inOneChain } from '../../sync-server/src/sync/extensionChain';
import { GroupCommit } from '../../sync-server/src/store/groupCommit';
import { threadCpuSeconds } from '../../sync-server/src/threadCpu';
import { AllocationProfile } from './allocationProfile';

export type ServerArgs = ({ mode: 'jeco'; env: Record<string, string> } | { mode: 'bare'; redisUrl?: string; logEnv?: Record<string, string>; journalEnv?: Record<string, string> }) & {
  /** Where to write an allocation profile of the measured window (`--alloc-prof`). */
  allocationProfile?: string;
  /** Whether that profile holds only what outlives a scavenge (`--survivors`; the server then runs with `--expose-gc`). */
  allocationSurvivors?: boolean;
};

export interface SeedPlan {
  users: { id: UserId; username: string }[];
  /** Group room ids, their members and the encoded head each starts from. */
  groups: { roomId: string; members: UserId[]; head: string }[];
}

export type ToServer = { type: 'seed'; plan: SeedPlan } | { type: 'stats' } | { type: 'stop' };
/** A latency histogram as cumulative counts per upper bound (`le`, seconds, the last "+Inf"), as Prometheus keeps it. */
export type Buckets = { le: string; count: number }[];

export type FromServer =
  | { type: 'ready'; port: number }
  | { type: 'seeded'; tokens: Record<string, string> }
  | {
      type: 'stats';
      cpuMicros: number;
      /** The main thread's share of `cpuMicros` (Linux; null elsewhere): the rest is the store's threads and V8's (garbage collection, compilation). */
      mainCpuMicros: number | null;
      /** The store's threads' share (`Store.threads`; null without a store, or elsewhere than Linux). */
      storeCpuMicros: number | null;
      rss: number;
      transactions: number;
      bytes: number;
      /** The main thread's event loop delay since the last `stats`, in ms. */
      loopDelay: { p99: number; max: number };
      /** Jeco's own histograms from `/metrics`: client update to acknowledgement, and the durable append within it. */
      ack: Buckets;
      append: Buckets;
    };

const args = JSON.parse(process.argv[2]!) as ServerArgs;
const allocations = args.allocationProfile ? new AllocationProfile(args.allocationProfile, args.allocationSurvivors) : undefined;

/** The CPU time of this process's main thread in µs (`threadCpu.ts`: the main thread's id is the process id); null where `/proc` has no such file. */
function mainThreadCpuMicros(): number | null {
  const seconds = threadCpuSeconds(process.pid);
  return seconds === null ? null : seconds * 1e6;
}

/** The CPU time of the store's own threads (`Store.threads`: SQLite's writer and upkeep) in µs, together; null without a store or `/proc`. */
async function storeCpuMicros(store: Store | null): Promise<number | null> {
  if (!store) return null;
  const seconds = (await store.threads()).map(({ tid }) => threadCpuSeconds(tid));
  return seconds.length > 0 && seconds.every((x) => x !== null) ? seconds.reduce((sum, x) => sum + x!, 0) * 1e6 : null;
}
const send = (message: FromServer) => process.send!(message);

const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
/** The loop delay since the last call, then starts a new window. */
function loopDelay(): { p99: number; max: number } {
  const delay = { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
  loop.reset();
  return delay;
}

/** One histogram of Jeco's `/metrics` text (`labels` picks a series, e.g. `op="appendUpdate"`). */
function bucketsOf(metrics: string, name: string, labels = ''): Buckets {
  const buckets: Buckets = [];
  const bucketLine = new RegExp(`^${name}_bucket\\{(.*)\\} (\\d+)$`);
  for (const line of metrics.split('\n')) {
    const match = bucketLine.exec(line);
    if (!match || !match[1]!.includes(labels)) continue;
    const le = /le="([^"]+)"/.exec(match[1]!)?.[1];
    if (le) buckets.push({ le, count: Number(match[2]) });
  }
  return buckets;
}

if (args.mode === 'jeco') {
  const config = loadConfig(args.env);
  const server = await startJeco(config);
  const sessions = new Sessions(server.store, { idleMs: config.sessionIdleMs, maxMs: config.sessionMaxMs });
  process.on('message', async (message: ToServer) => {
    if (message.type === 'seed') {
      const tokens: Record<string, string> = {};
      for (const user of message.plan.users) {
        await server.store.createUser({ id: user.id, username: user.username, displayName: user.username, email: null, passwordHash: 'x', createdAt: Date.now() });
        tokens[user.id] = (await sessions.create(user.id)).token;
      }
      for (const group of message.plan.groups) {
        const room = parseRoomId(group.roomId)!;
        await server.store.appendUpdate(roomHeadDoc(room.id), Buffer.from(group.head, 'base64'));
        await server.store.saveRoomMembers(
          { id: room.id, kind: 'group', createdBy: group.members[0]!, createdAt: Date.now() },
          group.members.map((userId, i) => ({ userId, role: i === 0 ? 'owner' : 'member' })),
        );
      }
      send({ type: 'seeded', tokens });
    } else if (message.type === 'stats') {
      const cpu = process.cpuUsage();
      // Read in this process, not over HTTP: a first fetch here would compile an HTTP client
      // (undici's parser is WebAssembly) in the measured window, on the server's CPU.
      const metrics = await server.metrics.metrics();
      const stats: FromServer = {
        type: 'stats',
        cpuMicros: cpu.user + cpu.system,
        mainCpuMicros: mainThreadCpuMicros(),
        storeCpuMicros: await storeCpuMicros(server.store),
        rss: process.memoryUsage().rss,
        ...server.store.writeStats,
        loopDelay: loopDelay(),
        ack: bucketsOf(metrics, 'jeco_update_ack_seconds'),
        append: bucketsOf(metrics, 'jeco_store_seconds', 'op="appendUpdate"'),
      };
      // Before answering: the benchmark stops the server right after the window's last one.
      await allocations?.atStats();
      send(stats);
    } else if (message.type === 'stop') {
      await server.close();
      process.exit(0);
    }
  });
  send({ type: 'ready', port: server.port });
} else {
  const seeded = new Map<string, Uint8Array>();
  const extensions: Extension[] = [];
  if (args.redisUrl) {
    const url = new URL(args.redisUrl);
    extensions.push(new RedisExtension({ host: url.hostname, port: Number(url.port) || 6379 }));
  }
  let store: Store | null = null;
  const journaled = { transactions: 0, bytes: 0 };
  if (args.journalEnv) {
    const config = loadConfig(args.journalEnv);
    const file = await open(path.join(config.dataDir, 'journal'), 'a');
    // Each entry: the doc name's and the update's lengths, then both; a batch is one write and one sync.
    const commits = new GroupCommit<{ name: Buffer; update: Uint8Array }>(async (items) => {
      const parts = items.flatMap(({ name, update }) => {
        const lengths = Buffer.alloc(8);
        lengths.writeUInt32LE(name.length, 0);
        lengths.writeUInt32LE(update.byteLength, 4);
        return [lengths, name, update];
      });
      const bytes = Buffer.concat(parts);
      await file.write(bytes);
      await file.datasync();
      journaled.transactions++;
      journaled.bytes += bytes.length;
      return items.map(() => 0);
    }, config.commitSpacingMs);
    extensions.push({
      extensionName: 'journal',
      // As Jeco's persistence: sync messages that carry updates (1: step 2, 2: an update), before Hocuspocus applies or acknowledges them.
      async beforeSync({ type, payload, documentName }) {
        if (type === 1 || type === 2) await commits.add({ name: Buffer.from(documentName), update: payload });
      },
    });
  }
  if (args.logEnv) {
    const config = loadConfig(args.logEnv);
    store = await openStore({ dataDir: config.dataDir, commitSpacingMs: config.commitSpacingMs });
    const log = (error: unknown, what: string) => console.error(what, error);
    // Run as Jeco runs its extensions (`inOneChain`), so that what differs from Jeco is only what it leaves out.
    extensions.push(...inOneChain([{ extension: persistenceExtension({ store, compactAfterUpdates: config.compactAfterUpdates, positions: new LogPositions(), marked: () => {}, log }) }]));
  }
  const hocuspocus = new Hocuspocus({
    quiet: true,
    extensions,
    // Only so that the bare server carries the same group heads as Jeco: applied once per load (a logging one reads them from its log).
    async onLoadDocument({ documentName, document }) {
      const head = store ? undefined : seeded.get(documentName);
      if (head) Y.applyUpdate(document, head);
    },
    // A device's typing signal goes to the doc's other connections, encoded once, as Jeco
    // relays it, so that both servers send the same frames; naively: every signal, no
    // throttle, no privacy, and it names nobody (the bare server knows no one).
    async onStateless({ document, connection, payload }) {
      const on = parseTypingSignal(payload);
      if (on === null) return;
      document.relayStateless(encodeTyping({ user: 'u.bare' as UserId, name: 'Someone', on }), (other) => other !== connection);
    },
  });
  // The same socket handling as Jeco's server.ts (ws, handleConnection, the keep-alive), so the two differ only in Jeco's hooks.
  const sockets = new WebSocketServer({ noServer: true });
  const keepAlive = new KeepAlive(loadConfig({}).syncPingAfterMs);
  const http = createServer();
  http.on('upgrade', (request, socket, head) => {
    sockets.handleUpgrade(request, socket, head, (ws) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers.set(name, value);
      const kept = keepAlive.watch({ ping: (frame) => ws.send(frame) });
      const socketLike = {
        get readyState() {
          return ws.readyState;
        },
        send(data: Uint8Array) {
          kept.sent();
          ws.send(data);
        },
        close: (code?: number, reason?: string) => ws.close(code, reason),
      };
      const connection = hocuspocus.handleConnection(socketLike, syncRequest(new URL(request.url ?? '/', 'http://localhost'), headers));
      ws.on('message', (data: Buffer) => {
        const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        if (isPong(bytes)) connection.lastMessageReceivedAt = Date.now();
        else connection.handleMessage(bytes);
      });
      ws.on('close', (code, reason) => {
        kept.forget();
        connection.handleClose({ code, reason: reason.toString() });
      });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  process.on('message', async (message: ToServer) => {
    if (message.type === 'seed') {
      for (const group of message.plan.groups) {
        const name = roomHeadDoc(parseRoomId(group.roomId)!.id);
        const head = Buffer.from(group.head, 'base64');
        if (store) await store.appendUpdate(name, head);
        else seeded.set(name, head);
      }
      send({ type: 'seeded', tokens: Object.fromEntries(message.plan.users.map((u) => [u.id, 'bare'])) });
    } else if (message.type === 'stats') {
      const cpu = process.cpuUsage();
      const stats: FromServer = {
        type: 'stats',
        cpuMicros: cpu.user + cpu.system,
        mainCpuMicros: mainThreadCpuMicros(),
        storeCpuMicros: await storeCpuMicros(store),
        rss: process.memoryUsage().rss,
        ...(store ? store.writeStats : journaled),
        loopDelay: loopDelay(),
        ack: [],
        append: [],
      };
      await allocations?.atStats();
      send(stats);
    } else if (message.type === 'stop') {
      hocuspocus.closeConnections();
      http.close();
      process.exit(0);
    }
  });
  send({ type: 'ready', port: (http.address() as AddressInfo).port });
}
