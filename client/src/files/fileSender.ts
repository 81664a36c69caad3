import { createSignal } from 'solid-js';
import type { Attachment, Message } from '#schema/docs/message';
import { bucketDoc, roomHeadDoc } from '#schema/docs/names';
import { headBucket } from '#schema/docs/roomHead';
import { newMessageId, type RoomId, type UserId } from '#schema/ids';
import type { PendingMessages } from '../sync/outbox';
import type { ReplicaManager } from '../sync/replicaManager';
import { serverNow } from '../time/serverClock';
import { UploadCancelled, uploadFile, type RunningUpload } from './uploadFile';
import { videoShape } from './videoShape';
import { WaitingFiles, type WaitingFile } from './waitingFiles';

/** A file's Web Lock: one tab at a time uploads a file and writes its message. */
const FILE_LOCK_PREFIX = 'jeco-file:';

/** How long a file's message waits for its chat's head from the server before using the local copy. */
const HEAD_SYNC_WAIT_MS = 3_000;

/** One file on its way, as its pending bubble shows it: progress, the reason it failed, or waiting for the network. */
export interface OutgoingUpload {
  key: string;
  roomId: string;
  name: string;
  type: string;
  size: number;
  /** An object URL of the file itself, for an image. */
  preview: string | null;
  /** A video's shape and first frame, measured on this device before the upload. */
  shape?: WaitingFile['shape'];
  progress: number;
  error: string | null;
  offline: boolean;
}

/** What goes into a file's message beside the server's attachment: a voice note's length, the people its caption mentions. */
export interface SendExtras {
  duration?: number;
  mentions?: UserId[];
}

/**
 * Appends a file's message to its chat through the outbox, as a message written there
 * offline would be: to the bucket the chat's head names (waiting briefly for the
 * server's head when online), appended once that bucket is in sync, and "sent" once
 * the server acknowledges it. The chat need not be open.
 */
export function outboxPoster(replicas: ReplicaManager, pending: PendingMessages) {
  return async (roomId: RoomId, message: Message): Promise<void> => {
    const headName = roomHeadDoc(roomId);
    const replica = replicas.open(headName);
    try {
      await replica.whenLoaded;
      if (replicas.status() === 'connected') await Promise.race([replica.whenSynced, new Promise((resolve) => setTimeout(resolve, HEAD_SYNC_WAIT_MS))]);
      pending.queue(bucketDoc(roomId, headBucket(replica.doc)), message);
    } finally {
      replicas.release(headName);
    }
  };
}

/**
 * Sends this user's files, whichever chat is open, for as long as the session runs.
 * Each file is first kept on the device (`WaitingFiles`), then uploaded with tus, and
 * once the server has stored it becomes a message (its caption, mentions, a voice
 * note's length, a video's shape) through the outbox, in the order the files of a chat
 * were sent: the message is never appended before its file is stored, so nobody sees a
 * message whose file is missing. Offline, a file waits and goes when the browser is
 * back online; after a reload or a browser restart, the files kept go out as the
 * session starts. A failed upload stays listed with a retry; nothing is lost.
 */
export class FileSender {
  private readonly waiting: WaitingFiles;
  private readonly running = new Map<string, RunningUpload>();
  /** Ends each running file's turn: a cancelled upload's promise never settles, and the chat's next file must not wait for it. */
  private readonly settle = new Map<string, () => void>();
  /** Files that stopped (offline, or failed), to start again. */
  private readonly parked = new Map<string, WaitingFile>();
  /** Per chat, when the files sent before have settled: messages go in the order sent. */
  private readonly turns = new Map<string, Promise<unknown>>();
  /** Files this tab could not keep on the device: no other tab knows of them, so they go without asking. */
  private readonly unkept = new Set<string>();
  private readonly uploads: () => OutgoingUpload[];
  private readonly setUploads: (change: (all: OutgoingUpload[]) => OutgoingUpload[]) => void;
  private ended = false;
  private readonly onOnline = () => this.retryAll();

