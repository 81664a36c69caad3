// Long on purpose: one benchmark (plan, seed, connect, drive, report) whose steps share its types and tally.
/**
 * The sync server under load, beside a bare Hocuspocus carrying the same docs and
 * traffic in the same run:
 *
 *   npm run bench:load -- --groups 10 --size 10 --rates 100,300,1000 --seconds 10
 *   npm run bench:load -- --traffic app --rates 100,300          # with receipts and typing
 *   npm run bench:load -- --groups 1 --size 1000 --online 200 --rates 10
 *   npm run bench:load -- --topology pg+redis --rates 500         # two nodes, people split
 *   npm run bench:load -- ... --write        # also replace this scenario's section of docs/benchmarks.md
 *   npm run bench:load -- ... --repeat 3     # bare and Jeco alternated three times per rate: the medians, each pair's ratio
 *   npm run bench:load -- ... --servers bare,journal,logged,jeco
 *                                             # also a bare Hocuspocus that logs every update as Jeco does
 *                                             # (SQLite only): what durability alone costs; and one that
 *                                             # only appends every update to a file and syncs it before
 *                                             # acknowledging: the floor of that cost
 *   npm run bench:load -- ... --cpu-prof     # CPU profiles of each server into ./profiles/<server>-<rate>
 *                                             # (`--servers jeco` for Jeco alone)
 *   npm run bench:load -- ... --alloc-prof   # what each server's main thread allocates over the measured seconds,
 *                                             # into ./profiles/<server>-<rate>/main.heapprofile (Chrome DevTools,
 *                                             # Memory), the heaviest sites printed (`allocationProfile.ts`)
 *   npm run bench:load -- ... --alloc-prof --survivors
 *                                             # the same, of only what outlives a scavenge (what V8's helper
 *                                             # threads copy)
 *   npm run bench:load -- ... --node-flags="--perf-basic-prof-only-functions"
 *                                             # extra Node flags for both servers (here: for `perf record -p <pid>`,
 *                                             # the pid printed as the servers come up)
 *   npm run bench:load -- --help             # the options and their defaults
 *
 * People are real `@hocuspocus/provider` clients, one socket per device (every
 * `--devices-every`-th person has two devices), all in this process; each server is a
 * child process (`loadServer.ts`), so its `process.cpuUsage` and RSS are its own.
 * Each person is in one group of `--size` members; `--online` of each group are
 * connected. A device does what the app does: holds its inbox, its group's room head
 * and the open chat's head bucket; has no awareness (presence is derived by the server);
 * says it types before sending and stopped after, as stateless signals on the head
 * (`--traffic app`); and reports receipts as the app does (`writeReceipts`). The bare
 * server relays the typing signals to the head's other connections, as Jeco does (with
 * no throttle and no privacy), and drops the receipt reports: it keeps no receipts.
 * Messages go out round-robin over the groups (a different online member each time) at
 * the given rate; a copy is delivered when another device holding the bucket sees it.
 *
 * Each server first runs `--warmup-seconds` (3) at the rate, reported apart as "cold"
 * (a server just started runs unoptimised code, and the backlog of its first seconds
 * takes a while to clear near capacity); the figures are of the `--seconds` after it.
 * `--warmup-rate` runs the warm-up at another rate: a server's compiler is still busy
 * some 20 s in (`--node-flags="--trace-opt"`), but a long warm-up at the full rate grows
 * the one bucket each group's devices hold until the devices fall behind.
 *
 * Per server and rate: delivery latency p50/p99/max (ms), copies not delivered within
 * the drain time, server CPU µs per delivered copy (and Jeco ÷ bare), RSS, durable
 * transactions and bytes written per message (the store's own counters), and updates
 * received by devices per message; and where the latency goes: each process's event
 * loop delay, Jeco's acknowledgement and durable-append times (its `/metrics` histograms).
 */
import { mkdtemp, mkdir, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { encodeTypingSignal } from '#schema/api/presence';
import { appendMessage, indexOfMessage, onMessagesAdded } from '#schema/docs/bucket';
import { markChatRead, readChatEntry } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import type { Position } from '#schema/docs/receipts';
import { reportReceipt, type ReceiptChannel } from '../../client/src/chat/receiptReporter';
import { initGroup } from '#schema/docs/roomHead';
import { newGroupId, newMessageId, newUserId, type RoomId, type UserId } from '#schema/ids';
import { writeBenchmarkSection } from './benchmarksDoc';
import { startNode, stopNode, type Node } from './benchNodes';
import { SQLITE_FILE_NAME } from '../../sync-server/src/store/openStore';
import type { Buckets, SeedPlan, ServerArgs } from './loadServer';
import { withPgClient } from '../pgClient';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '../..');
const PG_URL = process.env.JECO_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.JECO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The `JECO_*` settings of this process's environment (not the test URLs or where the node listens and keeps its data). */
function jecoSettingsFromEnvironment(): Record<string, string> {
  const fixed = new Set(['JECO_PORT', 'JECO_HOST', 'JECO_DATA_DIR', 'JECO_DATABASE_URL', 'JECO_REDIS_URL']);
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('JECO_') && !e[0].startsWith('JECO_TEST_') && !fixed.has(e[0]) && e[1] !== undefined));
}

