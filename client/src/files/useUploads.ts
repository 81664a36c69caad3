import { session } from '../auth/session';
import type { ChosenFile } from './attachQueue';
import type { SendExtras } from './fileSender';

/**
 * The composer's way into the session's file sender (`fileSender.ts`): sending goes on
 * in the background, whichever chat is open, so leaving the chat stops nothing. The
 * files on their way show in the chat's pending bubbles (`PendingUploads.tsx`).
 */
export function useUploads(roomId: () => string) {
  const sender = () => session()?.files;
  return {
    /** Starts sending the chosen files; the caption goes with the first. Resolves once they are kept on the device. */
    async start(files: Pick<ChosenFile, 'file' | 'preview'>[], caption: string, extras?: SendExtras) {
      // The pending bubble makes its own preview, from the file as kept on the device.
      for (const f of files) if (f.preview) URL.revokeObjectURL(f.preview);
      await sender()?.send(
        roomId(),
        files.map((f) => f.file),
        caption,
        extras,
      );
    },
  };
}
