import { readFile, writeFile } from 'node:fs/promises';

const FILE = new URL('../../docs/benchmarks.md', import.meta.url);

/**
 * Replaces one benchmark's own section of docs/benchmarks.md (from its `## ` heading to
 * the next one), or adds it at the end, leaving every other section as it is: each
 * benchmark owns its section, and several people run them.
 */
export async function writeBenchmarkSection(section: string): Promise<void> {
  const heading = section.split('\n', 1)[0]!;
  if (!heading.startsWith('## ')) throw new Error(`a section starts with its "## " heading, got ${JSON.stringify(heading)}`);
  const current = await readFile(FILE, 'utf8').catch(() => '# Benchmarks\n');
  const start = current.indexOf(`\n${heading}\n`);
  let next: string;
  if (start === -1) next = `${current.trimEnd()}\n\n${section.trimEnd()}\n`;
  else {
    const end = current.indexOf('\n## ', start + 1);
    next = `${current.slice(0, start)}\n${section.trimEnd()}\n${end === -1 ? '' : current.slice(end)}`;
  }
  await writeFile(FILE, next);
}
