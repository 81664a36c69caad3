/**
 * The store's tables whose SQL is the same on both dialects, written once, by concern:
 * accounts (`accountTables.ts`: users, sessions, blocks, reset tokens), rooms
 * (`roomTables.ts`: rooms and members, invites, disappearing settings, client ids) and
 * here files. The doc log, where the dialects truly differ, is each dialect's own
 * (`sqliteStore.ts`, `pgStore.ts`), and those classes extend this one: a base class
 * rather than a wrapper, so the Store stays one object sharing one connection (SQLite's
 * is the file's one writer) and one `writeStats`, with no doc-log method forwarded by
 * hand, and a dialect may override a shared method with something faster (SQLite
 * prepares the guard's role look-ups once). Where the dialects spell SQL differently,
 * `dialects.ts` says how.
 */
import { and, eq, inArray, isNull, lt, or, sum } from 'drizzle-orm';
import type { UserId } from '#schema/ids';
import { blobNamesOf, type FileRow, type Store } from './db/store';
import { rows, type Db, type Step } from './dialects';
import { RoomTables } from './roomTables';
import { SqlPush } from './sqlPush';
import { SqlReceipts } from './sqlReceipts';

/** The lock space of a blob's name (Postgres advisory locks; see {@link Dialect.lock}). */
const BLOB_LOCK = 0x6a656305;

type Shared = Omit<
  Store,
  | 'dialect'
  | 'appendUpdate'
  | 'loadDoc'
  | 'loadUpdatesAfter'
  | 'listProjectionMarks'
  | 'getProjectionWatermarks'
  | 'projectRoom'
  | 'countUpdates'
  | 'compact'
  | 'compactAside'
  | 'writeDoc'
  | 'appendDerived'
  | 'docExists'
  | 'ping'
  | 'threads'
  | 'close'
>;

/** Accounts (`accountTables.ts`) and rooms (`roomTables.ts`), and here files, receipts (`sqlReceipts.ts`) and Web Push (`sqlPush.ts`): the Store less its doc log. */
export abstract class SqlStore extends RoomTables implements Shared {
  readonly receipts = new SqlReceipts(this.d);
  readonly push = new SqlPush(this.d);

  async createFile(file: FileRow): Promise<void> {
    await this.d.db.insert(this.d.t.files).values(file);
  }

  async getFile(id: string): Promise<FileRow | null> {
    const [row] = await this.d.db.select().from(this.d.t.files).where(eq(this.d.t.files.id, id));
    return row ?? null;
  }

  async getFiles(ids: readonly string[]): Promise<FileRow[]> {
    if (ids.length === 0) return [];
    return this.d.db
      .select()
      .from(this.d.t.files)
      .where(inArray(this.d.t.files.id, [...ids]));
  }

  async userFileBytes(userId: UserId): Promise<number> {
    const { files } = this.d.t;
    const [row] = await this.d.db
      .select({ bytes: sum(files.size) })
      .from(files)
      .where(eq(files.uploaderId, userId));
    return Number(row?.bytes ?? 0);
  }

  async markFilesReferenced(ids: readonly string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    const { files } = this.d.t;
    await this.d.db
      .update(files)
      .set({ referencedAt: at })
      .where(and(inArray(files.id, [...ids]), isNull(files.referencedAt)));
  }

  async unusedFiles(before: number, limit: number): Promise<FileRow[]> {
    const { files } = this.d.t;
    return this.d.db
      .select()
      .from(files)
      .where(or(and(isNull(files.referencedAt), lt(files.createdAt, before)), lt(files.deletedAt, before)))
      .limit(limit);
  }

  async markFilesDeleted(ids: readonly string[], at: number): Promise<{ files: FileRow[]; freed: string[] }> {
    if (ids.length === 0) return { files: [], freed: [] };
    const { files } = this.d.t;
    const freed = this.freedBlobs.bind(this);
    return this.d.transaction(function* (tx) {
      const marked = yield* rows(
        tx
          .update(files)
          .set({ deletedAt: at })
          .where(and(inArray(files.id, [...ids]), isNull(files.deletedAt)))
          .returning(),
      );
      return { files: marked, freed: yield* freed(tx, marked) };
    });
  }

  async deleteFiles(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { files } = this.d.t;
    const freed = this.freedBlobs.bind(this);
    return this.d.transaction(function* (tx) {
      return yield* freed(
        tx,
        yield* rows(
          tx
            .delete(files)
            .where(inArray(files.id, [...ids]))
            .returning(),
        ),
      );
    });
  }

  /**
   * The blobs `gone` named (bytes or thumbnails) that no live row and no profile photo names, read in the
   * transaction that retired or deleted `gone`. Each blob's lock is held from the check to
   * the commit, so of two transactions freeing the last rows of one blob the later one
   * sees the earlier one's rows gone and names it.
   */
  private *freedBlobs(tx: Db, gone: readonly FileRow[]): Generator<Step, string[], unknown> {
    const names = blobNamesOf(gone).sort();
    if (names.length === 0) return [];
    yield* this.d.lock(tx, BLOB_LOCK, names);
    const { files } = this.d.t;
    const live = yield* rows(
      tx
        .select({ sha256: files.sha256, thumbSha256: files.thumbSha256 })
        .from(files)
        .where(and(isNull(files.deletedAt), or(inArray(files.sha256, names), inArray(files.thumbSha256, names)))),
    );
    // A profile photo is a blob too: the same bytes sent as a file must not take it away.
    const photos = yield* rows(tx.select({ photo: this.d.t.users.photo }).from(this.d.t.users).where(inArray(this.d.t.users.photo, names)));
    const used = new Set([...live.flatMap((f) => [f.sha256, f.thumbSha256]), ...photos.map((u) => u.photo)]);
    return names.filter((name) => !used.has(name));
  }
}
