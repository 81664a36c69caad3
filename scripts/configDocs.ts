/**
 * Generates the README's configuration table from the config module, so the
 * documentation and the code cannot drift: `npm run config:docs` rewrites the table
 * between the README's `config:start` and `config:end` markers (a test fails when
 * the README's copy is stale).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { OPTIONS } from '../sync-server/src/config';

const START = '<!-- config:start -->';
const END = '<!-- config:end -->';

export function configTable(): string {
  const rows = Object.entries(OPTIONS).map(([name, option]) => `| \`${name}\` | ${option.default === undefined ? '(unset)' : `\`${option.default}\``} | ${option.describe} |`);
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The README with its configuration table replaced by the current one. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README has no ${START} … ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${configTable()}\n${readme.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = new URL('../README.md', import.meta.url);
  await writeFile(file, withConfigTable(await readFile(file, 'utf8')));
  console.log('README.md configuration table updated');
}
