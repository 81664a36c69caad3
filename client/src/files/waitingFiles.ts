import type { UserId } from '../../../schema/ids';

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
 * chat uploads them when it opens and the network is there. The database is named
 * `jeco:<userId>:files`, so signing out wipes it with the user's replicas.
 */
export class WaitingFiles {
  private db: Promise<IDBDatabase> | null = null;

  constructor(private readonly userId: UserId) {}

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(`jeco:${this.userId}:files`, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'key' });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return this.db;
  }

  private async store(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.open()).transaction(STORE, mode).objectStore(STORE);
  }

  async put(file: WaitingFile): Promise<void> {
    await done((await this.store('readwrite')).put(file));
  }

  async delete(key: string): Promise<void> {
    await done((await this.store('readwrite')).delete(key));
  }

  /** The room's waiting files, in the order they were sent. */
  async list(roomId: string): Promise<WaitingFile[]> {
    const all = (await done((await this.store('readonly')).getAll())) as WaitingFile[];
    return all.filter((f) => f.roomId === roomId).sort((a, b) => a.order - b.order);
  }
}
