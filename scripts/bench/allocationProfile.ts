/**
 * An allocation profile of a benchmark server's main thread over the measured window
 * (`npm run bench:load -- ... --alloc-prof`): V8's sampling heap profiler, keeping the
 * samples of objects already collected too, so it shows what is allocated, not only
 * what lives on. The file opens in Chrome's DevTools (Memory, Load profile); the
 * allocation sites that weigh most are printed as the profile is written. Sampling
 * costs CPU: the other figures of such a run are not comparable with a plain one.
 *
 * `survivorsOnly` (`--alloc-prof --survivors`): only what outlives a scavenge, the
 * young-generation collection, which copies whatever is alive; that copying is most of
 * what V8's helper threads do for a warm server. The samples of objects a scavenge
 * collects are dropped, and one scavenge is forced at the window's end so that what was
 * merely not yet collected drops out too (the server runs with `--expose-gc` for it).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** About one sample per this many bytes allocated. */
const SAMPLE_EVERY_BYTES = 4096;
/** Allocation sites printed. */
const SHOWN = 12;

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

export class AllocationProfile {
  private session: Session | undefined;
  private started = 0;

  constructor(
    private readonly file: string,
    private readonly survivorsOnly = false,
  ) {}

  /** Starts sampling at the window's first `stats`, and writes the profile at its second. */
  async atStats(): Promise<void> {
    if (!this.session) {
      this.session = new Session();
      this.session.connect();
      await this.session.post('HeapProfiler.enable');
      await this.session.post('HeapProfiler.startSampling', { samplingInterval: SAMPLE_EVERY_BYTES, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !this.survivorsOnly });
      this.started = performance.now();
      return;
    }
    const seconds = (performance.now() - this.started) / 1000;
    if (this.survivorsOnly) (globalThis as unknown as { gc: (options: { type: 'minor' }) => void }).gc({ type: 'minor' });
    const { profile } = (await this.session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
    this.session.disconnect();
    await writeFile(this.file, JSON.stringify(profile));
    console.error(summary(profile.head, seconds, this.file, this.survivorsOnly));
  }
}

/** Total MB a second, and the sites that allocated most by their own code. */
function summary(head: ProfileNode, seconds: number, file: string, survivorsOnly: boolean): string {
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const site = `${functionName || '(anonymous)'} ${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(sync-server|schema|scripts)\//, '$1/')}:${lineNumber + 1}`;
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    total += node.selfSize;
    for (const child of node.children) walk(child);
  };
  walk(head);
  const top = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, SHOWN);
  const lines = top.map(([site, bytes]) => `  ${((100 * bytes) / total).toFixed(1).padStart(5)} %  ${site}`);
  const what = survivorsOnly ? 'outliving a scavenge' : 'allocated';
  return [`allocation profile ${file}: ${(total / 1e6 / seconds).toFixed(1)} MB a second ${what} over ${seconds.toFixed(1)} s; by own code:`, ...lines].join('\n');
}