/** After the last send, how long copies may still arrive before the rest count as not delivered. */
const DRAIN_MS = 5_000;

const OPTIONS = {
  groups: { type: 'string', default: '10' },
  size: { type: 'string', default: '10' },
  online: { type: 'string' },
  rates: { type: 'string', default: '50,100,300,1000' },
  seconds: { type: 'string', default: '10' },
  'warmup-seconds': { type: 'string', default: '3' },
  'warmup-rate': { type: 'string' },
  repeat: { type: 'string', default: '1' },
  topology: { type: 'string', default: 'sqlite' },
  traffic: { type: 'string', default: 'messages' },
  'devices-every': { type: 'string', default: '0' },
  servers: { type: 'string', default: 'bare,jeco' },
  write: { type: 'boolean', default: false },
  'cpu-prof': { type: 'boolean', default: false },
  'alloc-prof': { type: 'boolean', default: false },
  survivors: { type: 'boolean', default: false },
  'node-flags': { type: 'string', default: '' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;
const { values: opts } = parseArgs({ options: OPTIONS });
if (opts.help) {
  console.log('npm run bench:load -- [options]   (the header of scripts/bench/load.ts says what each one does)');
  for (const [name, option] of Object.entries(OPTIONS)) {
    const value = option.type === 'string' ? ' <value>' : '';
    console.log(`  --${name}${value}${option.type === 'string' && 'default' in option ? `  (default ${option.default})` : ''}`);
  }
  process.exit(0);
}
/** Extra flags for both servers' Node (`--node-flags="--trace-gc"`), split at spaces. */
const NODE_FLAGS = opts['node-flags'].split(' ').filter(Boolean);
const GROUPS = Number(opts.groups);
const SIZE = Number(opts.size);
const ONLINE = Math.min(SIZE, Number(opts.online ?? SIZE));
const RATES = opts.rates!.split(',').map(Number);
const SECONDS = Number(opts.seconds);
const WARMUP_SECONDS = Number(opts['warmup-seconds']);
/** The warm-up's rate in msgs/s (`--warmup-rate`); unset, the measured rate. */
const WARMUP_RATE = opts['warmup-rate'] ? Number(opts['warmup-rate']) : null;
const REPEAT = Number(opts.repeat);
const TOPOLOGY = opts.topology as 'sqlite' | 'pg' | 'pg+redis';
const APP_TRAFFIC = opts.traffic === 'app';
const DEVICES_EVERY = Number(opts['devices-every']);
const SERVER_KINDS = ['bare', 'journal', 'logged', 'jeco'] as const;
type ServerKind = (typeof SERVER_KINDS)[number];
const SERVERS = opts.servers!.split(',') as ServerKind[];
if (!SERVERS.every((s) => SERVER_KINDS.includes(s))) throw new Error(`--servers takes ${SERVER_KINDS.join(', ')}, not ${opts.servers}`);
if (SERVERS.includes('logged') && opts.topology !== 'sqlite') throw new Error('--servers logged runs on SQLite only (--topology sqlite)');
if (!['sqlite', 'pg', 'pg+redis'].includes(TOPOLOGY)) throw new Error(`--topology sqlite | pg | pg+redis, not ${TOPOLOGY}`);
if (!Number.isInteger(REPEAT) || REPEAT < 1) throw new Error(`--repeat takes a whole number of rounds, not ${opts.repeat}`);
if (opts.survivors && !opts['alloc-prof']) throw new Error('--survivors narrows --alloc-prof: give both');

interface Person {
  id: UserId;
  group: number;
  devices: number;
}

/** Everyone, and each group's head: the same plan for both servers. */
function plan(): { people: Person[]; groups: { roomId: RoomId; members: UserId[] }[]; seed: SeedPlan } {
  const people: Person[] = [];
  const groups: { roomId: RoomId; members: UserId[] }[] = [];
  const seed: SeedPlan = { users: [], groups: [] };
  for (let g = 0; g < GROUPS; g++) {
    const members: UserId[] = [];
    for (let m = 0; m < SIZE; m++) {
      const id = newUserId();
      const n = people.length;
      people.push({ id, group: g, devices: DEVICES_EVERY > 0 && n % DEVICES_EVERY === 0 ? 2 : 1 });
      members.push(id);
      seed.users.push({ id, username: `load${n}x${randomBytes(3).toString('hex')}` });
    }
    const roomId = newGroupId();
    const head = new Y.Doc();
    initGroup(head, { name: `Group ${g}`, owner: members[0]!, members: members.slice(1), now: Date.now() });
    groups.push({ roomId, members });
    seed.groups.push({ roomId, members, head: Buffer.from(Y.encodeStateAsUpdate(head)).toString('base64') });
  }
  return { people, groups, seed };
}

/** `ws` emits 'error' for a socket closed while connecting; the provider learns of failures from 'close'. */
class QuietWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('error', () => {});
  }
}