  constructor(
    private readonly me: UserId,
    private readonly post: (roomId: RoomId, message: Message) => Promise<void>,
  ) {
    this.waiting = new WaitingFiles(me);
    const [uploads, setUploads] = createSignal<OutgoingUpload[]>([]);
    this.uploads = uploads;
    this.setUploads = setUploads;
  }

  /** Starts sending the files kept from before (a reload, a closed browser), and waiting ones whenever the network returns. */
  resume(): void {
    window.addEventListener('online', this.onOnline);
    void this.waiting
      .listAll()
      .then((items) => this.begin(items.filter((f) => !this.uploads().some((u) => u.key === f.key))))
      .catch(() => undefined);
  }

  /** Stops sending at sign-out; what the server has of an upload stays for the next session to resume. */
  stop(): void {
    this.ended = true;
    window.removeEventListener('online', this.onOnline);
    for (const upload of this.running.values()) upload.stop();
    this.running.clear();
    this.parked.clear();
    for (const u of this.uploads()) if (u.preview) URL.revokeObjectURL(u.preview);
    this.setUploads(() => []);
  }

  /** A chat's files on their way, in the order sent. Reactive. */
  inRoom(roomId: string): OutgoingUpload[] {
    return this.uploads().filter((u) => u.roomId === roomId);
  }

  /** Sends `files` to the chat; the caption and mentions go with the first. Resolves once they are kept on the device. */
  async send(roomId: string, files: readonly File[], caption: string, extras: SendExtras = {}): Promise<void> {
    const now = Date.now();
    const items: WaitingFile[] = [];
    for (const [i, file] of files.entries()) {
      const shape = file.type.startsWith('video/') ? await videoShape(file) : null;
      items.push({
        key: crypto.randomUUID(),
        roomId,
        caption: i === 0 ? caption : '',
        name: file.name,
        type: file.type,
        lastModified: file.lastModified,
        blob: file,
        order: now + i,
        ...(extras.duration !== undefined ? { duration: extras.duration } : {}),
        ...(i === 0 && extras.mentions && extras.mentions.length > 0 ? { mentions: extras.mentions } : {}),
        ...(shape ? { shape } : {}),
      });
    }
    // Kept first, so a reload mid-upload loses nothing; a device refusing storage still sends.
    await Promise.all(items.map((item) => this.waiting.put(item).catch(() => this.unkept.add(item.key))));
    if (!this.ended) this.begin(items);
  }

  cancel(key: string): void {
    this.running.get(key)?.cancel();
    this.running.delete(key);
    this.settle.get(key)?.();
    this.parked.delete(key);
    void this.drop(key);
  }

  retry(key: string): void {
    const item = this.parked.get(key);
    if (!item) return;
    this.parked.delete(key);
    this.queue(item);
  }

  private retryAll(): void {
    for (const item of [...this.parked.values()].sort((a, b) => a.order - b.order)) this.retry(item.key);
  }

