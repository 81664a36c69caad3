import { createSignal, onCleanup, onMount } from 'solid-js';
import type { Attachment } from '../../../schema/docs/message';
import type { UserId } from '../../../schema/ids';
import type { ChosenFile } from './attachQueue';
import { UploadCancelled, uploadFile, type RunningUpload } from './uploadFile';
import { WaitingFiles, type WaitingFile } from './waitingFiles';

/** One file on its way: progress while it goes, the reason when it failed, or waiting for the network. */
export interface OutgoingUpload {
  key: string;
  name: string;
  preview: string | null;
  progress: number;
  error: string | null;
  offline: boolean;
}

/**
 * The open chat's uploads. Each file is first kept on the device (`WaitingFiles`), then
 * sent with tus, and once the server has stored it, becomes a message (with its
 * caption) through `send`, in the order sent; the message is never appended before its
 * file is stored, so nobody sees a message whose file is missing. Offline, a file
 * waits (a clock in the tray) and goes when the browser is back online, or when the
 * chat is next opened, after a reload too. A failed upload stays listed with a retry.
 */
export function useUploads(me: () => UserId, roomId: () => string, send: (attachment: Attachment, caption: string) => boolean) {
  const [uploads, setUploads] = createSignal<OutgoingUpload[]>([]);
  const waiting = new WaitingFiles(me());
  const running = new Map<string, RunningUpload>();
  const retries = new Map<string, () => void>();
  let turn: Promise<unknown> = Promise.resolve();
  const patch = (key: string, change: Partial<OutgoingUpload>) => setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)));
  const drop = (key: string) => {
    running.delete(key);
    setUploads((all) => all.filter((u) => u.key !== key));
    void waiting.delete(key).catch(() => {});
  };

  /**
   * Uploads one file; once it is stored and the files sent before it have settled,
   * sends its message. Resolves when sent, cancelled or failed.
   */
  function run(item: WaitingFile, before: Promise<unknown>): Promise<void> {
    const file = new File([item.blob], item.name, { type: item.type, lastModified: item.lastModified });
    const upload = uploadFile(file, item.roomId, (progress) => patch(item.key, { progress, offline: false }));
    running.set(item.key, upload);
    return upload.done.then(
      async (attachment) => {
        await before;
        if (!running.has(item.key)) return;
        send(item.duration !== undefined ? { ...attachment, duration: Math.round(item.duration * 10) / 10 } : attachment, item.caption);
        drop(item.key);
      },
      (error: Error) => {
        if (error instanceof UploadCancelled) return drop(item.key);
        running.delete(item.key);
        // Kept on the device for a retry: nothing was sent, nothing is lost.
        patch(item.key, navigator.onLine ? { error: error.message } : { offline: true });
        retries.set(item.key, () => {
          retries.delete(item.key);
          patch(item.key, { error: null, offline: false });
          void run(item, Promise.resolve());
        });
      },
    );
  }

  function begin(items: WaitingFile[], previews: Map<string, string | null>) {
    setUploads((all) => [
      ...all,
      ...items.map((f) => ({ key: f.key, name: f.name, preview: previews.get(f.key) ?? null, progress: 0, error: null, offline: !navigator.onLine })),
    ]);
    for (const item of items) turn = run(item, turn);
  }

  const retryAll = () => {
    for (const again of [...retries.values()]) again();
  };

  onMount(() => {
    window.addEventListener('online', retryAll);
    // Files sent from here that never reached the server: a reload, a closed browser.
    void waiting
      .list(roomId())
      .then((items) => begin(items.filter((f) => !running.has(f.key)), new Map()))
      .catch(() => {});
  });
  onCleanup(() => {
    window.removeEventListener('online', retryAll);
    // Leaving the chat stops sending; the files stay on the device for its next opening.
    for (const upload of running.values()) upload.stop();
    running.clear();
  });

  return {
    uploads,
    /** Starts sending the chosen files; the caption goes with the first. `duration`: a voice note's length. */
    async start(files: Pick<ChosenFile, 'file' | 'preview'>[], caption: string, duration?: number) {
      const now = Date.now();
      const items = files.map((f, i): WaitingFile => ({
        key: crypto.randomUUID(),
        roomId: roomId(),
        caption: i === 0 ? caption : '',
        name: f.file.name,
        type: f.file.type,
        lastModified: f.file.lastModified,
        blob: f.file,
        order: now + i,
        ...(duration !== undefined ? { duration } : {}),
      }));
      // Kept first, so a reload mid-upload loses nothing; a device refusing storage still sends.
      await Promise.all(items.map((item) => waiting.put(item).catch(() => {})));
      begin(items, new Map(items.map((item, i) => [item.key, files[i]!.preview])));
    },
    cancel(key: string) {
      const upload = running.get(key);
      retries.delete(key);
      if (upload) upload.cancel();
      drop(key);
    },
    retry(key: string) {
      retries.get(key)?.();
    },
  };
}
