import { isTransactionOrigin } from '@hocuspocus/server';
import * as Y from 'yjs';
import { syncRefusal } from '#schema/api/errors';
import type { ProjectionMark, Store } from '../store/db/store';
import { applyUpdates } from '#schema/docs/applyUpdates';
import { parseDocName } from '#schema/docs/names';
import type { LogPositions } from '../store/logPositions';
import { isLoggedServerWrite } from '../store/serverWrites';
import { decodeUpdateOnce, releaseDecoded, type DecodedUpdate } from './decodedUpdates';
import type { ChainedExtension } from './extensionChain';

/**
 * What of a received update the doc lacks, decoded. Almost always all of it: every
 * struct starts at or past the doc's clock for its client, and the update is used as
 * it came, with the guard's decoding ({@link decodeUpdateOnce}). Otherwise (a
 * reconnecting client's sync reply, a second tab forwarding a message) the known clocks
 * are cut off against the doc's state vector: they change nothing live (Yjs skips
 * them), but a re-sent clock with other content would compete with the original when
 * the log is merged on load, and could win.
 */
function novelPart(doc: Y.Doc, update: Uint8Array): { novel: Uint8Array; decoded: DecodedUpdate } {
  const decoded = decodeUpdateOnce(update);
  if (decoded.structs.every((struct) => struct.id.clock >= Y.getState(doc.store, struct.id.client))) return { novel: update, decoded };
  const novel = Y.diffUpdate(update, Y.encodeStateVector(doc));
  return { novel, decoded: Y.decodeUpdate(novel) };
}

/**
 * Whether applying an update (what the doc lacks of it, {@link novelPart}) would change
 * nothing: it has no deletions and every struct is one the doc already holds — a
 * client syncing with nothing new, or the same message forwarded by a second tab.
 * Costs O(update). Updates with deletions are always logged (telling whether they are
 * new would cost lookups per range).
 */
function addsNothing(doc: Y.Doc, { structs, ds }: DecodedUpdate, inFlight: readonly InFlight[]): { nothing: false } | { nothing: true; waitFor: Promise<number>[] } {
  if (ds.clients.size > 0) return { nothing: false };
  const waitFor = new Set<Promise<number>>();
  for (const struct of structs) {
    const end = struct.id.clock + struct.length;
    if (end <= Y.getState(doc.store, struct.id.client)) continue;
    // Being appended by another connection right now (two tabs forwarding one message
    // within the same group commit): not logged twice, but not acknowledged before that append commits.
    const covering = inFlight.find((f) => covers(f, struct.id.client, struct.id.clock, end));
    if (!covering) return { nothing: false };
    waitFor.add(covering.append);
  }
  return { nothing: true, waitFor: [...waitFor] };
}

/**
 * An append not yet applied in memory: the clock range per Yjs client it carries, as
 * flat triples (client, first clock, end), mostly one. Kept small: it lives as long as
 * its commit takes, long enough to be copied by a young-generation collection, and
 * two maps per append were a twentieth of what survived them.
 */
interface InFlight {
  ranges: number[];
  append: Promise<number>;
}

function inFlightOf({ structs }: DecodedUpdate, append: Promise<number>): InFlight {
  const ranges: number[] = [];
  for (const { id, length } of structs) {
    let i = 0;
    while (i < ranges.length && ranges[i] !== id.client) i += 3;
    if (i === ranges.length) ranges.push(id.client, id.clock, id.clock + length);
    else {
      ranges[i + 1] = Math.min(ranges[i + 1]!, id.clock);
      ranges[i + 2] = Math.max(ranges[i + 2]!, id.clock + length);
    }
  }
  return { ranges, append };
}

/** Whether an append in flight carries the clocks `clock` up to `end` of `client`. */
function covers({ ranges }: InFlight, client: number, clock: number, end: number): boolean {
  for (let i = 0; i < ranges.length; i += 3) if (ranges[i] === client) return ranges[i + 1]! <= clock && ranges[i + 2]! >= end;
  return false;
}

