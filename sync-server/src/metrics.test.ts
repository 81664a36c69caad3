import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JecoMetrics } from './metrics';

describe('the Grafana dashboard', () => {
  it('charts only metrics the server exports', async () => {
    const dashboard = readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8');
    const charted = new Set([...dashboard.matchAll(/\b(jeco_[a-z_]+|process_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, '')));
    const metrics = new JecoMetrics({ instance: () => undefined, health: () => undefined, redis: () => undefined, pool: () => undefined, projections: () => undefined, writes: () => undefined });
    const exported = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
    expect([...charted].filter((name) => !exported.has(name))).toEqual([]);
    expect(charted.size).toBeGreaterThan(10);
  });
});
