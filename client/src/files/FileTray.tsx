import { For, Show } from 'solid-js';
import { CloseIcon } from '../layout/icons';
import { removeChosen, type ChosenFile } from './attachQueue';
import { DocumentIcon } from './fileIcons';
import { formatBytes } from './uploadFile';

/**
 * Above the composer: the files chosen for the next message (a preview, remove one,
 * the caption is the composer's text). Once sent, each shows in its pending bubble
 * (`PendingUploads.tsx`) with its progress.
 */
export function FileTray(props: { roomId: string; chosen: ChosenFile[] }) {
  return (
    <Show when={props.chosen.length > 0}>
      <div class="file-tray" data-testid="file-tray">
        <For each={props.chosen}>
          {(chosen) => (
            <div class="file-chip" data-testid="chosen-file">
              <Show
                when={chosen.preview}
                fallback={
                  <span class="file-chip-icon">
                    <DocumentIcon />
                  </span>
                }
              >
                {(src) => <img class="file-chip-preview" src={src()} alt="" />}
              </Show>
              <span class="file-chip-name">{chosen.file.name}</span>
              <span class="file-chip-size">{formatBytes(chosen.file.size)}</span>
              <button type="button" class="icon-button" aria-label={`Remove ${chosen.file.name}`} onClick={() => removeChosen(props.roomId, chosen.key)} data-testid="remove-chosen">
                <CloseIcon />
              </button>
            </div>
          )}
        </For>
      </div>
    </Show>
  );
}