/**
 * The least time between two debounced compactions of one process while it serves.
 * Hocuspocus stores the docs that change steadily all at once, 10 s after their first
 * change (its maxDebounce), and their compactions came due together: even each in a
 * turn of its own, the busy buckets' compactions (a transaction, the log read, the
 * snapshot written back) kept a Postgres node's event loop about 90 % busy for most of
 * a second every 10 s, and the messages of that second waited behind them (the slowest
 * copy of that second 150–300 ms in `npm run bench:load -- --topology pg+redis --rates 500`).
 * Spaced, the same work spreads over a second or two.
 */
const COMPACTION_GAP_MS = 150;

/**
 * A doc someone has open (a client, or the server holding it) is compacted only once its
 * log holds this many times `compactAfterUpdates` rows; one nobody has open (stored as
 * its last connection leaves, before it unloads) at `compactAfterUpdates`. The log's
 * length costs nothing while the doc is in memory: only the next load reads it, and a
 * loaded doc is loaded again only after it unloads (compacted then), after a crash, or
 * by another node (each a longer read, of at most this many times the rows). Compacting a busy bucket at every debounced store (every 10 s)
 * re-merged its whole snapshot each time, on the upkeep thread, whose compiling and
 * collecting ran on V8's helper threads too: with compaction off, 4–7 µs per copy less
 * at 1,000 msgs/s over 10 × 10 (`docs/benchmarks.md`, the twenty-fourth session).
 */
const IN_USE_FACTOR = 10;

/** A bucket's appends mark its room for the chat-index projection, in the same transaction (design §5b). */
function markOf(docName: string): ProjectionMark | undefined {
  const ref = parseDocName(docName);
  return ref?.kind === 'bucket' ? { roomId: ref.room.id, bucket: ref.bucket } : undefined;
}

/**
 * Design §5: every accepted client update is appended to the log in `beforeSync`,
 * which Hocuspocus awaits before it applies, broadcasts or acknowledges the update —
 * so the provider's "synced" means "durable". It runs after the guard (lower
 * priority), so a refused update is never logged. Appends arriving together share one
 * commit (the store's group commit); if that commit fails, the update is refused as
 * `unavailable` (retryable: the provider keeps it and sends it again), never applied.
 * Server-side writes (chat index, head rollover) are appended by the projections
 * themselves; any other server-side change is appended from `onChange`; updates
 * relayed by Redis are logged by the node that received them. A doc loads as its
 * snapshot plus later rows, and is compacted once enough rows gather.
 */
