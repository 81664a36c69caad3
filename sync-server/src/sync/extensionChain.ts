/**
 * Jeco's extensions as Hocuspocus runs them, at a fraction of the cost per hook.
 *
 * Hocuspocus runs a hook through a promise chain with two closures and two promises per
 * extension that has it, each a turn of its own, on every message (`beforeHandleMessage`,
 * `beforeSync`, `afterHandleMessage`) and every change of every doc, the server's own
 * chat-index writes included (`onChange`). With a dozen extensions that was a tenth of
 * what the server allocated under load (`npm run bench:load -- --alloc-prof`; `npm run
 * bench:hooks` prints the cost per call).
 * So one extension runs each hook of all of them in the order Hocuspocus would (priority,
 * highest first, then as listed), calling the next one at once when a hook answers
 * without a promise and awaiting it otherwise; the first failure stops the rest and is
 * what the hook throws; the last hook's answer is the answer (Hocuspocus creates a doc
 * with the last `onCreateDocument` answer, say).
 *
 * The hooks whose every extension's answer Hocuspocus uses (`CALLBACK_HOOKS`) stay one
 * extension each, with their own priority: they run once per connection or doc load.
 */
import type { Extension, HookName, HookPayloadByName } from '@hocuspocus/server';

/**
 * An extension as Hocuspocus takes it, except that a hook with nothing to wait for may
 * answer without a promise: the chain then runs the next one at once, with no promise
 * made and no turn waited (the hooks that run on every message or change are such).
 */
export type ChainedExtension = Omit<Extension, HookName> & { [K in HookName]?: (payload: HookPayloadByName[K]) => unknown };

export interface ChainLink {
  extension: ChainedExtension;
  /** What a failure of one of its hooks becomes (thrown in its place); as thrown without. */
  failed?: (error: unknown, hook: HookName, extensionName: string) => unknown;
}

/** Hocuspocus passes each extension's answer of these to a callback (context additions, the loaded doc). */
const CALLBACK_HOOKS = new Set<HookName>(['onConnect', 'onAuthenticate', 'onLoadDocument']);

/** Every hook Hocuspocus runs; a record, so the compiler says when its list of hooks changes. */
const HOOKS = Object.keys({
  onConfigure: true,
  onListen: true,
  onUpgrade: true,
  onConnect: true,
  connected: true,
  onAuthenticate: true,
  onTokenSync: true,
  onCreateDocument: true,
  onLoadDocument: true,
  afterLoadDocument: true,
  beforeHandleMessage: true,
  afterHandleMessage: true,
  beforeHandleAwareness: true,
  beforeBroadcastStateless: true,
  beforeSync: true,
  onStateless: true,
  onChange: true,
  onStoreDocument: true,
  afterStoreDocument: true,
  onAwarenessUpdate: true,
  onRequest: true,
  onDisconnect: true,
  beforeUnloadDocument: true,
  afterUnloadDocument: true,
  onDestroy: true,
} satisfies Record<HookName, true>) as HookName[];

type Hook = (payload: unknown) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** One extension's hook, ready to call. */
class Step {
  constructor(
    private readonly extension: ChainedExtension,
    private readonly hook: Hook,
    private readonly name: HookName,
    private readonly failed: ChainLink['failed'],
  ) {}

  /** The hook's answer; what it throws at once comes out as `failure` makes it. */
  call(payload: unknown): unknown {
    try {
      return this.hook.call(this.extension, payload);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** What to throw in place of `error`, the hook's failure. */
  failure(error: unknown): unknown {
    return this.failed ? this.failed(error, this.name, this.extension.extensionName ?? 'extension') : error;
  }
}

/** Waits for `pending`, the answer of `steps[at]`, then runs the steps after it. */
async function runFrom(steps: readonly Step[], at: number, payload: unknown, pending: PromiseLike<unknown>): Promise<unknown> {
  let answer: unknown;
  for (let i = at; i < steps.length; i++) {
    const step = steps[i]!;
    const called = i === at ? pending : step.call(payload);
    try {
      answer = isThenable(called) ? await called : called;
    } catch (error) {
      throw step.failure(error);
    }
  }
  return answer;
}

/** The hook that runs `steps`: within the same turn for as long as each answers without a promise. */
function chained(steps: readonly Step[]): Hook {
  return (payload) => {
    try {
      let answer: unknown;
      for (let i = 0; i < steps.length; i++) {
        answer = steps[i]!.call(payload);
        if (isThenable(answer)) return runFrom(steps, i, payload, answer);
      }
      return Promise.resolve(answer);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/** Hocuspocus's order: priority, highest first (100 when unset), then as listed. */
function byPriority(links: readonly ChainLink[]): ChainLink[] {
  return [...links].sort((a, b) => (b.extension.priority ?? 100) - (a.extension.priority ?? 100));
}

function hookOf(extension: ChainedExtension, name: HookName): Hook | undefined {
  const hook = (extension as Record<string, unknown>)[name];
  return typeof hook === 'function' ? (hook as Hook) : undefined;
}

/**
 * The extensions to give Hocuspocus: one that runs every hook of all `links` in their
 * order, and one per link and hook of `CALLBACK_HOOKS`, with the link's priority.
 */
export function inOneChain(links: readonly ChainLink[]): Extension[] {
  const chain: Record<string, unknown> = { extensionName: 'jeco' };
  const apart: Record<string, unknown>[] = [];
  const ordered = byPriority(links);
  for (const name of HOOKS) {
    const steps: Step[] = [];
    for (const { extension, failed } of ordered) {
      const hook = hookOf(extension, name);
      if (!hook) continue;
      // onConfigure runs once, as the server starts: a failure there is the start's own.
      const step = new Step(extension, hook, name, name === 'onConfigure' ? undefined : failed);
      if (!CALLBACK_HOOKS.has(name)) steps.push(step);
      else apart.push({ extensionName: extension.extensionName ?? 'extension', priority: extension.priority ?? 100, [name]: chained([step]) });
    }
    if (steps.length > 0) chain[name] = chained(steps);
  }
  // Hocuspocus takes a hook's answer with or without a promise (it calls each in a `then`).
  return [chain, ...apart] as Extension[];
}
