import { createSignal, Match, Show, Switch } from 'solid-js';
import { thumbHashToDataURL } from 'thumbhash';
import type { Attachment } from '#schema/docs/message';
import { DocumentIcon, DownloadIcon } from './fileIcons';
import { Lightbox } from './Lightbox';
import { fileUrl, formatBytes } from './uploadFile';
import { VoiceNote } from './VoiceNote';

/** Widest an image shows in a bubble, in CSS px; its height follows its recorded shape. */
const MAX_IMAGE_WIDTH_PX = 280;

/** The ThumbHash as an image; a malformed one (from an old or odd client) just shows none. */
export function placeholder(thumbhash: string | undefined): string | undefined {
  if (!thumbhash) return undefined;
  try {
    return thumbHashToDataURL(Uint8Array.from(atob(thumbhash), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** A short type label for a document: the name's extension, else the type's subtype. */
function typeLabel(attachment: Attachment): string {
  const ext = /\.([A-Za-z0-9]{1,6})$/.exec(attachment.name)?.[1];
  return (ext ?? attachment.mime.split('/')[1] ?? 'file').toUpperCase();
}

/**
 * A message's file. Images show their thumbnail at their own aspect ratio from the first
 * frame (width and height are in the message, the ThumbHash fills the box until the
 * thumbnail arrives), and open the lightbox; audio plays in the bubble (a voice note);
 * videos play in place; other files show name, type and size and download under their
 * original name.
 */
export function AttachmentView(props: { attachment: Attachment }) {
  return (
    <Switch fallback={<ImageOrDocument attachment={props.attachment} />}>
      <Match when={props.attachment.mime.startsWith('audio/')}>
        <VoiceNote attachment={props.attachment} />
      </Match>
      <Match when={props.attachment.mime.startsWith('video/')}>
        {/* biome-ignore lint/a11y/useMediaCaption: a video someone sent comes with no captions to offer */}
        <video
          class="attachment-video"
          controls
          playsinline
          preload="metadata"
          // The sender's device measured the first frame (the server cannot decode video): it shows until the video loads.
          poster={placeholder(props.attachment.thumbhash)}
          src={fileUrl(props.attachment.fileId)}
          style={{
            width: `${Math.min(MAX_IMAGE_WIDTH_PX, props.attachment.width ?? MAX_IMAGE_WIDTH_PX)}px`,
            'aspect-ratio': props.attachment.width && props.attachment.height ? `${props.attachment.width} / ${props.attachment.height}` : '16 / 9',
          }}
          aria-label={props.attachment.name}
          data-testid="attachment-video"
          data-file-id={props.attachment.fileId}
        />
      </Match>
    </Switch>
  );
}

/** An image's thumbnail (opening the lightbox), or a document to download. */
function ImageOrDocument(props: { attachment: Attachment }) {
  const [open, setOpen] = createSignal(false);
  const image = () => props.attachment.mime.startsWith('image/') && props.attachment.width && props.attachment.height;
  return (
    <Show
      when={image()}
      fallback={
        <a class="attachment-doc" href={fileUrl(props.attachment.fileId)} download={props.attachment.name} data-testid="attachment-document">
          <span class="attachment-doc-icon">
            <DocumentIcon />
          </span>
          <span class="attachment-doc-text">
            <span class="attachment-doc-name" data-testid="attachment-name">
              {props.attachment.name}
            </span>
            <span class="attachment-doc-meta">
              {typeLabel(props.attachment)} · {formatBytes(props.attachment.size)}
            </span>
          </span>
          <DownloadIcon />
        </a>
      }
    >
      <button
        type="button"
        class="attachment-image"
        style={{
          width: `${Math.min(MAX_IMAGE_WIDTH_PX, props.attachment.width!)}px`,
          'aspect-ratio': `${props.attachment.width} / ${props.attachment.height}`,
          'background-image': placeholder(props.attachment.thumbhash) ? `url(${placeholder(props.attachment.thumbhash)})` : undefined,
        }}
        aria-label={`Open ${props.attachment.name}`}
        onClick={() => setOpen(true)}
        data-testid="attachment-image"
        data-file-id={props.attachment.fileId}
        data-name={props.attachment.name}
      >
        <img src={fileUrl(props.attachment.fileId, true)} alt={props.attachment.name} loading="lazy" />
      </button>
      <Show when={open()}>
        <Lightbox first={props.attachment} onClose={() => setOpen(false)} />
      </Show>
    </Show>
  );
}