  private patch(key: string, change: Partial<OutgoingUpload>): void {
    this.setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)));
  }

  /** The file is sent (or cancelled): its bubble goes, and so does the copy kept on the device. */
  private drop(key: string): Promise<void> {
    this.forget(key);
    this.unkept.delete(key);
    return this.waiting.delete(key).catch(() => undefined);
  }

  /** Its bubble goes from this tab. */
  private forget(key: string): void {
    this.setUploads((all) => {
      for (const u of all) if (u.key === key && u.preview) URL.revokeObjectURL(u.preview);
      return all.filter((u) => u.key !== key);
    });
  }

  private begin(items: readonly WaitingFile[]): void {
    if (items.length === 0) return;
    this.setUploads((all) => [
      ...all,
      ...items.map((f) => ({
        key: f.key,
        roomId: f.roomId,
        name: f.name,
        type: f.type,
        size: f.blob.size,
        preview: f.type.startsWith('image/') ? URL.createObjectURL(f.blob) : null,
        ...(f.shape ? { shape: f.shape } : {}),
        progress: 0,
        error: null,
        offline: !navigator.onLine,
      })),
    ]);
    for (const item of items) this.queue(item);
  }

  /** Uploads `item` after the chat's earlier files started, and sends its message once those settled. */
  private queue(item: WaitingFile): void {
    this.turns.set(item.roomId, this.run(item, this.turns.get(item.roomId) ?? Promise.resolve()));
  }

  /**
   * Runs one file under its Web Lock: tabs of one browser that all start after a reload
   * see the same files kept, and only one of them may send each (a second message with
   * the same file would be a duplicate). A tab that waited for the lock sends the file
   * only if it still waits on the device (the tab before it may have sent it meanwhile).
   */
  private run(item: WaitingFile, before: Promise<unknown>): Promise<void> {
    if (typeof navigator === 'undefined' || !navigator.locks) return this.runLocked(item, before);
    const granted = async (): Promise<void> => {
      if (!this.unkept.has(item.key) && !(await this.waiting.has(item.key).catch(() => true))) return this.forget(item.key);
      await this.runLocked(item, before);
    };
    return navigator.locks.request(`${FILE_LOCK_PREFIX}${item.key}`, granted).then(() => undefined);
  }

  /** Uploads one file; once it is stored and the files sent before it have settled, sends its message. Resolves when sent, cancelled, failed or parked. */
  private runLocked(item: WaitingFile, before: Promise<unknown>): Promise<void> {
    if (!navigator.onLine) {
      // No use trying: it goes when the browser says the network is back.
      this.park(item, null);
      return Promise.resolve();
    }
    this.patch(item.key, { error: null, offline: false });
    const file = new File([item.blob], item.name, { type: item.type, lastModified: item.lastModified });
    const upload = uploadFile(file, item.roomId, (progress) => this.patch(item.key, { progress, offline: false }));
    this.running.set(item.key, upload);
    const settled = new Promise<void>((resolve) => this.settle.set(item.key, resolve));
    const finished = upload.done.then(
      async (attachment) => {
        await before;
        if (this.running.get(item.key) !== upload) return;
        try {
          await this.post(item.roomId as RoomId, this.messageOf(item, attachment));
        } catch {
          this.running.delete(item.key);
          return this.park(item, 'The message could not be written on this device.');
        }
        this.running.delete(item.key);
        // Gone from the device before the file's lock is let go: a tab waiting for it must find it sent.
        await this.drop(item.key);
      },
      (error: Error) => {
        // Cancelled: gone already; stopped at sign-out: kept on the device for the next session.
        if (error instanceof UploadCancelled || this.running.get(item.key) !== upload) return;
        this.running.delete(item.key);
        this.park(item, navigator.onLine ? error.message : null);
      },
    );
    return Promise.race([finished, settled]).finally(() => this.settle.delete(item.key));
  }

  /** Keeps a file that could not go for a retry: `error` to show, or null while offline. */
  private park(item: WaitingFile, error: string | null): void {
    if (this.ended) return;
    this.parked.set(item.key, item);
    this.patch(item.key, error === null ? { error: null, offline: true } : { error, offline: false });
  }

  private messageOf(item: WaitingFile, stored: Attachment): Message {
    let attachment = stored;
    if (item.duration !== undefined) attachment = { ...attachment, duration: Math.round(item.duration * 10) / 10 };
    // The server cannot decode video: the shape this device measured gives the bubble its size and poster.
    if (item.shape && attachment.mime.startsWith('video/') && attachment.width === undefined) attachment = { ...attachment, ...item.shape };
    return {
      id: newMessageId(),
      authorId: this.me,
      createdAt: serverNow(),
      text: item.caption.trim(),
      ...(item.mentions ? { mentions: item.mentions } : {}),
      attachment,
    };
  }
}
