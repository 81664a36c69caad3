import type { Hocuspocus } from '@hocuspocus/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store, StoreThread } from './store/db/store';
import { threadCpuSeconds } from './threadCpu';
import type { DependencyHealth } from './dependencyHealth';
import type { SyncContext } from './sync/context';
import type { ChainedExtension } from './sync/extensionChain';

/** y-protocols sync message types that carry an update (1: sync step 2, 2: update). */
const UPDATE_TYPES = new Set([1, 2]);
/** Latency buckets in seconds: a commit on a local disk is a millisecond; an overloaded database, seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What the metrics read from the running node, asked at scrape time (parts exist only once the server is up). */
export interface MetricSources {
  instance(): Hocuspocus | undefined;
  health(): DependencyHealth | undefined;
  redis(): { reconnects: number; publishFailures: number } | undefined;
  /** node-postgres pool counters, when the store is Postgres. */
  pool(): { totalCount: number; idleCount: number; waitingCount: number } | undefined;
  /** The chat-index projection's backlog. */
  projections(): { rooms: number; lagMs: number } | undefined;
  /** Durable transactions and bytes the store has written. */
  writes(): { transactions: number; bytes: number } | undefined;
  /** Web Push counters and the send queue's length. */
  push?(): { sent: number; failed: number; expired: number; queued: number } | undefined;
  /** The store's own threads (`Store.threads`). */
  storeThreads?(): Promise<StoreThread[]> | undefined;
}

/**
 * What an operator watches (Prometheus text at `/metrics`; `docs/grafana-dashboard.json`
 * charts it): process metrics; appends, acks and their latency; store calls and
 * failures (compactions among them); refusals by reason; documents, connections,
 * users online; dependency state and outages; Redis reconnects and dropped publishes;
 * the Postgres pool.
 */
