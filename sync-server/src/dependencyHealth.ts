import type { FastifyBaseLogger } from 'fastify';
import type { Store } from './store/db/store';
import { safeError } from './logging';

/** What a node depends on: its store (Postgres or SQLite) and, scaled out, Redis. */
export type Dependency = 'postgres' | 'sqlite' | 'redis';

/** How often the store is pinged, to notice an outage and its end without waiting for traffic. */
const STORE_PING_EVERY_MS = 1000;
/** A ping not answered by then counts as a failure: a black-holed connection never errors by itself. */
const STORE_PING_TIMEOUT_MS = 2000;

/** Anything that can be asked whether it is connected and told of its state changes (an ioredis client). */
export interface RedisLike {
  status: string;
  on(event: 'ready' | 'close' | 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Whether each dependency of this node is reachable now, for `/readyz` and metrics,
 * with one log line when one goes away ("postgres unavailable") and one when it comes
 * back ("postgres recovered after 10.2 s") — not one per failed query or reconnect
 * attempt, which during an outage would be thousands.
 */
export class DependencyHealth {
  private readonly downSince = new Map<Dependency, number>();
  private readonly watched = new Set<Dependency>();
  /** Outages seen per dependency since start (a counter for `/metrics`). */
  readonly outages = new Map<Dependency, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly redisClients: RedisLike[] = [];
  private readonly everUp = new Set<Dependency>();
  private stopped = false;
  /** Set when the node starts shutting down: it is not ready for new clients, whatever its dependencies. */
  draining = false;

  /** `log` is asked for on each line: the server's logger exists only once its app does. */
  constructor(private readonly logger: () => Pick<FastifyBaseLogger, 'warn'>) {}

  private get log(): Pick<FastifyBaseLogger, 'warn'> {
    return this.logger();
  }

  /** Whether every watched dependency is up and the node is not shutting down: what `/readyz` answers. */
  ready(): boolean {
    return !this.draining && this.downSince.size === 0;
  }

  isUp(dependency: Dependency): boolean {
    return !this.downSince.has(dependency);
  }

  /** The dependencies being watched and whether each is up. */
  states(): Array<{ dependency: Dependency; up: boolean }> {
    return [...this.watched].map((dependency) => ({ dependency, up: this.isUp(dependency) }));
  }

  down(dependency: Dependency, error?: unknown): void {
    if (this.stopped || this.downSince.has(dependency)) return;
    this.downSince.set(dependency, Date.now());
    // Still connecting for the first time: not an outage, and not worth a line.
    if (!this.everUp.has(dependency)) return;
    this.outages.set(dependency, (this.outages.get(dependency) ?? 0) + 1);
    this.log.warn({ dependency, ...(error === undefined ? {} : { err: safeError(error) }) }, `${dependency} unavailable`);
  }

  up(dependency: Dependency): void {
    const first = !this.everUp.has(dependency);
    this.everUp.add(dependency);
    const since = this.downSince.get(dependency);
    if (since === undefined) return;
    this.downSince.delete(dependency);
    if (this.stopped || first) return;
    this.log.warn({ dependency, outageMs: Date.now() - since }, `${dependency} recovered after ${((Date.now() - since) / 1000).toFixed(1)} s`);
  }

  /** Pings `store` now: true if it answered in time. Marks it up or down either way. */
  async checkStore(store: Store): Promise<boolean> {
    const dependency = store.dialect === 'postgres' ? 'postgres' : 'sqlite';
    this.watched.add(dependency);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${STORE_PING_TIMEOUT_MS} ms`)), STORE_PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([store.ping(), timeout]);
      this.up(dependency);
      return true;
    } catch (error) {
      this.down(dependency, error);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Pings the store on a timer, so an outage is noticed (and its end) without traffic. */
  watchStore(store: Store): void {
    let inFlight = false;
    const timer = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      void this.checkStore(store).finally(() => (inFlight = false));
    }, STORE_PING_EVERY_MS);
    timer.unref();
    this.timers.push(timer);
    void this.checkStore(store);
  }

  /**
   * Follows a Redis client's connection events (the relay uses two: publisher and
   * subscriber); Redis is up while every client watched is ready.
   */
  watchRedis(client: RedisLike): void {
    this.watched.add('redis');
    this.redisClients.push(client);
    const recheck = (error?: Error) => {
      if (this.redisClients.every((c) => c.status === 'ready')) this.up('redis');
      else this.down('redis', error);
    };
    recheck();
    client.on('ready', () => recheck());
    client.on('close', () => recheck());
    client.on('end', () => recheck());
    // ioredis reports every failed reconnect attempt here; without a listener it prints each one.
    client.on('error', (error) => recheck(error));
  }

  /** At shutdown: closing connections on purpose is not an outage. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
  }
}
