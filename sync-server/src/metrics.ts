import type { Hocuspocus } from '@hocuspocus/server';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

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