export class JecoMetrics {
  readonly registry = new Registry();
  private readonly refusals: Counter<'reason'>;
  private readonly storeSeconds: Histogram<'op'>;
  private readonly storeErrors: Counter<'op'>;
  private readonly acks: Counter;
  private readonly ackSeconds: Histogram;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.refusals = new Counter({
      name: 'jeco_sync_refusals_total',
      help: 'Doc connections refused or closed, by reason (unauthorized, rejected_update, unavailable, …).',
      labelNames: ['reason'],
      registers,
    });
    this.storeSeconds = new Histogram({
      name: 'jeco_store_seconds',
      help: 'Store calls by operation (appendUpdate = a client update made durable; compact; writeDoc = a server write), in seconds.',
      labelNames: ['op'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.storeErrors = new Counter({ name: 'jeco_store_errors_total', help: 'Store calls that failed, by operation.', labelNames: ['op'], registers });
    this.acks = new Counter({ name: 'jeco_updates_acked_total', help: 'Client updates accepted, made durable and acknowledged.', registers });
    this.ackSeconds = new Histogram({
      name: 'jeco_update_ack_seconds',
      help: 'From a client update arriving to its acknowledgement (guard, durable append, apply), in seconds.',
      buckets: LATENCY_BUCKETS,
      registers,
    });

    new Gauge({
      name: 'jeco_documents_loaded',
      help: 'Documents held in memory by this process.',
      registers,
      collect() {
        this.set(sources.instance()?.getDocumentsCount() ?? 0);
      },
    });
    new Gauge({
      name: 'jeco_connections',
      help: 'Live document connections on this process.',
      registers,
      collect() {
        this.set(sources.instance()?.getConnectionsCount() ?? 0);
      },
    });
    new Gauge({
      name: 'jeco_users_online',
      help: 'Distinct users with at least one live connection to this process.',
      registers,
      collect() {
        const users = new Set<string>();
        for (const document of sources.instance()?.documents.values() ?? []) {
          for (const connection of document.getConnections()) {
            const id = (connection.context as SyncContext | undefined)?.user?.id;
            if (id) users.add(id);
          }
        }
        this.set(users.size);
      },
    });
    new Gauge({
      name: 'jeco_dependency_up',
      help: 'Whether a dependency (postgres, sqlite, redis) is reachable now (1) or not (0).',
      labelNames: ['dependency'],
      registers,
      collect() {
        for (const { dependency, up } of sources.health()?.states() ?? []) this.set({ dependency }, up ? 1 : 0);
      },
    });
    new Gauge({
      name: 'jeco_dependency_outages_total',
      help: 'Outages of each dependency since the process started.',
      labelNames: ['dependency'],
      registers,
      collect() {
        for (const [dependency, n] of sources.health()?.outages ?? []) this.set({ dependency }, n);
      },
    });
    new Gauge({
      name: 'jeco_ready',
      help: 'Whether /readyz answers ready (dependencies up, not shutting down).',
      registers,
      collect() {
        this.set(sources.health()?.ready() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'jeco_redis_reconnects_total',
      help: 'Times the relay got its Redis connection back after losing it.',
      registers,
      collect() {
        this.set(sources.redis()?.reconnects ?? 0);
      },
    });
    new Gauge({
      name: 'jeco_redis_publish_failures_total',
      help: 'Relay publishes that failed or were dropped while Redis was unreachable.',
      registers,
      collect() {
        this.set(sources.redis()?.publishFailures ?? 0);
      },
    });
    new Gauge({
      name: 'jeco_pg_pool_clients',
      help: 'Postgres pool clients by state: in_use, idle, waiting (requests queued for a client).',
      labelNames: ['state'],
      registers,
      collect() {
        const pool = sources.pool();
        if (!pool) return;
        this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
    new Gauge({
      name: 'jeco_projection_backlog_rooms',
      help: 'Rooms whose chat-index projection is waiting or running.',
      registers,
      collect() {
        this.set(sources.projections()?.rooms ?? 0);
      },
    });
    new Gauge({
      name: 'jeco_projection_lag_seconds',
      help: 'How long the oldest change waiting for its chat-index projection has waited, in seconds.',
      registers,
      collect() {
        this.set((sources.projections()?.lagMs ?? 0) / 1000);
      },
    });
    new Gauge({
      name: 'jeco_store_transactions_total',
      help: 'Durable transactions the store has committed (group commits count once).',
      registers,
      collect() {
        this.set(sources.writes()?.transactions ?? 0);
      },
    });
    new Gauge({
      name: 'jeco_store_thread_cpu_seconds_total',
      help: "CPU time used by each of the store's own threads (SQLite's writer and upkeep, Postgres' snapshot merges), in seconds: a writer near one second a second is the node's limit.",
      labelNames: ['thread'],
      registers,
      async collect() {
        // A store closing, or a thread that cannot answer, leaves the series out of this scrape rather than failing it.
        const threads = await sources.storeThreads?.()?.catch(() => []);
        for (const { name, tid } of threads ?? []) {
          const seconds = threadCpuSeconds(tid);
          if (seconds !== null) this.set({ thread: name }, seconds);
        }
      },
    });
    new Gauge({
      name: 'jeco_store_bytes_written_total',
      help: 'Bytes of document updates the store has written.',
      registers,
      collect() {
        this.set(sources.writes()?.bytes ?? 0);
      },
    });
    new Gauge({
      name: 'jeco_push_total',
      help: 'Web Push deliveries by outcome since the process started: sent (the push service took it), failed (gave up after retries, or refused), expired (404/410: the subscription was deleted).',
      labelNames: ['outcome'],
      registers,
      collect() {
        const push = sources.push?.();
        for (const outcome of ['sent', 'failed', 'expired'] as const) this.set({ outcome }, push?.[outcome] ?? 0);
      },
    });
    new Gauge({
      name: 'jeco_push_queue_length',
      help: "Web Push deliveries waiting, being retried or in flight (in this process's memory).",
      registers,
      collect() {
        this.set(sources.push?.()?.queued ?? 0);
      },
    });
  }

  /** A doc connection was refused or closed with `reason` (`kind` or `kind:detail`). */
  refused(reason: string): void {
    this.refusals.inc({ reason: reason.split(':')[0] });
  }

  /**
   * The store, with every call timed and its failures counted. Wrapping the contract
   * (rather than each store) times whatever persistence and projections do, however
   * they batch.
   */
  instrument(store: Store): Store {
    // One timed wrapper per method, made on its first use: the store is called several
    // times per message, and a wrapper made on every property read cost a closure each.
    const timed = new Map<string, { method: unknown; wrapper: (...args: unknown[]) => unknown }>();
    const wrap = (target: Store, key: string, method: (...a: unknown[]) => unknown) => {
      const labels = { op: key };
      return (...args: unknown[]): unknown => {
        const started = performance.now();
        const result = method.apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (ok: unknown) => {
            this.storeSeconds.observe(labels, (performance.now() - started) / 1000);
            return ok;
          },
          (error: unknown) => {
            this.storeErrors.inc(labels);
            throw error;
          },
        );
      };
    };
    return new Proxy(store, {
      get: (target, key, receiver) => {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function' || typeof key !== 'string') return value;
        let known = timed.get(key);
        if (known?.method !== value) {
          known = { method: value, wrapper: wrap(target, key, value as (...a: unknown[]) => unknown) };
          timed.set(key, known);
        }
        return known.wrapper;
      },
    });
  }

  /** Counts and times acknowledged client updates. Lowest priority: its `beforeSync` runs only once every other extension accepted the update. */
  extension(): ChainedExtension {
    const arrived = new WeakMap<object, number>();
    const accepted = new WeakSet<object>();
    return {
      extensionName: 'metrics',
      priority: 1,
      beforeHandleMessage: ({ connection }) => {
        arrived.set(connection, performance.now());
        accepted.delete(connection);
      },
      beforeSync: ({ type, connection }) => {
        if (UPDATE_TYPES.has(type) && !connection.readOnly) accepted.add(connection);
      },
      afterHandleMessage: ({ connection }) => {
        const start = arrived.get(connection);
        if (start === undefined || !accepted.has(connection)) return;
        accepted.delete(connection);
        this.acks.inc();
        this.ackSeconds.observe((performance.now() - start) / 1000);
      },
    };
  }
}

/**
 * Refusals by the per-user sync budgets (`budget`: docs, messages, bytes, awareness).
 * Honest use stays far below every budget, so a rise here is either abuse or a default
 * that needs raising.
 */
export function budgetRefusals(registry: Registry): Counter<'budget'> {
  return new Counter({
    name: 'jeco_sync_budget_refusals_total',
    help: 'Doc opens and messages refused because a user was over a sync budget, by budget.',
    labelNames: ['budget'],
    registers: [registry],
  });
}
