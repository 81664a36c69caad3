import { createSignal } from 'solid-js';

/** A file chosen for the open chat, shown in the composer's tray until sent or removed. */
export interface ChosenFile {
  key: number;
  file: File;
  /** An object URL for images, to preview before sending. */
  preview: string | null;
}

let nextKey = 0;
const [chosen, setChosen] = createSignal<{ roomId: string; files: ChosenFile[] }>({ roomId: '', files: [] });

/**
 * Files waiting in the composer: the paperclip, a drop onto the chat and a pasted image
 * all add here, so the three ways share one tray. One chat's tray at a time: opening
 * another chat starts an empty one.
 */
export function chosenFiles(roomId: string): ChosenFile[] {
  const current = chosen();
  return current.roomId === roomId ? current.files : [];
}

export function chooseFiles(roomId: string, files: Iterable<File>): void {
  const added = [...files].map((file) => ({ key: nextKey++, file, preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : null }));
  if (added.length === 0) return;
  setChosen((current) => ({ roomId, files: [...(current.roomId === roomId ? current.files : []), ...added] }));
}

export function removeChosen(roomId: string, key: number): void {
  setChosen((current) => {
    if (current.roomId !== roomId) return current;
    for (const f of current.files) if (f.key === key && f.preview) URL.revokeObjectURL(f.preview);
    return { roomId, files: current.files.filter((f) => f.key !== key) };
  });
}

/** Takes the tray's files for sending, leaving it empty. */
export function takeChosen(roomId: string): ChosenFile[] {
  const files = chosenFiles(roomId);
  setChosen({ roomId, files: [] });
  return files;
}

/** Drop and paste handlers for the chat: files (not text) go to the tray. */
export function fileDropHandlers(roomId: () => string) {
  const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');
  return {
    onDragOver: (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    },
    onDrop: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      chooseFiles(roomId(), e.dataTransfer!.files);
    },
    onPaste: (e: ClipboardEvent) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length === 0) return;
      e.preventDefault();
      chooseFiles(roomId(), files);
    },
  };
}
