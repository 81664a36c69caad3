/**
 * What running a hook costs per call, the way Jeco's server runs its extensions
 * (`sync-server/src/sync/extensionChain.ts`) against the way Hocuspocus runs them as
 * given, in one run:
 *
 *   npm run bench:hooks
 *
 * The shape is Jeco's `onChange`, the hook that runs for every change of every doc, the
 * server's own chat-index writes included: a dozen extensions, four of which have the
 * hook. Each hook does nothing, so the figure is the dispatch alone. Three of each
 * figure are printed; the spread between them is the machine's noise.
 */
import { type Extension, Hocuspocus } from '@hocuspocus/server';
import { inOneChain } from '../../sync-server/src/sync/extensionChain';
import { hookFailures } from '../../sync-server/src/sync/storeFailures';

const CALLS = 200_000;
const EXTENSIONS = 12;
const WITH_HOOK_EVERY = 3;

function extensions(answer: 'promise' | 'at once'): Extension[] {
  return Array.from({ length: EXTENSIONS }, (_, i) => ({
    extensionName: `extension ${i}`,
    ...(i % WITH_HOOK_EVERY === 0 ? { onChange: answer === 'promise' ? async () => undefined : () => undefined } : {}),
  })) as Extension[];
}

async function perCall(given: Extension[]): Promise<number> {
  const instance = new Hocuspocus({ quiet: true, extensions: given });
  const payload = {} as Parameters<typeof instance.hooks<'onChange'>>[1];
  // The first rounds only warm the code up.
  for (let round = 0; round < 2; round++) for (let i = 0; i < CALLS; i++) await instance.hooks('onChange', payload);
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await instance.hooks('onChange', payload);
  return Number(process.hrtime.bigint() - start) / CALLS / 1000;
}

const failed = hookFailures({ log: { debug() {}, error() {} } as never, storeFailed() {} });
const ways: [string, () => Extension[]][] = [
  ['as given to Hocuspocus, hooks answering with a promise', () => extensions('promise')],
  ['in one chain, hooks answering with a promise', () => inOneChain(extensions('promise').map((extension) => ({ extension, failed })))],
  ['in one chain, hooks answering at once (as Jeco’s do)', () => inOneChain(extensions('at once').map((extension) => ({ extension, failed })))],
  ['no extension has the hook (bare Hocuspocus)', () => []],
];
console.log(`µs per onChange call, ${EXTENSIONS} extensions, ${Math.ceil(EXTENSIONS / WITH_HOOK_EVERY)} with the hook, ${CALLS} calls each:`);
for (const [label, given] of ways) {
  const figures: string[] = [];
  for (let run = 0; run < 3; run++) figures.push((await perCall(given())).toFixed(2));
  console.log(`  ${label.padEnd(58)} ${figures.join('  ')}`);
}
