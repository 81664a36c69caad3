/**
 * Prints the configuration table for the README from the config module, so the
 * documentation and the code cannot drift: `npm run config:docs`.
 */
import { OPTIONS } from '../sync-server/src/config';

export function configTable(): string {
  const rows = Object.entries(OPTIONS).map(([name, option]) => `| \`${name}\` | ${option.default === undefined ? '(unset)' : `\`${option.default}\``} | ${option.describe} |`);
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(configTable());
