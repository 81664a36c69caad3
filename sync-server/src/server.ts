import { Hocuspocus } from '@hocuspocus/server';
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import type * as Y from 'yjs';
import type { Store } from './store/db/store';
import { Sessions } from './auth/sessions';
import { startSessionSweep } from './auth/sessionSweep';
import { publicUrlOf, type Config } from './config';
import { DependencyHealth } from './dependencyHealth';
import { createHttpApp } from './http/createHttpApp';
import { KeepAlive } from './http/keepAlive';
import { syncUpgradeListener } from './http/syncUpgrade';
import { createMailer } from './mail/mailer';
import { budgetRefusals, JecoMetrics } from './metrics';
import { createRedisRelay, type RedisRelay } from './redis';
import { openStore } from './store/openStore';
import { authExtension } from './sync/auth';
import { budgetsExtension } from './sync/budgets';
import { docGuidsExtension } from './sync/docGuids';
import { docUnloadsExtension } from './sync/docUnloads';
import { type ChainLink, inOneChain } from './sync/extensionChain';
import { guardExtension } from './sync/guard';
import { Blocks } from './people/blocks';
import { Privacy } from './people/privacy';
import { Membership } from './sync/membership';
import { catchUp, LogPositions } from './store/logPositions';
import { ServerWrites, sharesLog } from './store/serverWrites';
import { persistenceExtension } from './sync/persistence';
import { headPresenceExtension } from './sync/headPresence';
import { presenceExtension } from './sync/presence';
import { Projections } from './sync/projections';
import { removalsExtension } from './sync/removals';
import { hookFailures, isStoreUnavailable } from './sync/storeFailures';
import { UserBudgets } from './sync/userBudgets';
import { Receipts } from './sync/receipts';
import { purgeExtension } from './sync/purge';
import { FileLifecycle, startFileSweep } from './files/fileLifecycle';
import { diskBlobs } from './files/fileRoutes';
import { roomHeadDoc } from '#schema/docs/names';
import { readMeta } from '#schema/docs/roomHead';
import type { RoomRef, UserId } from '#schema/ids';
import { startDisappearingPass, type DisappearingPass } from './sync/disappearing';
import { PRODUCTION_PREVIEW_POLICY } from './linkPreview/fetchLinkPreview';
import { PushSender } from './push/pushSender';
import { vapidKeysOf } from './push/vapidKeys';

/** Largest WebSocket frame accepted: a bounded Yjs update plus framing. Bigger frames close the socket (1009). */
const MAX_FRAME_BYTES = 2 * 1024 * 1024;
/** How long shutdown waits for documents to finish their last store before closing the database. */
const SHUTDOWN_GRACE_MS = 5000;
/** How long sockets get to take the closing handshake at shutdown before they are cut. */
const SOCKET_CLOSE_GRACE_MS = 1000;
/** WebSocket close code 1012, "service restart": the client reconnects (through the balancer, to another node). */
const SERVICE_RESTART = 1012;

/**
 * The Postgres pool's counters for `/metrics`, read from the store without widening
 * the Store contract for one gauge; absent for SQLite (and if the store changes shape).
 */
function poolOf(store: Store | undefined): { totalCount: number; idleCount: number; waitingCount: number } | undefined {
  const pool = (store as { pool?: { totalCount?: unknown; idleCount?: unknown; waitingCount?: unknown } } | undefined)?.pool;
  if (!pool || typeof pool.totalCount !== 'number' || typeof pool.idleCount !== 'number' || typeof pool.waitingCount !== 'number') return undefined;
  return { totalCount: pool.totalCount, idleCount: pool.idleCount, waitingCount: pool.waitingCount };
}

