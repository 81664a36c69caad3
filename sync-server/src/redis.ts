import { isTransactionOrigin, OutgoingMessage, type Hocuspocus, type afterUnloadDocumentPayload, type LocalTransactionOrigin, type onChangePayload } from '@hocuspocus/server';
import { Redis as RedisExtension } from '@hocuspocus/extension-redis';
import { Redis } from 'ioredis';
import * as Y from 'yjs';
import type { DependencyHealth } from './dependencyHealth';
import { CAUGHT_UP } from './store/logPositions';

/** The relay's key prefix (the extension's default), named here because the resync below publishes on its channels. */
const RELAY_PREFIX = 'hocuspocus';
/**
 * When a node announces its documents after a reconnect: at once, and again once the
 * other nodes have surely re-subscribed — an announcement made before a peer is back
 * on the channel goes unheard, and nothing else would ask again until the next change.
 */
const RESYNC_AFTER_MS = [0, 1000, 5000];
/**
 * How long after a doc's change its state vector goes to the peers (the extension's own
 * exchange, which sends each side what the other lacks): at most one per doc per this
 * long, as the safety net behind the relay of the updates themselves.
 */
const STATE_EXCHANGE_MS = 2000;
/** Reconnect delays: quick after a blip, at most this far apart during a long outage. */
const RECONNECT_MAX_MS = 2000;

/**
 * A Redis client for `JECO_REDIS_URL`, taken whole: `redis://user:password@host:port/db`,
 * or `rediss://` for TLS (ioredis reads all of it from the URL).
 *
 * Commands wait for the connection to come back instead of failing: ioredis' default
 * rejects a command after 20 reconnect attempts (`MaxRetriesPerRequestError`), and
 * the relay publishes its replies from an event handler where nothing catches that —
 * a Redis outage of ten seconds or so crashed the node. Waiting is safe here: the
 * relay only speeds up convergence (Postgres is the truth), so what it sends late is
 * still right, only late.
 */
export function createRedisClient(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, RECONNECT_MAX_MS) * (0.5 + Math.random() / 2),
  });
}

export interface RedisRelay {
  extension: RedisExtension;
  /** The relay's publisher (its publishes are dropped while Redis is unreachable). */
  pub: Redis;
  /** This node's own events between nodes (removals): a publisher that waits for Redis, and a subscriber. */
  events: { pub: Redis; sub: Redis };
  /** Closes the clients of `events` (the relay's close with the extension). */
  close(): void;
  /** Counters for `/metrics`. */
  stats: { reconnects: number; publishFailures: number };
}

/**
 * Design §6's relay between nodes (`@hocuspocus/extension-redis`) on clients made by
 * {@link createRedisClient}, watched by `health`. Pub/sub drops what is published
 * while a node is cut off, so after each reconnect the node announces the state
 * vector of every document it holds, as it does when it loads one: peers answer with
 * what it missed, and it answers theirs with what they missed. (Catching loaded
 * documents up from the durable log is the other half: `reconnected`.)
 */