export function persistenceExtension(deps: {
  store: Store;
  compactAfterUpdates: number;
  positions: LogPositions;
  /** Told of every committed append that marked a room for projection, so that a flush clears the mark. */
  marked: (mark: ProjectionMark) => void;
  log: (error: unknown, what: string) => void;
  /** Whether the server is shutting down: compactions then run back to back, as the docs unload. */
  closing?: () => boolean;
}): ChainedExtension {
  const serverWrites = new Map<string, Promise<unknown>>();
  const inFlight = new Map<string, InFlight[]>();
  // One compaction at a time, `COMPACTION_GAP_MS` apart while serving. Hocuspocus
  // stores every doc changing steadily at once (its maxDebounce), and their compactions,
  // queued together, ran back to back on the main connection: one stretch of 600 ms
  // under load (`npm run bench:load`) with every append waiting behind it. SQLite now
  // merges on its upkeep thread (`Store.compactAside`), Postgres on a merge thread of its
  // own, and each compaction had a turn of its own; see the gap for what was left.
  // A doc already waiting for its compaction is not queued again: that one folds what
  // the later store would.
  let compactions: Promise<unknown> = Promise.resolve();
  const waiting = new Map<string, Promise<number>>();
  const gap = () => new Promise((resolve) => (deps.closing?.() ? setImmediate(resolve) : setTimeout(resolve, COMPACTION_GAP_MS)));
  const compactInTurn = (documentName: string): Promise<number> => {
    const queued = waiting.get(documentName);
    if (queued) return queued;
    const next = compactions.then(gap).then(() => {
      waiting.delete(documentName);
      return deps.store.compactAside(documentName);
    });
    waiting.set(documentName, next);
    compactions = next.catch(() => {});
    return next;
  };
  // Per loaded doc, the rows its log may hold since they were last counted: those it
  // loaded, then one per change it took (a client's update, a server write, another
  // node's update relayed or caught up: each a row, now and then one counted twice).
  // A store counts the log only once this reaches the threshold. Counting on every
  // store was a round trip to Postgres each time, as many as the projections' reads.
  const rowsSeen = new Map<string, number>();
  // A server write that was not logged as it was made: appended after the doc's earlier ones.
  const logServerWrite = async (documentName: string, update: Uint8Array) => {
    const previous = serverWrites.get(documentName) ?? Promise.resolve();
    const mark = markOf(documentName);
    const next = previous.then(async () => {
      await deps.store.appendUpdate(documentName, update, mark);
      if (mark) deps.marked(mark);
    });
    serverWrites.set(documentName, next);
    try {
      await next;
    } finally {
      if (serverWrites.get(documentName) === next) serverWrites.delete(documentName);
    }
  };

  return {
    extensionName: 'persistence',
    priority: 100,

    async onLoadDocument({ documentName, document }) {
      const { snapshot, updates, lastId } = await deps.store.loadDoc(documentName);
      const parts = snapshot ? [snapshot, ...updates] : updates;
      applyUpdates(document, parts);
      deps.positions.loaded(documentName, lastId);
      rowsSeen.set(documentName, updates.length);
    },

    async afterUnloadDocument({ documentName }) {
      deps.positions.unloaded(documentName);
      rowsSeen.delete(documentName);
    },

    async beforeSync({ type, payload, connection, document, documentName }) {
      // 0 is sync step 1 (a state vector); 1 and 2 carry updates. Read-only connections' updates are dropped.
      if ((type !== 1 && type !== 2) || connection.readOnly) return;
      const pending = inFlight.get(documentName) ?? [];
      const { novel, decoded } = novelPart(document, payload);
      const check = addsNothing(document, decoded, pending);
      // The last reader of the decoding: not held while the commit is awaited.
      releaseDecoded(payload);
      if (check.nothing) {
        try {
          await Promise.all(check.waitFor);
        } catch {
          throw syncRefusal('unavailable');
        }
        return;
      }
      const done = deps.positions.appending(documentName);
      const mark = markOf(documentName);
      const append = deps.store.appendUpdate(documentName, novel, mark);
      const entry = inFlightOf(decoded, append);
      inFlight.set(documentName, [...pending, entry]);
      try {
        done(await append);
        if (mark) deps.marked(mark);
      } catch (error) {
        done(null);
        deps.log(error, `appending to ${documentName}`);
        throw syncRefusal('unavailable');
      } finally {
        const rest = (inFlight.get(documentName) ?? []).filter((f) => f !== entry);
        if (rest.length > 0) inFlight.set(documentName, rest);
        else inFlight.delete(documentName);
      }
    },

    // Answers at once, with no promise, for every change but a server write still to log.
    onChange({ transactionOrigin, update, documentName }) {
      const seen = rowsSeen.get(documentName);
      if (seen !== undefined) rowsSeen.set(documentName, seen + 1);
      if (isTransactionOrigin(transactionOrigin) && transactionOrigin.source !== 'local') return;
      if (isLoggedServerWrite(transactionOrigin)) return;
      return logServerWrite(documentName, update);
    },

    async onStoreDocument({ documentName, document }) {
      await serverWrites.get(documentName);
      const threshold = document.getConnectionsCount() > 0 ? deps.compactAfterUpdates * IN_USE_FACTOR : deps.compactAfterUpdates;
      const seen = rowsSeen.get(documentName);
      if (seen !== undefined && seen < threshold) return;
      const rows = await deps.store.countUpdates(documentName);
      const folded = rows >= threshold ? await compactInTurn(documentName) : 0;
      // From the count (rows another node folded are gone from it), with the changes taken meanwhile (some may be in it already).
      const now = rowsSeen.get(documentName);
      if (seen !== undefined && now !== undefined) rowsSeen.set(documentName, Math.max(0, rows - folded) + now - seen);
    },
  };
}
