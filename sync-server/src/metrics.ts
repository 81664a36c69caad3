import type { Hocuspocus } from '@hocuspocus/server';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** Process metrics plus what a self-hoster watches: open docs and live connections. */
export function createMetrics(instance: () => Hocuspocus | undefined): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'jeco_documents_loaded',
    help: 'Documents held in memory by this process.',
    registers: [registry],
    collect() {
      this.set(instance()?.getDocumentsCount() ?? 0);
    },
  });
  new Gauge({
    name: 'jeco_connections',
    help: 'Live document connections on this process.',
    registers: [registry],
    collect() {
      this.set(instance()?.getConnectionsCount() ?? 0);
    },
  });
  return registry;
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
