/** Entries of one name kept in the performance timeline: a tab can stay open for days. */
const KEEP = 500;

/**
 * Records a User Timing measure from `start` to now (seen in DevTools' performance
 * panel, and read by the search benchmark); the oldest go once there are too many.
 */
export function measureSearch(name: string, start: number, detail: Record<string, unknown>): void {
  if (performance.getEntriesByName(name, 'measure').length >= KEEP) performance.clearMeasures(name);
  performance.measure(name, { start, detail });
}
