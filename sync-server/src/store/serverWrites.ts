import { isTransactionOrigin, type Hocuspocus, type LocalTransactionOrigin } from '@hocuspocus/server';
import type * as Y from 'yjs';
import { applyUpdates } from '#schema/docs/applyUpdates';
import type { LoadLogsAfter, Store } from './db/store';
import { CAUGHT_UP, catchUpAll, type LogPositions } from './logPositions';

/**
 * The server-write transport: how a change the server makes to a doc (chat index, head
 * rollover, system lines, a purge) reaches the loaded document, its connected clients
 * and the log, in one place. A write opens the doc through a Hocuspocus direct
 * connection (so it is broadcast like any change), and runs as a read-modify-write
 * inside `Store.writeDoc`, which holds the doc's lock across processes and appends the
 * update in the same transaction; the update is applied as a {@link LOGGED_SERVER_WRITE},
 * which persistence (`sync/persistence.ts`) skips, so it is logged once.
 */

/** Context of a server-side write (direct connection): no user, marked as the server's own. */
interface ServerWriteContext {
  server: true;
  /** The store appended this write's update itself (`Store.writeDoc`): persistence must not log it again. */
  logged?: true;
}

/** The context of the server's own direct connections. */
export const SERVER_CONNECTION: ServerWriteContext = { server: true };

/** The origin of a server write that `Store.writeDoc` appends itself, in the same transaction as its read. */
const LOGGED_SERVER_WRITE = { source: 'local', context: { server: true, logged: true } } as const satisfies LocalTransactionOrigin;

/**
 * Whether other processes append to this store's log too (a shared database): then a
 * loaded doc can be behind the log, and is caught up before a server write, a
 * projection or a refusal reads it. One process on SQLite writes the whole log itself.
 * The one place the store's kind decides how syncing treats memory.
 */
export function sharesLog(store: Store): boolean {
  return store.dialect === 'postgres';
}

/**
 * Applies a server change to a loaded doc as a {@link LOGGED_SERVER_WRITE} and returns
 * its update, for the caller to append (null if it changed nothing). Persistence's
 * `onChange` skips it, so it is logged once.
 */
