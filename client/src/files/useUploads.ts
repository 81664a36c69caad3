import { createSignal, onCleanup } from 'solid-js';
import type { Attachment } from '../../../schema/docs/message';
import type { ChosenFile } from './attachQueue';
import { UploadCancelled, uploadFile, type RunningUpload } from './uploadFile';

/** One file on its way: progress while it goes, the reason when it failed. */
export interface OutgoingUpload {
  key: number;
  name: string;
  preview: string | null;
  progress: number;
  error: string | null;
}

/**
 * The open chat's uploads. Each file is sent with tus and, once the server has stored
 * it, becomes a message (with its caption) through `send`; the message is never
 * appended before its file is stored, so nobody sees a message whose file is missing.
 * A failed upload stays listed with a retry; leaving the chat cancels what is left.
 */
export function useUploads(roomId: () => string, send: (attachment: Attachment, caption: string) => boolean) {
  const [uploads, setUploads] = createSignal<OutgoingUpload[]>([]);
  const running = new Map<number, RunningUpload>();
  const retries = new Map<number, () => void>();
  const patch = (key: number, change: Partial<OutgoingUpload>) => setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)));
  const drop = (key: number) => {
    running.delete(key);
    setUploads((all) => all.filter((u) => u.key !== key));
  };

  /**
   * Uploads one file; once it is stored and `turn` (the files chosen before it) has
   * settled, sends its message, so messages keep the order the files were chosen in
   * whichever upload finishes first. Resolves when sent, cancelled or failed.
   */
  function run(chosen: ChosenFile, caption: string, turn: Promise<unknown>): Promise<void> {
    const upload = uploadFile(chosen.file, roomId(), (progress) => patch(chosen.key, { progress }));
    running.set(chosen.key, upload);
    return upload.done.then(
      async (attachment) => {
        await turn;
        drop(chosen.key);
        send(attachment, caption);
        if (chosen.preview) URL.revokeObjectURL(chosen.preview);
      },
      (error: Error) => {
        if (error instanceof UploadCancelled) return drop(chosen.key);
        running.delete(chosen.key);
        // Keep the file for a retry: nothing was sent, nothing is lost.
        patch(chosen.key, { error: error.message });
        retries.set(chosen.key, () => {
          patch(chosen.key, { error: null, progress: 0 });
          void run(chosen, caption, Promise.resolve());
        });
      },
    );
  }

  onCleanup(() => {
    for (const upload of running.values()) upload.cancel();
  });

  return {
    uploads,
    /** Starts sending the chosen files; the caption goes with the first. */
    start(files: ChosenFile[], caption: string) {
      setUploads((all) => [...all, ...files.map((f) => ({ key: f.key, name: f.file.name, preview: f.preview, progress: 0, error: null }))]);
      let turn: Promise<unknown> = Promise.resolve();
      files.forEach((file, i) => {
        turn = run(file, i === 0 ? caption : '', turn);
      });
    },
    cancel(key: number) {
      const upload = running.get(key);
      if (upload) upload.cancel();
      else drop(key);
    },
    retry(key: number) {
      const again = retries.get(key);
      retries.delete(key);
      again?.();
    },
  };
}
