import type { UserId } from '#schema/ids';
import { openSingleStoreDb } from '../storage/singleStoreDb';

/** A file sent but not yet stored on the server, kept on the device until it is. */
export interface WaitingFile {
  key: string;
  roomId: string;
  caption: string;
  name: string;
  type: string;
  lastModified: number;
  blob: Blob;
  /** When it was sent, which orders the messages. */
  order: number;
  /** A voice note's length in seconds, as recorded: it goes into the message. */
  duration?: number;
  /** The people the caption mentions. */
  mentions?: UserId[];
  /** A video's pixel size and first frame (ThumbHash), measured here: the server cannot decode video. */
  shape?: { width: number; height: number; thumbhash: string };
}

const STORE = 'files';

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Files sent from this device whose upload has not finished, in IndexedDB, so that a
 * file chosen offline (or cut off by a reload or a closed browser) still goes out: the
 * session's sender (`fileSender.ts`) uploads them when it starts and the network is there. The database is named
 * `jeco:<userId>:files`, so signing out wipes it with the user's replicas.
 */
export class WaitingFiles {
  constructor(private readonly userId: UserId) {}

  private get name(): string {
    return `jeco:${this.userId}:files`;
  }

  /**
   * Runs one request in its own connection, closed as soon as it is done: an open
   * connection would hold up the wipe at sign-out (deleteDatabase waits for it).
   */
  private async run<T>(mode: IDBTransactionMode, request: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await openSingleStoreDb(this.name, STORE, 'key');
    try {
      return await done(request(db.transaction(STORE, mode).objectStore(STORE)));
    } finally {
      db.close();
    }
  }

  async put(file: WaitingFile): Promise<void> {
    await this.run('readwrite', (store) => store.put(file));
  }

  async delete(key: string): Promise<void> {
    if (!(await this.exists())) return;
    await this.run('readwrite', (store) => store.delete(key));
  }

  /** Whether `key` still waits (a tab that sent it deletes it). */
  async has(key: string): Promise<boolean> {
    if (!(await this.exists())) return false;
    return (await this.run('readonly', (store) => store.count(key))) > 0;
  }

  /** Every waiting file, of every chat, in the order they were sent. */
  async listAll(): Promise<WaitingFile[]> {
    // Starting a session must not create the database for someone who never sent a file.
    if (!(await this.exists())) return [];
    const all = (await this.run('readonly', (store) => store.getAll())) as WaitingFile[];
    return all.sort((a, b) => a.order - b.order);
  }

  private async exists(): Promise<boolean> {
    return (await indexedDB.databases()).some((d) => d.name === this.name);
  }
}