export function applyLoggedServerWrite(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array | null {
  const depth = listening.get(doc) ?? 0;
  if (depth === 0) doc.on('update', captureLogged);
  listening.set(doc, depth + 1);
  try {
    doc.transact(() => change(doc), LOGGED_SERVER_WRITE);
  } finally {
    if (depth === 0) {
      doc.off('update', captureLogged);
      listening.delete(doc);
    } else listening.set(doc, depth);
  }
  // A write inside another one has no update of its own: Yjs emits the outer transaction's, once.
  const update = captured.get(doc) ?? null;
  captured.delete(doc);
  return update;
}

/** The update of each doc's {@link LOGGED_SERVER_WRITE} just made, as {@link captureLogged} heard it. */
const captured = new WeakMap<Y.Doc, Uint8Array>();
/** How many server writes to each doc are running (one inside another's change), so the listener stays until the outer one ends. */
const listening = new WeakMap<Y.Doc, number>();

/**
 * One listener for every server write, not a closure per write: the server runs as
 * TypeScript through tsx, whose compiler names each function made at run time with a
 * property definition of its own, a few percent of a large group's projection.
 */
function captureLogged(update: Uint8Array, origin: unknown, doc: Y.Doc): void {
  if (origin === LOGGED_SERVER_WRITE) captured.set(doc, update);
}

/** Whether a transaction origin is a server write whose update is already in the log. */
export function isLoggedServerWrite(origin: unknown): boolean {
  return isTransactionOrigin(origin) && origin.source === 'local' && (origin.context as ServerWriteContext | undefined)?.logged === true;
}

/**
 * A server write to a doc already loaded in `doc`, through `Store.writeDoc`. With a
 * shared log the doc is first caught up with the rows `writeDoc` read (those after
 * `positions`' last applied row, or the whole log without `positions`), so two nodes
 * never write a key from a stale copy; with one process those rows are this node's own
 * writes, applied already or about to be by Hocuspocus.
 */
export async function writeLoadedDoc(store: Store, docName: string, doc: Y.Doc, change: (doc: Y.Doc) => void, positions?: LogPositions): Promise<void> {
  const shared = sharesLog(store);
  await store.writeDoc(
    docName,
    (stored) => {
      if (shared) {
        const parts = stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates;
        applyUpdates(doc, parts, CAUGHT_UP);
      }
      positions?.advanced(docName, stored.lastId);
      return applyLoggedServerWrite(doc, change);
    },
    positions?.lastApplied(docName),
  );
}

type DirectConnection = Awaited<ReturnType<Hocuspocus['openDirectConnection']>>;

/** A doc the server opened ({@link ServerWrites.open}): its document, and `disconnect` once done with it. */
export interface OpenDoc {
  readonly document: DirectConnection['document'];
  disconnect(options?: { unloadImmediately?: boolean }): Promise<void>;
}

/** A doc held loaded for the server: one direct connection, lent to each open while the hold lasts. */
class Hold {
  /** Opens lent the hold's connection and not yet done with it. */
  users = 0;
  /** Set once the hold ended while lent: called when the last user is done. */
  idle: (() => void) | undefined;

  constructor(
    readonly connection: Promise<DirectConnection>,
    readonly timer: NodeJS.Timeout,
  ) {}

  done(): void {
    this.users--;
    if (this.users === 0) this.idle?.();
  }
}

/** The hold's doc for one open ({@link ServerWrites.open}): done with it once disconnected; the hold's connection stays. */
class Lent implements OpenDoc {
  private returned = false;

  constructor(
    readonly document: NonNullable<DirectConnection['document']>,
    private readonly held: Hold,
  ) {}

  async disconnect(): Promise<void> {
    if (this.returned) return;
    this.returned = true;
    this.held.done();
  }
}

/** Server reads and writes of docs by name, through direct connections of this node's Hocuspocus. */
export class ServerWrites {
  /** See {@link sharesLog}. */
  readonly sharedLog: boolean;
  /** The docs held loaded after the server's last use of each (see `holdMs`): a direct connection of their own, and when it lets go. */
  private readonly holds = new Map<string, Hold>();
  /** Set by {@link letGoAll}: the server is closing, and holds nothing more. */
  private closing = false;

  constructor(
    private readonly deps: {
      store: Store;
      positions: LogPositions;
      instance: () => Hocuspocus;
      /**
       * How long a doc the server opened stays loaded after its last open (`JECO_SERVER_DOC_HOLD_MS`).
       * Hocuspocus unloads a doc nobody is connected to each time it is stored (2 s after
       * its last change, or every 10 s while it keeps changing). The chat indexes of a
       * busy room's members on other nodes (or offline) have no client here, so each
       * projection that came after a store loaded every one of them again, all at once:
       * a read of its log each, and with Redis a state exchange with the other nodes.
       */
      holdMs?: number;
    },
  ) {
    this.sharedLog = sharesLog(deps.store);
  }

  /**
   * A server-side write: a read-modify-write through `Store.writeDoc` of only what was
   * logged after the last row this node applied (the loaded doc is the truth here).
   * The change goes through the loaded document, so connected clients get it.
   */
  async write(docName: string, change: (doc: Y.Doc) => void): Promise<void> {
    const connection = await this.open(docName);
    try {
      await writeLoadedDoc(this.deps.store, docName, connection.document!, change, this.deps.positions);
    } finally {
      await connection.disconnect({ unloadImmediately: false });
    }
  }

  /**
   * Server writes of derived data (receipt aggregates) to several docs. On a log this
   * process alone writes, the loaded docs are the truth: the changes are applied to them
   * and appended together, in one commit that does not wait for the disk
   * ({@link Store.appendDerived}), where one {@link write} each would take a turn of the
   * store's single writer and an fsync apiece. With a shared log each is a {@link write}.
   */
  async writeDerived(changes: readonly { docName: string; change: (doc: Y.Doc) => void }[]): Promise<void> {
    if (this.sharedLog) {
      for (const { docName, change } of changes) await this.write(docName, change);
      return;
    }
    const connections = await Promise.all(changes.map(({ docName }) => this.open(docName)));
    try {
      const updates = changes.flatMap(({ docName, change }, i) => {
        const update = applyLoggedServerWrite(connections[i]!.document!, change);
        return update ? [{ docName, update }] : [];
      });
      await this.deps.store.appendDerived(updates);
    } finally {
      await Promise.all(connections.map((c) => c.disconnect({ unloadImmediately: false })));
    }
  }

  async read<T>(docName: string, look: (doc: Y.Doc) => T): Promise<T> {
    const connection = await this.open(docName);
    try {
      return look(connection.document!);
    } finally {
      await connection.disconnect({ unloadImmediately: false });
    }
  }

  /**
   * Opens a doc for the server (the caller disconnects it), for work that holds it across
   * a transaction. A held doc lends its hold's connection: a projection opens every
   * member's chat index each time, and a direct connection of its own apiece was a
   * request object, an id and a debounced store each (a large group's projection, a
   * thousand of them a second: `npm run bench:load -- --groups 1 --size 1000 --cpu-prof`).
   */
  async open(docName: string): Promise<OpenDoc> {
    const held = this.hold(docName);
    if (held) {
      held.users++;
      let lent: OpenDoc | null = null;
      try {
        const connection = await held.connection;
        // The hold keeps the doc loaded, so it is the one Hocuspocus serves; if it is not, a connection of its own finds that one.
        if (connection.document && this.deps.instance().documents.get(docName) === connection.document) lent = new Lent(connection.document, held);
      } finally {
        if (!lent) held.done();
      }
      if (lent) return lent;
    }
    return this.deps.instance().openDirectConnection(docName, SERVER_CONNECTION);
  }

  /** Keeps `docName` loaded until `holdMs` after now, by a direct connection of its own (one per doc); the hold, or null when nothing is held. */
  private hold(docName: string): Hold | null {
    const holdMs = this.deps.holdMs ?? 0;
    if (holdMs <= 0 || this.closing) return null;
    const held = this.holds.get(docName);
    if (held) {
      held.timer.refresh();
      return held;
    }
    const connection = this.deps.instance().openDirectConnection(docName, SERVER_CONNECTION);
    const timer = setTimeout(() => void this.letGo(docName), holdMs);
    timer.unref();
    const hold = new Hold(connection, timer);
    this.holds.set(docName, hold);
    // A doc that could not be loaded is not held; the caller's own open fails the same way and says so.
    connection.catch(() => {
      if (this.holds.get(docName) !== hold) return;
      clearTimeout(timer);
      this.holds.delete(docName);
    });
    return hold;
  }

  /** Ends the hold: once nobody it was lent to still uses it, its connection lets go of the doc. */
  private async letGo(docName: string): Promise<void> {
    const held = this.holds.get(docName);
    if (!held) return;
    clearTimeout(held.timer);
    this.holds.delete(docName);
    if (held.users > 0) await new Promise<void>((resolve) => (held.idle = resolve));
    const connection = await held.connection.catch(() => null);
    // Stored and unloaded as any doc is once nobody holds it (Hocuspocus' debounce). A failed
    // store is Hocuspocus' to report (it keeps the doc loaded); nothing more to do here.
    await connection?.disconnect({ unloadImmediately: false }).catch(() => undefined);
  }

  /** Lets every held doc go (shutting down: the docs can then be stored and unloaded). */
  async letGoAll(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.holds.keys()].map((docName) => this.letGo(docName)));
  }

  /**
   * Inside a transaction that appends server writes itself (`Store.projectRoom`): with a
   * shared log, catches `doc` up with what other processes logged (design §5b: the truth
   * is the log); with one process there is nothing to catch up.
   */
  async catchUpIn(load: LoadLogsAfter, docs: readonly (readonly [string, Y.Doc])[]): Promise<void> {
    if (this.sharedLog) await catchUpAll(load, this.deps.positions, docs);
  }

  /**
   * Whether the loaded doc holds every append this node committed to it, so what the
   * doc shows is all the log holds (with a shared log, after {@link catchUpIn}).
   */
  holdsLog(docName: string): boolean {
    return this.sharedLog || this.deps.positions.settled(docName);
  }
}