interface Device {
  person: Person;
  socket: HocuspocusProviderWebsocket;
  providers: HocuspocusProvider[];
  inbox: Y.Doc;
  head: HocuspocusProvider;
  receipts: ReceiptChannel;
  bucket: Y.Doc;
  roomId: RoomId;
}

/**
 * Receipts as the app writes them: the open chat reports `read` up to each newest
 * message and moves the inbox's read mark to the index's count (`useReceipts`); a
 * watched head reports `delivered` up to the chat index's last message
 * (`useWatchedHeads`). Reports go through the app's own reporter (coalesced, on the
 * head's connection).
 */
function writeReceipts(device: Device, event: { newest?: Position; entryChanged?: boolean }): void {
  if (event.newest) reportReceipt(device.receipts, 'read', event.newest);
  if (event.entryChanged) {
    const entry = readChatEntry(device.inbox, device.roomId);
    if (!entry) return;
    if (entry.lastMessage?.position && entry.lastMessage.authorId !== device.person.id) reportReceipt(device.receipts, 'delivered', entry.lastMessage.position);
    markChatRead(device.inbox, device.roomId, entry.count);
  }
}

/** The app's receipt channel over a bare provider: sends only while synced, and hears of every sync. */
function receiptChannel(head: HocuspocusProvider): ReceiptChannel {
  return {
    onSynced: (listener) => {
      const heard = ({ state }: { state: boolean }) => state && listener();
      head.on('synced', heard);
      return () => head.off('synced', heard);
    },
    sendStateless: (payload) => {
      if (!head.isSynced) return false;
      head.sendStateless(payload);
      return true;
    },
  };
}

interface Tally {
  sentAt: Map<string, number>;
  latencies: number[];
  /** The slowest copy of the messages sent in each second of the window (ms), from `began`. */
  slowestBySecond: number[];
  began: number;
  received: number;
  expected: number;
  updates: number;
  /** Refusal and close reasons seen by devices, with counts: a run with any is suspect. */
  refusals: Map<string, number>;
}