export function createRedisRelay(
  url: string,
  health: DependencyHealth,
  instance: () => Hocuspocus | undefined,
  /** After a reconnect: bring loaded documents up to the durable log (what peers logged meanwhile). */
  reconnected: () => Promise<void> = async () => undefined,
): RedisRelay {
  const clients: Redis[] = [];
  const stats = { reconnects: 0, publishFailures: 0 };
  const extension = new RedisExtension({
    prefix: RELAY_PREFIX,
    createClient: () => {
      const client = createRedisClient(url);
      health.watchRedis(client);
      clients.push(client);
      return client;
    },
  });
  const pub = extension.pub as Redis;
  const sub = extension.sub as Redis;
  // While Redis is unreachable a publish is dropped (and counted), not queued: the
  // relay publishes a state vector per change, and after a 30 s outage the queued
  // hundreds each drew an O(document) answer from every peer, a storm that starved
  // the nodes for longer than the outage. The resync below replaces them all.
  const publish = pub.publish.bind(pub) as (channel: string | Buffer, message: string | Buffer) => Promise<number>;
  (pub as unknown as { publish: typeof publish }).publish = (channel, message) => {
    if (pub.status !== 'ready') {
      stats.publishFailures++;
      return Promise.resolve(0);
    }
    return publish(channel, message).catch((error: unknown) => {
      stats.publishFailures++;
      throw error;
    });
  };
  // The relay's framing (its `encodeMessage`, private): the sender's id, length first, so peers know whom to answer.
  const identifier = Buffer.from(extension.configuration.identifier, 'utf8');
  const sender = Buffer.concat([Buffer.from([identifier.length]), identifier]);
  /** Publishes `message` on a doc's relay channel, framed as the extension frames its own. */
  const publishOn = (documentName: string, message: Uint8Array) => pub.publish(`${RELAY_PREFIX}:${documentName}`, Buffer.concat([sender, message]));
  // Storing a doc is only compacting it here, and the store keeps that to one node at a
  // time itself (`Store.compactAside`). The extension's Redis lock per store cost two
  // round trips, and the node that lost it printed "Another instance is already storing
  // this document" each time: several lines a second from a busy pair of nodes.
  extension.onStoreDocument = async () => undefined;
  relayUpdates(extension, publishOn);
  // Resync once both clients are back after either lost its connection.
  let cutOff = false;
  let wasEverReady = false;
  const lost = () => {
    if (wasEverReady) cutOff = true;
  };
  const back = () => {
    if (pub.status !== 'ready' || sub.status !== 'ready') return;
    wasEverReady = true;
    if (!cutOff) return;
    cutOff = false;
    stats.reconnects++;
    void reconnected();
    for (const delay of RESYNC_AFTER_MS) setTimeout(resyncAll, delay).unref();
  };
  const resyncAll = () => {
    const hocuspocus = instance();
    if (!hocuspocus || pub.status !== 'ready') return;
    for (const document of hocuspocus.documents.values()) {
      const message = new OutgoingMessage(document.name).createSyncMessage().writeFirstSyncStepFor(document);
      // Counted by the wrapper above; a failure here only means the next reconnect tries again.
      publishOn(document.name, message.toUint8Array()).catch(() => undefined);
    }
  };
  for (const client of [pub, sub]) {
    client.on('close', lost);
    client.on('ready', back);
  }
  const events = { pub: createRedisClient(url), sub: createRedisClient(url) };
  health.watchRedis(events.pub);
  health.watchRedis(events.sub);
  return {
    extension,
    pub,
    stats,
    events,
    close() {
      events.pub.disconnect();
      events.sub.disconnect();
    },
  };
}

/** The origin {@link relayUpdates} gives the extension's state exchange it starts. */
const EXCHANGE = { source: 'local' } as const satisfies LocalTransactionOrigin;

/**
 * Each change goes to the peers as the update itself, one message per doc per turn.
 * The extension publishes a change's state vector instead, and a peer's answer asks
 * for what it lacks: four publishes and two state diffs across both nodes' event loops
 * before the peer holds the change. The state-vector exchange still runs, at most
 * once per doc every {@link STATE_EXCHANGE_MS}, so a peer that missed an update (its
 * subscription dropped by Redis, say) gets it then without waiting for a reconnect.
 * Updates from peers (origin `redis`) are not relayed back. What this node caught up
 * from the log is: the part new to this doc (a Yjs update event carries only that) can
 * be this node's own append, committed and read back before Hocuspocus applied it,
 * which then changes nothing and is never relayed otherwise.
 */
function relayUpdates(extension: RedisExtension, publish: (documentName: string, message: Uint8Array) => Promise<unknown>): void {
  const exchangeStates = extension.onChange.bind(extension);
  const unloaded = extension.afterUnloadDocument.bind(extension);
  const turn = new Map<string, Uint8Array[]>();
  const exchanges = new Map<string, NodeJS.Timeout>();
  const flush = () => {
    for (const [documentName, updates] of turn) {
      const update = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
      // Dropped while Redis is unreachable (the publisher's wrapper counts it): the exchange, or the resync after a reconnect, brings it.
      publish(documentName, new OutgoingMessage(documentName).createSyncMessage().writeUpdate(update).toUint8Array()).catch(() => undefined);
    }
    turn.clear();
  };
  extension.onChange = async (data: onChangePayload) => {
    const origin = data.transactionOrigin;
    if (isTransactionOrigin(origin) && origin.source === 'redis' && origin !== CAUGHT_UP) return;
    if (turn.size === 0) setImmediate(flush);
    const updates = turn.get(data.documentName);
    if (updates) updates.push(data.update);
    else turn.set(data.documentName, [data.update]);
    if (exchanges.has(data.documentName)) return;
    const timer = setTimeout(() => {
      exchanges.delete(data.documentName);
      // As a change of this node's own: the extension skips those from a peer, and a caught-up one looks like that.
      void exchangeStates({ ...data, transactionOrigin: EXCHANGE });
    }, STATE_EXCHANGE_MS);
    timer.unref();
    exchanges.set(data.documentName, timer);
  };
  extension.afterUnloadDocument = async (data: afterUnloadDocumentPayload) => {
    clearTimeout(exchanges.get(data.documentName));
    exchanges.delete(data.documentName);
    await unloaded(data);
  };
}