/** Resolves or rejects with `work`, or resolves anyway after `ms`. */
function withDeadline(work: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** How often live connections' sessions are checked again: a quarter of the idle expiry, at most a minute. */
function sessionRecheckMs(config: Config): number {
  return Math.max(250, Math.min(60_000, config.sessionIdleMs / 4));
}

export interface JecoServer {
  /** The port actually listened on (useful with port 0). */
  port: number;
  url: string;
  store: Store;
  hocuspocus: Hocuspocus;
  projections: Projections;
  /** The disappearing-messages pass (`sync/disappearing.ts`). */
  disappearing: DisappearingPass;
  /** Whether Postgres/SQLite and Redis are reachable now; `/readyz` reads it. */
  health: DependencyHealth;
  /** The relay between nodes, when `JECO_REDIS_URL` is set. */
  redis: RedisRelay | undefined;
  /** What `/metrics` serves, for a caller in this process. */
  metrics: Registry;
  log: FastifyBaseLogger;
  /**
   * Graceful stop: refuses new connections, tells every client to reconnect
   * (WebSocket close 1012, "service restart"), lets projections and pending stores finish,
   * then closes Redis and the database.
   */
  close(): Promise<void>;
}

/**
 * Starts Jeco on one port: the JSON API, the web app, and the Hocuspocus sync
 * endpoint at `/sync` (the HTTP server's upgrade event hands it the socket).
 * `options.guard: false` runs without the update guard: only the guard benchmark uses
 * it, to measure the guard against the same server without it. `options.clock` is the
 * time the disappearing-messages pass reads (tests move it a day on instead of waiting
 * one); programmatic only, never from the environment, so no deployment can set it.
 * `options.previewAlsoAllowed`, likewise programmatic only: exact addresses link previews
 * may fetch from besides public ones (the tests' local site on 127.0.0.1).
 */
export async function startJeco(config: Config, options: { guard?: boolean; clock?: () => number; previewAlsoAllowed?: readonly string[] } = {}): Promise<JecoServer> {
  let redis: RedisRelay | undefined;
  const health = new DependencyHealth(() => app.log);
  let projectionsRef: Projections | undefined;
  let writesRef: ServerWrites | undefined;
  const metrics = new JecoMetrics({
    instance: () => hocuspocus,
    health: () => health,
    redis: () => redis?.stats,
    pool: () => poolOf(rawStore),
    projections: (): { rooms: number; lagMs: number } | undefined => projectionsRef?.backlog(),
    writes: (): { transactions: number; bytes: number } | undefined => rawStore?.writeStats,
    storeThreads: () => rawStore?.threads(),
    push: () => (pushRef ? { ...pushRef.stats, queued: pushRef.queueLength() } : undefined),
  });
  const rawStore = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, commitSpacingMs: config.commitSpacingMs });
  const store = metrics.instrument(rawStore);
  const vapidKeys = await vapidKeysOf(config.vapid, store);
  const pushPolicy = { allowPrivate: config.pushAllowPrivateEndpoints };
  let pushRef: PushSender | undefined;
  const sessions = new Sessions(store, { idleMs: config.sessionIdleMs, maxMs: config.sessionMaxMs });
  const blocks = new Blocks(store);
  const privacy = new Privacy(store, blocks);
  let hocuspocus: Hocuspocus | undefined;
  const instance = () => hocuspocus!;
  let port = config.port;

  const blobs = diskBlobs(config.dataDir);
  const fileLifecycle = new FileLifecycle(store, blobs);
  const deps = {
    config,
    store,
    health,
    sessions,
    blocks,
    privacy,
    metrics: metrics.registry,
    mailer: undefined as never,
    publicUrl: () => publicUrlOf(config, port),
    secureCookies: () => publicUrlOf(config, port).startsWith('https:'),
    push: { publicKey: vapidKeys.publicKey, policy: pushPolicy },
    files: { blobs, lifecycle: fileLifecycle },
    linkPreviews: options.previewAlsoAllowed ? { alsoAllowed: new Set(options.previewAlsoAllowed) } : PRODUCTION_PREVIEW_POLICY,
    // Projections start after the app (they need its logger); a request waits for nothing: both exist before listening.
    groups: {
      nameOf: (room: RoomRef) => writesRef!.read(roomHeadDoc(room.id), (head) => readMeta(head)?.name ?? ''),
      join: (room: RoomRef, userId: UserId, invitedBy: UserId) => projectionsRef!.joinByInvite(room, userId, invitedBy),
    },
  };
  const app = await createHttpApp({ ...deps, mailer: { send: (mail) => mailer.send(mail) } });
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir, log: app.log });
  // During a database outage every projection and "last seen" write fails; the outage
  // is one line from DependencyHealth, so these go to debug rather than one error each.
  const log = (error: unknown, what: string) => (isStoreUnavailable(error) ? app.log.debug({ err: error }, `${what} failed: storage unavailable`) : app.log.error({ err: error }, `${what} failed`));
  health.watchStore(store);
  const storeFailures = { log: app.log, storeFailed: () => void health.checkStore(store), refused: (reason: string) => metrics.refused(reason) };
  const positions = new LogPositions();
  // Design §5b: with a shared database other nodes append too, so a loaded doc can be
  // behind the log (a missed relay, a failover): caught up before the guard refuses on
  // its state and after Redis comes back. One process on SQLite writes the whole log itself.
  const catchUpDoc = sharesLog(store) ? (documentName: string, doc: Y.Doc) => catchUp((name, after) => store.loadUpdatesAfter(name, after), positions, documentName, doc) : undefined;
  const catchUpLoaded = async () => {
    if (!catchUpDoc || !hocuspocus) return;
    for (const document of [...hocuspocus.documents.values()]) {
      // An append of this node's not yet applied would be applied twice; the next write catches that doc up.
      if (!positions.settled(document.name)) continue;
      await catchUpDoc(document.name, document).catch((error) => log(error, `catching up ${document.name}`));
    }
  };
  redis = config.redisUrl ? createRedisRelay(config.redisUrl, health, () => hocuspocus, catchUpLoaded) : undefined;

  const writes = new ServerWrites({ store, positions, instance, holdMs: config.serverDocHoldMs });
  writesRef = writes;
  const membership = new Membership(store, instance, (name, look) => writes.read(name, look));
  const push = new PushSender({ store, keys: vapidKeys, subject: config.vapidSubject, intervalMs: config.pushIntervalMs, policy: pushPolicy, log });
  pushRef = push;
  const projections = new Projections({
    store,
    writes,
    membership,
    bucketSize: config.bucketSize,
    delayMs: config.projectionDelayMs,
    busyDelayMs: config.projectionBusyDelayMs,
    busyMsPerMember: config.projectionBusyMsPerMember,
    instance,
    log,
    push,
    ...(redis ? { events: redis.events } : {}),
  });
  projectionsRef = projections;
  const refusals = budgetRefusals(metrics.registry);
  const limits = {
    docsOpen: config.syncDocsOpen,
    messages: { perSecond: config.syncUpdatesPerSec, burst: config.syncBurst },
    bytes: { perSecond: config.syncBytesPerSec, burst: config.syncBytesBurst },
    awareness: { perSecond: config.awarenessPerSec, burst: config.awarenessBurst },
  };
  const budgets = new UserBudgets(limits, { refused: (budget) => refusals.inc({ budget }) });
  const receipts = new Receipts({
    store,
    instance,
    writeDerived: (changes) => writes.writeDerived(changes),
    flushMs: config.receiptsFlushMs,
    readReceiptsShown: (room) => privacy.readReceiptsShown(room),
    log,
  });
  const failed = hookFailures(storeFailures);
  const links: ChainLink[] = [
    authExtension({ sessions, membership, budgets, instance, recheckEveryMs: sessionRecheckMs(config) }),
    budgetsExtension({ budgets }),
    ...(options.guard === false ? [] : [guardExtension({ store, blocks, privacy, catchUp: catchUpDoc, attached: (ids) => fileLifecycle.referenced(ids) })]),
    privacy.extension(),
    persistenceExtension({ store, compactAfterUpdates: config.compactAfterUpdates, positions, marked: (mark) => projections.marked(mark), log, closing: () => closing !== undefined }),
    projections.extension(),
    receipts.extension(),
    purgeExtension({ store, instance, log, retireFiles: (ids) => fileLifecycle.retire(ids) }),
    presenceExtension({ store, log }),
    headPresenceExtension({ privacy, blocks, ...(redis ? { events: redis.events } : {}), heartbeatMs: config.presenceHeartbeatMs, log }),
    docUnloadsExtension(),
  ].map((extension) => ({ extension, failed }));
  links.push({ extension: metrics.extension() });
  if (redis) {
    links.push({ extension: removalsExtension({ pub: redis.events.pub, subscriber: redis.events.sub, instance: () => hocuspocus, log }) }, { extension: redis.extension });
  }
  // Last: Hocuspocus creates a doc with the last `onCreateDocument` answer.
  links.push({ extension: docGuidsExtension() });
  const extensions = inOneChain(links);
  hocuspocus = new Hocuspocus({ name: 'jeco', extensions, quiet: true, timeout: config.syncIdleTimeoutMs });
  // Chat-index projections a crash interrupted (their rooms stay marked in the store).
  await projections.recover();

  const sessionSweep = startSessionSweep({ store, everyMs: config.sessionSweepMs, log: app.log });
  const fileSweep = startFileSweep({ lifecycle: fileLifecycle, everyMs: config.fileSweepMs, graceMs: config.fileGraceMs, log });
  const disappearing = startDisappearingPass({ store, writes, projections, membership, everyMs: config.disappearingSweepMs, log, ...(options.clock ? { now: options.clock } : {}) });

  let closing: Promise<void> | undefined;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const keepAlive = new KeepAlive(config.syncPingAfterMs);
  app.server.on('upgrade', syncUpgradeListener({ hocuspocus: instance, sockets, keepAlive, log: app.log, closing: () => closing !== undefined }));

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : config.port;
  app.log.info(`Jeco listening on ${publicUrlOf(config, port)} (data in ${config.dataDir}, ${store.dialect})`);

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    store,
    hocuspocus,
    projections,
    disappearing,
    health,
    redis,
    metrics: metrics.registry,
    log: app.log,
    close() {
      closing ??= (async () => {
        const instance = hocuspocus!;
        // New upgrades are refused from here on (`closing`); the balancer's health check sees /readyz fail.
        health.draining = true;
        sessionSweep.stop();
        fileSweep.stop();
        disappearing.stop();
        const socketsClosed = Promise.all(
          [...sockets.clients].map(
            (ws) =>
              new Promise<void>((resolve) => {
                if (ws.readyState === ws.CLOSED) return resolve();
                // Resolved by the timer too: a socket that closed meanwhile emits no second 'close'.
                const cut = setTimeout(() => {
                  ws.terminate();
                  resolve();
                }, SOCKET_CLOSE_GRACE_MS);
                ws.once('close', () => {
                  clearTimeout(cut);
                  resolve();
                });
                // A socket-level close: every provider on it re-authenticates on the next
                // socket by itself. (Closing each doc first would make clients re-attach docs
                // while their socket is down, which can replay a stale CLOSE; see openDocs.ts.)
                ws.close(SERVICE_RESTART, 'service restart');
              }),
          ),
        );
        await socketsClosed;
        keepAlive.stop();
        await disappearing.idle();
        await projections.idle();
        push.close();
        await receipts.close();
        await writes.letGoAll();
        // Client updates are durable already; what is left is compaction and the
        // server's own writes, which finish as the documents unload.
        instance.flushPendingStores();
        const deadline = Date.now() + SHUTDOWN_GRACE_MS;
        while (instance.getDocumentsCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        health.stop();
        // Bounded: with Redis unreachable, closing its clients politely would wait for it.
        await withDeadline(instance.hooks('onDestroy', { instance }), SHUTDOWN_GRACE_MS).catch((error) => app.log.warn({ err: error }, 'closing extensions failed'));
        redis?.pub.disconnect();
        redis?.close();
        // Bounded as well: a pool client stuck on a dead connection would hold `end()` forever.
        await withDeadline(app.close(), SHUTDOWN_GRACE_MS);
        await withDeadline(store.close(), SHUTDOWN_GRACE_MS);
      })();
      return closing;
    },
  };
}