function connect(node: Node, person: Person, token: string, roomId: RoomId, tally: Tally): { device: Device; synced: Promise<void> } {
  const socket = new HocuspocusProviderWebsocket({ url: node.wsUrl, WebSocketPolyfill: QuietWebSocket as never });
  const providers: HocuspocusProvider[] = [];
  const synced: Promise<void>[] = [];
  const open = (name: string) => {
    const document = new Y.Doc();
    // As the app: no awareness (presence is the server's, typing a stateless signal), so nothing is renewed every 15 s.
    const provider = new HocuspocusProvider({ name, document, token, websocketProvider: socket, awareness: null });
    document.on('update', (_u: Uint8Array, origin: unknown) => {
      if (origin === provider) tally.updates++;
    });
    synced.push(new Promise((resolve) => provider.on('synced', () => resolve())));
    provider.on('close', ({ event }: { event: { reason?: string } }) => event.reason && tally.refusals.set(event.reason, (tally.refusals.get(event.reason) ?? 0) + 1));
    provider.on('authenticationFailed', ({ reason }: { reason: string }) => tally.refusals.set(reason, (tally.refusals.get(reason) ?? 0) + 1));
    provider.attach();
    providers.push(provider);
    return provider;
  };
  const inbox = open(inboxDoc(person.id));
  const head = open(roomHeadDoc(roomId));
  const bucket = open(bucketDoc(roomId, 0));
  const device: Device = { person, socket, providers, inbox: inbox.document, head, receipts: receiptChannel(head), bucket: bucket.document, roomId };
  onMessagesAdded(device.bucket, (added, origin) => {
    if (origin !== bucket) return;
    const now = performance.now();
    for (const message of added) {
      const sent = tally.sentAt.get(message.id);
      if (sent === undefined) continue;
      tally.latencies.push(now - sent);
      const second = Math.floor((sent - tally.began) / 1000);
      tally.slowestBySecond[second] = Math.max(tally.slowestBySecond[second] ?? 0, now - sent);
      tally.received++;
    }
    if (APP_TRAFFIC) {
      const last = added.at(-1)!;
      writeReceipts(device, { newest: { bucket: 0, index: Math.max(0, indexOfMessage(device.bucket, last.id)) } });
    }
  });
  if (APP_TRAFFIC) {
    inbox.document.getMap('chats').observe((event) => {
      if (event.transaction.origin === inbox && event.keysChanged.has(roomId)) writeReceipts(device, { entryChanged: true });
    });
  }
  return { device, synced: Promise.all(synced).then(() => undefined) };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface Result {
  server: ServerKind;
  rate: number;
  /** Which of the `--repeat` rounds (from 1); a row of medians says how many it took them from. */
  round: number;
  sent: number;
  achievedRate: number;
  p50: number;
  p99: number;
  max: number;
  /** The warm-up's p99 and max: the first `--warmup-seconds` at the rate, on a server just started. */
  cold: { p99: number; max: number };
  missing: number;
  expected: number;
  cpuPerCopy: number;
  /** The servers' main threads' part of {@link cpuPerCopy} (null where `/proc` cannot tell); the rest is the store's threads and V8's (garbage collection, compilation). */
  mainCpuPerCopy: number | null;
  /** The store's own threads' part (SQLite's writer and upkeep; null without a store, or where `/proc` cannot tell). */
  storeCpuPerCopy: number | null;
  rssMiB: number;
  /** The SQLite WAL files' size when the round ends, summed over nodes (null without SQLite): what the checkpoints let it grow to. */
  walMiB: number | null;
  txPerMessage: number;
  bytesPerMessage: number;
  updatesPerMessage: number;
  /** This process's CPU (the simulated devices) as a share of one core while sending and draining: near 100 %, latency is partly the devices'. */
  devicesCpu: number;
  /** Where a copy's latency goes: each process's event loop delay (ms), and Jeco's own acknowledgement and durable-append times (upper bounds of its histogram buckets). */
  where: {
    serverLoop: { p99: number; max: number };
    devicesLoop: { p99: number; max: number };
    ack: { p50: string; p99: string };
    append: { p50: string; p99: string };
    /** The slowest copy of each second's messages: a tail from one event (a stall) shows as one bad second. */
    slowestBySecond: number[];
  };
}

/**
 * A quantile of what a Prometheus histogram counted between two readings, summed over
 * nodes: the upper bound of the bucket it falls in ("≤ 5 ms"), "–" when nothing was counted.
 */
function bucketQuantile(before: Buckets[], after: Buckets[], q: number): string {
  const counts = new Map<string, number>();
  for (const buckets of after) for (const { le, count } of buckets) counts.set(le, (counts.get(le) ?? 0) + count);
  for (const buckets of before) for (const { le, count } of buckets) counts.set(le, counts.get(le)! - count);
  const total = counts.get('+Inf') ?? 0;
  if (total === 0) return '–';
  for (const [le, count] of counts) {
    if (count >= q * total) return le === '+Inf' ? `> ${[...counts.keys()].at(-2)} s` : `≤ ${Number(le) * 1000} ms`;
  }
  return '–';
}

/** The p50 and p99 of what a histogram counted between two readings (see {@link bucketQuantile}). */
function quantiles(before: Buckets[], after: Buckets[]): { p50: string; p99: string } {
  return { p50: bucketQuantile(before, after, 0.5), p99: bucketQuantile(before, after, 0.99) };
}

/** Which profiles to take of each server (`--cpu-prof`, `--alloc-prof`), into `dir`. */
interface Profiling {
  cpu: boolean;
  allocations: boolean;
  /** With `allocations`: only what outlives a scavenge (`--survivors`). */
  survivors: boolean;
  dir: string;
}

async function runOne(kind: ServerKind, rate: number, round: number, profiling: Profiling): Promise<Result> {
  const { people, groups, seed } = plan();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-load-'));
  const dbName = `jeco_load_${randomBytes(5).toString('hex')}`;
  const dbUrl = (() => {
    const url = new URL(PG_URL);
    url.pathname = `/${dbName}`;
    return url.toString();
  })();
  const usesPg = kind === 'jeco' && TOPOLOGY !== 'sqlite';
  if (usesPg) await withPgClient(PG_URL, (c) => c.query(`create database ${dbName}`));
  const nodeCount = TOPOLOGY === 'pg+redis' ? 2 : 1;
  const nodes: Node[] = [];
  try {
    for (let i = 0; i < nodeCount; i++) {
      const redisUrl = TOPOLOGY === 'pg+redis' ? REDIS_URL : undefined;
      const jecoEnv = {
        JECO_PORT: '0',
        JECO_HOST: '127.0.0.1',
        JECO_DATA_DIR: path.join(dataDir, `node${i}`),
        JECO_LOG_LEVEL: 'warn',
        // One bucket for the whole run: the benchmark measures the message path, not rollover.
        JECO_BUCKET_SIZE: '1000000',
        JECO_SYNC_UPDATES_PER_SEC: '1000000',
        JECO_SYNC_BURST: '1000000',
        // A setting to try (`JECO_PROJECTION_DELAY_MS=250 npm run bench:load ...`) reaches Jeco's server (and the logging bare one).
        ...jecoSettingsFromEnvironment(),
        ...(usesPg ? { JECO_DATABASE_URL: dbUrl } : {}),
        ...(redisUrl ? { JECO_REDIS_URL: redisUrl } : {}),
      };
      const args: ServerArgs =
        kind === 'jeco'
          ? { mode: 'jeco', env: jecoEnv }
          : { mode: 'bare', ...(redisUrl ? { redisUrl } : {}), ...(kind === 'logged' ? { logEnv: jecoEnv } : {}), ...(kind === 'journal' ? { journalEnv: jecoEnv } : {}) };
      if (kind !== 'bare') await mkdir(path.join(dataDir, `node${i}`), { recursive: true });
      if (profiling.allocations) {
        args.allocationProfile = path.join(profiling.dir, nodeCount > 1 ? `node${i}.heapprofile` : 'main.heapprofile');
        args.allocationSurvivors = profiling.survivors;
      }
      const nodeFlags = profiling.allocations && profiling.survivors ? [...NODE_FLAGS, '--expose-gc'] : NODE_FLAGS;
      nodes.push(await startNode(args, { ...(profiling.cpu ? { profileDir: profiling.dir } : {}), nodeFlags }));
    }
    console.error(`${kind} ${rate} msgs/s: ${nodes.length} server(s) up (pid ${nodes.map((n) => n.child.pid).join(', ')})`);
    const { tokens } = await nodes[0]!.ask({ type: 'seed', plan: seed }, 'seeded');
    for (const node of nodes.slice(1)) await node.ask({ type: 'seed', plan: kind === 'jeco' ? { users: [], groups: [] } : seed }, 'seeded');

    const tally: Tally = { sentAt: new Map(), latencies: [], slowestBySecond: [], began: performance.now(), received: 0, expected: 0, updates: 0, refusals: new Map() };
    const devices: Device[] = [];
    const syncing: Promise<void>[] = [];
    for (const person of people) {
      const indexInGroup = groups[person.group]!.members.indexOf(person.id);
      if (indexInGroup >= ONLINE) continue;
      for (let d = 0; d < person.devices; d++) {
        // People split across the nodes (a person's devices on the same one).
        const node = nodes[people.indexOf(person) % nodes.length]!;
        const { device, synced } = connect(node, person, kind === 'jeco' ? tokens[person.id]! : 'bare', groups[person.group]!.roomId, tally);
        devices.push(device);
        syncing.push(synced);
      }
    }
    await Promise.all(syncing);
    console.error(`${kind} ${rate} msgs/s: ${devices.length} devices synced`);
    await new Promise((r) => setTimeout(r, 500));
    const byGroup = groups.map((g) => devices.filter((d) => d.roomId === g.roomId));

    // Warm-up, not measured: each device writes once (its Yjs client id gets claimed, the
    // guard indexes the bucket), as every device of a long-running chat has.
    for (const device of devices) appendMessage(device.bucket, { id: newMessageId(), authorId: device.person.id, createdAt: Date.now(), text: 'hello' });
    await new Promise((r) => setTimeout(r, 3000));

    /** Sends `seconds` worth of messages at the rate, round-robin over the groups; resolves when the last is sent. */
    let sent = 0;
    const sendFor = (seconds: number, at = rate) =>
      new Promise<void>((resolve) => {
        const began = performance.now();
        const first = sent;
        const total = first + Math.round(at * seconds);
        const tick = () => {
          const due = Math.min(total, first + Math.floor(((performance.now() - began) / 1000) * at));
          while (sent < due) {
            const group = sent % GROUPS;
            const holders = byGroup[group]!;
            const sender = holders[Math.floor(sent / GROUPS) % holders.length]!;
            const id = newMessageId();
            if (APP_TRAFFIC) sender.head.sendStateless(encodeTypingSignal(true));
            tally.sentAt.set(id, performance.now());
            tally.expected += holders.length - 1;
            appendMessage(sender.bucket, { id, authorId: sender.person.id, createdAt: Date.now(), text: `message ${sent}` });
            // As the app's `useTyping` stop, on send.
            if (APP_TRAFFIC) sender.head.sendStateless(encodeTypingSignal(false));
            sent++;
          }
          if (sent >= total) resolve();
          else setTimeout(tick, 1);
        };
        tick();
      });
    const drain = async () => {
      const until = performance.now() + DRAIN_MS;
      while (tally.received < tally.expected && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    };

    // Warm-up at the rate, measured apart ("cold"): a server just started runs its code
    // unoptimised and has nothing batched yet, and at a rate near its capacity the backlog
    // of those first seconds takes seconds more to clear. The window below is the rate sustained.
    let cold = { p99: NaN, max: NaN };
    if (WARMUP_SECONDS > 0) {
      tally.began = performance.now();
      await sendFor(WARMUP_SECONDS, WARMUP_RATE ?? rate);
      await drain();
      const sortedCold = [...tally.latencies].sort((a, b) => a - b);
      cold = { p99: percentile(sortedCold, 99), max: sortedCold.at(-1) ?? NaN };
      await new Promise((r) => setTimeout(r, 1000));
      Object.assign(tally, { latencies: [], slowestBySecond: [], received: 0, expected: 0 });
      tally.sentAt.clear();
      sent = 0;
    }
    const before = await Promise.all(nodes.map((n) => n.ask({ type: 'stats' }, 'stats')));
    tally.updates = 0;
    const began = performance.now();
    tally.began = began;
    const devicesCpuBefore = process.cpuUsage();
    const devicesLoop = monitorEventLoopDelay({ resolution: 5 });
    devicesLoop.enable();
    await sendFor(SECONDS);
    const sendMs = performance.now() - began;
    await drain();
    const devicesCpuUsed = process.cpuUsage(devicesCpuBefore);
    const devicesCpu = (devicesCpuUsed.user + devicesCpuUsed.system) / 10 / (performance.now() - began);
    devicesLoop.disable();
    // Let projections and receipts triggered by the last messages finish before reading the counters.
    await new Promise((r) => setTimeout(r, 1000));
    const after = await Promise.all(nodes.map((n) => n.ask({ type: 'stats' }, 'stats')));
    const sum = (list: typeof after, key: 'cpuMicros' | 'transactions' | 'bytes' | 'rss') => list.reduce((s, x) => s + x[key], 0);
    /** A thread group's CPU time over the window, summed over nodes; null where a node could not tell. */
    const grown = (key: 'mainCpuMicros' | 'storeCpuMicros') =>
      [...before, ...after].every((x) => x[key] !== null) ? after.reduce((s, x) => s + x[key]!, 0) - before.reduce((s, x) => s + x[key]!, 0) : null;
    const perCopy = (micros: number | null) => (micros === null ? null : micros / Math.max(1, tally.received));
    const walBytes = await Promise.all(
      nodes.map((_, i) =>
        stat(path.join(dataDir, `node${i}`, `${SQLITE_FILE_NAME}-wal`)).then(
          (s) => s.size,
          () => null,
        ),
      ),
    );
    const sorted = [...tally.latencies].sort((a, b) => a - b);
    if (tally.refusals.size > 0) console.error(`${kind} ${rate} msgs/s: devices saw ${JSON.stringify(Object.fromEntries(tally.refusals))}`);
    for (const device of devices) {
      for (const provider of device.providers) provider.destroy();
      device.socket.destroy();
    }
    return {
      server: kind,
      rate,
      round,
      sent,
      achievedRate: sent / (sendMs / 1000),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? NaN,
      cold,
      missing: tally.expected - tally.received,
      expected: tally.expected,
      cpuPerCopy: (sum(after, 'cpuMicros') - sum(before, 'cpuMicros')) / Math.max(1, tally.received),
      mainCpuPerCopy: perCopy(grown('mainCpuMicros')),
      storeCpuPerCopy: perCopy(grown('storeCpuMicros')),
      rssMiB: sum(after, 'rss') / 2 ** 20,
      walMiB: walBytes.every((b) => b === null) ? null : walBytes.reduce<number>((total, b) => total + (b ?? 0), 0) / 2 ** 20,
      txPerMessage: (sum(after, 'transactions') - sum(before, 'transactions')) / sent,
      bytesPerMessage: (sum(after, 'bytes') - sum(before, 'bytes')) / sent,
      updatesPerMessage: tally.updates / sent,
      devicesCpu,
      where: {
        serverLoop: { p99: Math.max(...after.map((a) => a.loopDelay.p99)), max: Math.max(...after.map((a) => a.loopDelay.max)) },
        devicesLoop: { p99: devicesLoop.percentile(99) / 1e6, max: devicesLoop.max / 1e6 },
        ack: quantiles(
          before.map((b) => b.ack),
          after.map((a) => a.ack),
        ),
        append: quantiles(
          before.map((b) => b.append),
          after.map((a) => a.append),
        ),
        slowestBySecond: Array.from(tally.slowestBySecond, (ms) => Math.round(ms ?? 0)),
      },
    };
  } finally {
    for (const node of nodes) await stopNode(node);
    await rm(dataDir, { recursive: true, force: true });
    if (usesPg) await withPgClient(PG_URL, (c) => c.query(`drop database if exists ${dbName} with (force)`));
  }
}

/** The middle value (of an even count, the mean of the two middle ones); NaN for none. */
function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One server's rounds at one rate as one row: each figure's median; copies not delivered (and expected) over all rounds together. */
function medianRun(runs: readonly Result[]): Result {
  const m = (pick: (r: Result) => number) => median(runs.map(pick));
  /** The median of a figure some rounds could not tell: null if any could not. */
  const mOrNull = (pick: (r: Result) => number | null) => {
    const values = runs.map(pick);
    return values.every((x) => x !== null) ? median(values as number[]) : null;
  };
  return {
    ...runs[0]!,
    sent: m((r) => r.sent),
    achievedRate: m((r) => r.achievedRate),
    p50: m((r) => r.p50),
    p99: m((r) => r.p99),
    max: m((r) => r.max),
    cold: { p99: m((r) => r.cold.p99), max: m((r) => r.cold.max) },
    missing: runs.reduce((sum, r) => sum + r.missing, 0),
    expected: runs.reduce((sum, r) => sum + r.expected, 0),
    cpuPerCopy: m((r) => r.cpuPerCopy),
    mainCpuPerCopy: mOrNull((r) => r.mainCpuPerCopy),
    storeCpuPerCopy: mOrNull((r) => r.storeCpuPerCopy),
    rssMiB: m((r) => r.rssMiB),
    txPerMessage: m((r) => r.txPerMessage),
    bytesPerMessage: m((r) => r.bytesPerMessage),
    updatesPerMessage: m((r) => r.updatesPerMessage),
    devicesCpu: m((r) => r.devicesCpu),
  };
}

function scenarioName(): string {
  const traffic = APP_TRAFFIC ? 'messages, receipts and typing' : 'messages only';
  const online = ONLINE < SIZE ? `, ${ONLINE} online per group` : '';
  const devices = DEVICES_EVERY > 0 ? `, every ${DEVICES_EVERY}th person on two devices` : '';
  return `${GROUPS} × ${SIZE}${online}${devices}, ${traffic}, ${TOPOLOGY}`;
}

async function main(): Promise<void> {
  const begun = Date.now();
  const loadBefore = os.loadavg()[0]!;
  const results: Result[] = [];
  for (const rate of RATES) {
    // Bare and Jeco in turn, round after round: a slow spell of the machine falls on both.
    for (let round = 1; round <= REPEAT; round++) {
      for (const kind of SERVERS) {
        // Profiled alike, so a function's share in Jeco's profile can be set beside bare's.
        const profiles = path.join(ROOT, 'profiles', `${kind}-${rate}${REPEAT > 1 ? `-${round}` : ''}`);
        if (opts['cpu-prof'] || opts['alloc-prof']) await mkdir(profiles, { recursive: true });
        const result = await runOne(kind, rate, round, { cpu: opts['cpu-prof'], allocations: opts['alloc-prof'], survivors: opts.survivors, dir: profiles });
        results.push(result);
        console.log(JSON.stringify(result));
      }
    }
  }
  const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
  const runsOf = (server: Result['server'], rate: number) => results.filter((r) => r.server === server && r.rate === rate);
  /** A server's CPU per copy ÷ bare's, round by round (each pair ran back to back); Jeco's unless said. */
  const ratios = (rate: number, server: Result['server'] = 'jeco') =>
    runsOf(server, rate).flatMap((run) => {
      const bare = results.find((b) => b.server === 'bare' && b.rate === rate && b.round === run.round);
      return bare ? [run.cpuPerCopy / bare.cpuPerCopy] : [];
    });
  const rows = RATES.flatMap((rate) =>
    SERVERS.map((server) => {
      const r = medianRun(runsOf(server, rate));
      const pairs = ratios(rate, server);
      const ratio = server !== 'bare' && pairs.length > 0 ? ` (${f(median(pairs), 1)}×)` : '';
      return `| ${r.server} | ${r.rate} | ${f(r.achievedRate)} | ${f(r.p50, 1)} | ${f(r.p99, 1)} | ${f(r.max)} | ${f(r.cold.p99, 1)} / ${f(r.cold.max)} | ${r.missing} of ${r.expected} | ${f(r.cpuPerCopy)}${ratio} | ${f(r.rssMiB)} | ${f(r.txPerMessage, 2)} | ${f(r.bytesPerMessage)} | ${f(r.updatesPerMessage, 1)} | ${f(r.devicesCpu)} % |`;
    }),
  );
  const rounds =
    REPEAT === 1
      ? []
      : RATES.map((rate) => {
          const list = (server: Result['server'], pick: (r: Result) => number, digits: number) =>
            runsOf(server, rate)
              .map((r) => f(pick(r), digits))
              .join(', ');
          const ratioList = (server: Result['server']) =>
            ratios(rate, server)
              .map((x) => `${f(x, 2)}×`)
              .join(', ');
          const name = (server: Result['server']) => (server === 'jeco' ? 'Jeco' : server);
          const figures = (server: Result['server']) => `p99 ${list(server, (r) => r.p99, 1)} ms, CPU ${list(server, (r) => r.cpuPerCopy, 0)} µs`;
          return `- at ${rate} msgs/s: ${SERVERS.map((server) => (server === 'bare' ? `bare ${figures(server)}` : `${name(server)} ÷ bare ${ratioList(server)}, ${figures(server)}`)).join('; ')}`;
        });
  const where = results.map(
    ({ server, rate, round, cpuPerCopy, mainCpuPerCopy, storeCpuPerCopy, walMiB, where: w }) =>
      `- ${server} at ${rate} msgs/s${REPEAT > 1 ? ` (round ${round})` : ''}: event loop delay p99 / max, server ${f(w.serverLoop.p99, 1)} / ${f(w.serverLoop.max)} ms, devices ${f(w.devicesLoop.p99, 1)} / ${f(w.devicesLoop.max)} ms` +
      (mainCpuPerCopy === null
        ? ''
        : storeCpuPerCopy === null
          ? `; CPU per copy ${f(cpuPerCopy)} µs, of which the main thread ${f(mainCpuPerCopy)} µs and other threads ${f(cpuPerCopy - mainCpuPerCopy)} µs`
          : `; CPU per copy ${f(cpuPerCopy)} µs, of which the main thread ${f(mainCpuPerCopy)} µs, the store's threads ${f(storeCpuPerCopy)} µs and V8's threads ${f(cpuPerCopy - mainCpuPerCopy - storeCpuPerCopy)} µs`) +
      (server === 'jeco' ? `; a client update's acknowledgement p50 ${w.ack.p50}, p99 ${w.ack.p99}, its durable append p50 ${w.append.p50}, p99 ${w.append.p99}` : '') +
      (walMiB === null ? '' : `; the WAL file ${f(walMiB, 1)} MiB at the end`) +
      `; slowest copy of each second's messages ${w.slowestBySecond.join(', ')} ms`,
  );
  const cpu = os.cpus();
  const section = [
    `## Load: ${scenarioName()}`,
    '',
    `\`npm run bench:load -- ${process.argv
      .slice(2)
      .filter((a) => a !== '--write')
      .join(
        ' ',
      )}\` (\`--write\` updates this section), ${new Date().toISOString().slice(0, 10)}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, ${SECONDS} s per rate${REPEAT > 1 ? ` and round, ${REPEAT} rounds,` : ''} after ${WARMUP_SECONDS} s of warm-up at ${WARMUP_RATE === null ? 'it' : `${WARMUP_RATE} msgs/s`}, run took ${((Date.now() - begun) / 1000).toFixed(0)} s; load average (1 min) ${loadBefore.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end, on ${cpu.length} cores shared with other work: figures move with it, ratios less.`,
    `Bare = Hocuspocus without persistence or checks, same docs and traffic, same run; it relays typing signals as Jeco does.${SERVERS.includes('logged') ? " Logged = the same with Jeco's persistence extension and nothing else of Jeco's (every update durably appended before it is applied, Jeco's group commit, writer thread and compactions): what durability alone costs." : ''}${SERVERS.includes('journal') ? ' Journal = bare that writes every update to an append-only file and syncs it (`fdatasync`) before applying and acknowledging it, the updates that arrive together sharing one write and one sync with the spacing Jeco commits by, and nothing else (never read back, no tables, no compaction): the floor of what durability costs.' : ''} Latency from send to another device seeing the message (ms), over the measured seconds; cold = the same over the warm-up, on a server just started (code not yet optimised, the backlog of its first seconds); CPU = server µs per delivered copy (Jeco ÷ bare); transactions, bytes written and updates received by devices per message; devices CPU = the process of the simulated devices, its share of one core while sending and draining (near 100 %, latency is partly theirs).`,
    '',
    '| server | msgs/s asked | msgs/s sent | p50 | p99 | max | cold p99 / max | not delivered | CPU µs/copy | RSS MiB | durable tx/msg | bytes/msg | updates/msg | devices CPU |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    ...(rounds.length > 0
      ? ['', `Each row is the median of ${REPEAT} rounds, the servers in turn (copies not delivered: all rounds together; ÷ bare: the median of the rounds' ratios). Round by round:`, '', ...rounds]
      : []),
    '',
    "Where the latency goes (the server's event loop delay over the window, the devices' while sending and draining; the server's CPU split into its main thread, the store's own threads where it has a store (SQLite's writer and upkeep, by the ids `Store.threads` gives) and the rest (V8's threads: its optimising compiler and garbage collection; and libuv's, where the journal writes), read from `/proc`; Jeco's acknowledgement and append times as the bounds of its `/metrics` histogram buckets, every client update counted, receipts and typing are not updates; the slowest copy of the messages sent in each second, where one stall shows as one bad second):",
    '',
    ...where,
  ].join('\n');
  console.log(section);
  if (opts.write) await writeBenchmarkSection(section);
}

await main();
process.exit(0);
