import { For, onMount, Show } from 'solid-js';
import { ClockIcon, CloseIcon } from '../layout/icons';
import { placeholder } from './AttachmentView';
import { DocumentIcon } from './fileIcons';
import type { FileSender, OutgoingUpload } from './fileSender';
import { formatBytes } from './uploadFile';

/** Widest a pending image or video shows, as its sent bubble will. */
const MAX_MEDIA_WIDTH_PX = 280;

/**
 * The chat's files on their way, at the end of its messages as own bubbles: the photo
 * itself (or a video's first frame at its shape, or a document's name and size), the
 * upload's progress, a cancel, and once it failed, why and a retry; offline, a clock
 * until the network is back. Once the file is stored its message takes its place.
 */
export function PendingUploads(props: { files: FileSender; roomId: string }) {
  return <For each={props.files.inRoom(props.roomId)}>{(upload) => <PendingUpload upload={upload} onCancel={(key) => props.files.cancel(key)} onRetry={(key) => props.files.retry(key)} />}</For>;
}

function PendingUpload(props: { upload: OutgoingUpload; onCancel: (key: string) => void; onRetry: (key: string) => void }) {
  let row!: HTMLDivElement;
  // A file just sent shows at once where its message will be: the list scrolls to its end
  // (the list only, not the panes around it, as scrollIntoView would).
  onMount(() => {
    const list = row.closest<HTMLElement>('[data-testid="messages"]');
    if (list) list.scrollTop = list.scrollHeight;
  });
  const shape = () => props.upload.shape;
  const percent = () => Math.round(props.upload.progress * 100);
  return (
    <div class="history-item" ref={row}>
      <div class="message-row own first pending-upload-row">
        <div class="bubble pending-upload" classList={{ failed: !!props.upload.error }} data-testid="upload" data-offline={props.upload.offline ? 'true' : 'false'}>
          <Show
            when={props.upload.preview ?? (shape() && placeholder(shape()!.thumbhash))}
            fallback={
              <div class="pending-upload-doc">
                <span class="attachment-doc-icon">
                  <DocumentIcon />
                </span>
                <span class="attachment-doc-text">
                  <span class="attachment-doc-name">{props.upload.name}</span>
                  <span class="attachment-doc-meta">{formatBytes(props.upload.size)}</span>
                </span>
              </div>
            }
          >
            {(src) => (
              <div
                class="pending-upload-media"
                style={shape() ? { width: `${Math.min(MAX_MEDIA_WIDTH_PX, shape()!.width)}px`, 'aspect-ratio': `${shape()!.width} / ${shape()!.height}` } : {}}
                data-testid="upload-media"
              >
                <img src={src()} alt={props.upload.name} />
              </div>
            )}
          </Show>
          <div class="pending-upload-state">
            <Show
              when={props.upload.error}
              fallback={
                <Show
                  when={!props.upload.offline}
                  fallback={
                    <span class="file-waiting" title="Sends when the network is back" data-testid="upload-waiting">
                      <ClockIcon /> Waiting for network
                    </span>
                  }
                >
                  <progress class="file-progress" max="1" value={props.upload.progress} aria-label={`Uploading ${props.upload.name}`} data-testid="upload-progress" />
                  <span class="pending-upload-percent" data-testid="upload-percent">{`${percent()}%`}</span>
                </Show>
              }
            >
              {(error) => (
                <>
                  <span class="file-error" role="alert">
                    {error()}
                  </span>
                  <button type="button" class="text-button" onClick={() => props.onRetry(props.upload.key)} data-testid="upload-retry">
                    Retry
                  </button>
                </>
              )}
            </Show>
            <button type="button" class="icon-button" aria-label={`Cancel ${props.upload.name}`} onClick={() => props.onCancel(props.upload.key)} data-testid="upload-cancel">
              <CloseIcon />
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}
