import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The parts of a bundler's output chunk this report reads (Rollup's and Rolldown's alike). */
interface OutputChunk {
  type: 'chunk';
  fileName: string;
  code: string;
  imports: string[];
  isEntry: boolean;
}
type OutputBundle = Record<string, OutputChunk | { type: 'asset' }>;

/** The JavaScript a first visit downloads before the app runs: the entry chunks and what they import statically. */
function initialChunks(bundle: OutputBundle): OutputChunk[] {
  const chunks = new Map(Object.values(bundle).flatMap((file) => (file.type === 'chunk' ? [[file.fileName, file] as const] : [])));
  const seen = new Set<string>();
  const visit = (name: string) => {
    const chunk = chunks.get(name);
    if (!chunk || seen.has(name)) return;
    seen.add(name);
    chunk.imports.forEach(visit);
  };
  for (const chunk of chunks.values()) if (chunk.isEntry) visit(chunk.fileName);
  return [...seen].map((name) => chunks.get(name)!);
}

/**
 * Prints the initial JS size at the end of each build, raw and gzipped, so a change
 * that grows what every first visit downloads shows up where it is made. Lazily loaded
 * chunks (the emoji picker) are not counted; they are listed apart.
 */
export function reportInitialBundleSize(): Plugin {
  return {
    name: 'jeco:initial-bundle-size',
    apply: 'build',
    generateBundle(_options, output) {
      const bundle = output as unknown as OutputBundle;
      const initial = initialChunks(bundle);
      const names = new Set(initial.map((c) => c.fileName));
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
      const size = (chunks: OutputChunk[]) => chunks.reduce((sum, c) => sum + Buffer.byteLength(c.code), 0);
      const gzip = (chunks: OutputChunk[]) => chunks.reduce((sum, c) => sum + gzipSync(c.code).length, 0);
      const lazy = Object.values(bundle).flatMap((f) => (f.type === 'chunk' && !names.has(f.fileName) ? [f] : []));
      console.log(`initial JS: ${kb(size(initial))} (gzip ${kb(gzip(initial))}); loaded later: ${kb(size(lazy))} (gzip ${kb(gzip(lazy))})`);
    },
  };
}
