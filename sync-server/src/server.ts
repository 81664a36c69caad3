import { Hocuspocus, type Extension } from '@hocuspocus/server';
import { Redis as RedisExtension } from '@hocuspocus/extension-redis';
import { WebSocketServer } from 'ws';
import type { Store } from '../../schema/db/store';
import { Sessions } from './auth/sessions';
import { publicUrlOf, type Config } from './config';
import { createHttpApp } from './http/createHttpApp';
import { syncUpgradeListener } from './http/syncUpgrade';
import { createMailer } from './mail/mailer';
import { budgetRefusals, createMetrics } from './metrics';
import { openStore } from './store/openStore';
import { authExtension } from './sync/auth';
import { budgetsExtension } from './sync/budgets';
import { guardExtension } from './sync/guard';
import { blockedPresenceExtension } from './sync/blockedPresence';
import { Blocks } from './people/blocks';
import { Membership } from './sync/membership';
import { persistenceExtension } from './sync/persistence';
import { presenceExtension } from './sync/presence';
import { Projections } from './sync/projections';
import { UserBudgets } from './sync/userBudgets';
import { Receipts } from './sync/receipts';

/** Largest WebSocket frame accepted: a bounded Yjs update plus framing. Bigger frames close the socket (1009). */
const MAX_FRAME_BYTES = 2 * 1024 * 1024;
/** How long shutdown waits for documents to finish their last store before closing the database. */
const SHUTDOWN_GRACE_MS = 5000;

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
  close(): Promise<void>;
}

/**
 * Starts Jeco on one port: the JSON API, the web app, and the Hocuspocus sync
 * endpoint at `/sync` (the HTTP server's upgrade event hands it the socket).
 * `options.guard: false` runs without the update guard: only the guard benchmark uses
 * it, to measure the guard against the same server without it.
 */
export async function startJeco(config: Config, options: { guard?: boolean } = {}): Promise<JecoServer> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const sessions = new Sessions(store, { idleMs: config.sessionIdleMs, maxMs: config.sessionMaxMs });
  const blocks = new Blocks(store);
  let hocuspocus: Hocuspocus | undefined;
  const instance = () => hocuspocus!;
  let port = config.port;

  const metrics = createMetrics(() => hocuspocus);
  const deps = {
    config,
    store,
    sessions,
    blocks,
    metrics,
    mailer: undefined as never,
    publicUrl: () => publicUrlOf(config, port),
    secureCookies: () => publicUrlOf(config, port).startsWith('https:'),
  };
  const app = await createHttpApp({ ...deps, mailer: { send: (mail) => mailer.send(mail) } });
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir, log: app.log });
  const log = (error: unknown, what: string) => app.log.error({ err: error }, `${what} failed`);

  const membership = new Membership(store, instance);
  const projections = new Projections({ store, membership, bucketSize: config.bucketSize, instance, log });
  const refusals = budgetRefusals(metrics);
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
    writeDoc: (name, change) => projections.write(name, change),
    flushMs: config.receiptsFlushMs,
    log,
  });
  const extensions: Extension[] = [
    authExtension({ sessions, membership, budgets, instance, recheckEveryMs: sessionRecheckMs(config) }),
    budgetsExtension({ budgets, store, awarenessStateMaxBytes: config.awarenessStateMaxBytes }),
    ...(options.guard === false ? [] : [guardExtension({ store, blocks })]),
    blockedPresenceExtension({ blocks }),
    persistenceExtension({ store, compactAfterUpdates: config.compactAfterUpdates }),
    projections.extension(),
    receipts.extension(),
    presenceExtension({ store, log }),
  ];
  if (config.redisUrl) {
    const redisUrl = new URL(config.redisUrl);
    extensions.push(new RedisExtension({ host: redisUrl.hostname, port: Number(redisUrl.port) || 6379 }));
  }
  hocuspocus = new Hocuspocus({ name: 'jeco', extensions, quiet: true });

  let closing: Promise<void> | undefined;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  app.server.on('upgrade', syncUpgradeListener({ hocuspocus: instance, sockets, log: app.log, closing: () => closing !== undefined }));

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
    close() {
      closing ??= (async () => {
        const instance = hocuspocus!;
        instance.closeConnections();
        for (const ws of sockets.clients) ws.terminate();
        await projections.idle();
        await receipts.close();
        // Client updates are durable already; what is left is compaction and the
        // server's own writes, which finish as the documents unload.
        instance.flushPendingStores();
        const deadline = Date.now() + SHUTDOWN_GRACE_MS;
        while (instance.getDocumentsCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        await instance.hooks('onDestroy', { instance });
        await app.close();
        await store.close();
      })();
      return closing;
    },
  };
}
