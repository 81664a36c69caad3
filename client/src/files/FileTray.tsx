import { For, Show } from 'solid-js';
import { ClockIcon, CloseIcon } from '../layout/icons';
import { removeChosen, type ChosenFile } from './attachQueue';
import { DocumentIcon } from './fileIcons';
import { formatBytes } from './uploadFile';
import type { OutgoingUpload } from './useUploads';

/**
 * Above the composer: the files chosen for the next message (a preview, remove one,
 * the caption is the composer's text), then the uploads under way with their progress,
 * a cancel, and a retry after a failure.
 */
export function FileTray(props: { roomId: string; chosen: ChosenFile[]; uploads: OutgoingUpload[]; onCancel: (key: string) => void; onRetry: (key: string) => void }) {
  return (
    <Show when={props.chosen.length > 0 || props.uploads.length > 0}>
      <div class="file-tray" data-testid="file-tray">
        <For each={props.chosen}>
          {(chosen) => (
            <div class="file-chip" data-testid="chosen-file">
              <Show when={chosen.preview} fallback={<span class="file-chip-icon"><DocumentIcon /></span>}>
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
        <For each={props.uploads}>
          {(upload) => (
            <div class="file-chip uploading" classList={{ failed: !!upload.error }} data-testid="upload" data-offline={upload.offline ? 'true' : 'false'}>
              <Show when={upload.preview} fallback={<span class="file-chip-icon"><DocumentIcon /></span>}>
                {(src) => <img class="file-chip-preview" src={src()} alt="" />}
              </Show>
              <span class="file-chip-name">{upload.name}</span>
              <Show
                when={upload.error}
                fallback={
                  <Show
                    when={!upload.offline}
                    fallback={
                      <span class="file-waiting" title="Sends when the network is back" data-testid="upload-waiting">
                        <ClockIcon /> Waiting for network
                      </span>
                    }
                  >
                    <progress class="file-progress" max="1" value={upload.progress} aria-label={`Uploading ${upload.name}`} data-testid="upload-progress" />
                  </Show>
                }
              >
                {(error) => (
                  <>
                    <span class="file-error" role="alert">{error()}</span>
                    <button type="button" class="text-button" onClick={() => props.onRetry(upload.key)} data-testid="upload-retry">
                      Retry
                    </button>
                  </>
                )}
              </Show>
              <button type="button" class="icon-button" aria-label={`Cancel ${upload.name}`} onClick={() => props.onCancel(upload.key)} data-testid="upload-cancel">
                <CloseIcon />
              </button>
            </div>
          )}
        </For>
      </div>
    </Show>
  );
}
