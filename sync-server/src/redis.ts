import { OutgoingMessage, type Hocuspocus } from '@hocuspocus/server';
import { Redis as RedisExtension } from '@hocuspocus/extension-redis';
import { Redis } from 'ioredis';
import type { DependencyHealth } from './dependencyHealth';

/** The relay's key prefix (the extension's default), named here because the resync below publishes on its channels. */
const RELAY_PREFIX = 'hocuspocus';
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
  /** The publisher: for this node's own events beside the relay's. */
  pub: Redis;
  /** Counters for `/metrics`. */
  stats: { reconnects: number; publishFailures: number };
}

/**
 * Design §6's relay between nodes (`@hocuspocus/extension-redis`) on clients made by
 * {@link createRedisClient}, watched by `health`. Pub/sub drops what is published
 * while a node is cut off, so after each reconnect the node announces the state
 * vector of every document it holds, as it does when it loads one: peers answer with
 * what it missed, and it answers theirs with what they missed. (Catching loaded
 * documents up from the durable log is the other half, done by persistence.)
 */
export function createRedisRelay(url: string, health: DependencyHealth, instance: () => Hocuspocus | undefined): RedisRelay {
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
  // Counted on the way through: the relay publishes from places that only log a failure.
  const publish = pub.publish.bind(pub) as (channel: string | Buffer, message: string | Buffer) => Promise<number>;
  (pub as unknown as { publish: typeof publish }).publish = (channel, message) =>
    publish(channel, message).catch((error: unknown) => {
      stats.publishFailures++;
      throw error;
    });
  // The relay's framing (its `encodeMessage`, private): the sender's id, length first, so peers know whom to answer.
  const identifier = Buffer.from(extension.configuration.identifier, 'utf8');
  const sender = Buffer.concat([Buffer.from([identifier.length]), identifier]);
  let wasReady = false;
  sub.on('ready', () => {
    if (!wasReady) {
      wasReady = true;
      return;
    }
    stats.reconnects++;
    const hocuspocus = instance();
    if (!hocuspocus) return;
    for (const document of hocuspocus.documents.values()) {
      const message = new OutgoingMessage(document.name).createSyncMessage().writeFirstSyncStepFor(document);
      // Counted by the wrapper above; a failure here only means the next reconnect tries again.
      pub.publish(`${RELAY_PREFIX}:${document.name}`, Buffer.concat([sender, message.toUint8Array()])).catch(() => undefined);
    }
  });
  return { extension, pub, stats };
}
