import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import { Portal } from 'solid-js/web';
import type { Attachment } from '#schema/docs/message';
import { CloseIcon } from '../layout/icons';
import { DownloadIcon } from './fileIcons';
import { fileUrl } from './uploadFile';

interface Shown {
  fileId: string;
  name: string;
  mime?: string;
}

/**
 * The chat's images as the message list has them around the view, in order. The list
 * is virtualized, so arrows step through the images loaded near the one opened.
 */
function chatImages(): Shown[] {
  return [...document.querySelectorAll<HTMLElement>('[data-testid="attachment-image"]')].map((el) => ({ fileId: el.dataset.fileId!, name: el.dataset.name! }));
}

/**
 * A full-window viewer: the image (or video) at full size, arrows to the chat's other
 * images (or to `items`, as "Media, links and docs" passes its list), Escape to close,
 * download.
 */
export function Lightbox(props: { first: Attachment; items?: readonly Shown[]; onClose: () => void }) {
  const images = props.items ? [...props.items] : chatImages();
  const [index, setIndex] = createSignal(
    Math.max(
      0,
      images.findIndex((i) => i.fileId === props.first.fileId),
    ),
  );
  const shown = (): Shown => images[index()] ?? { fileId: props.first.fileId, name: props.first.name, mime: props.first.mime };
  const step = (by: number) => setIndex((i) => Math.min(images.length - 1, Math.max(0, i + by)));
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') props.onClose();
    else if (e.key === 'ArrowLeft') step(-1);
    else if (e.key === 'ArrowRight') step(1);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  onMount(() => window.addEventListener('keydown', onKey, true));
  onCleanup(() => window.removeEventListener('keydown', onKey, true));
  return (
    <Portal>
      <div class="lightbox" role="dialog" aria-label={shown().name} data-testid="lightbox" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
        <div class="lightbox-bar">
          <span class="lightbox-name">{shown().name}</span>
          <a class="icon-button" href={fileUrl(shown().fileId)} download={shown().name} aria-label="Download" data-testid="lightbox-download">
            <DownloadIcon />
          </a>
          <button type="button" class="icon-button" aria-label="Close" onClick={() => props.onClose()} data-testid="lightbox-close">
            <CloseIcon />
          </button>
        </div>
        <button type="button" class="lightbox-step prev" aria-label="Previous image" disabled={index() === 0} onClick={() => step(-1)}>
          ‹
        </button>
        <Show when={shown().mime?.startsWith('video/')} fallback={<img class="lightbox-image" src={fileUrl(shown().fileId)} alt={shown().name} data-testid="lightbox-image" />}>
          {/* biome-ignore lint/a11y/useMediaCaption: a video someone sent comes with no captions to offer */}
          <video class="lightbox-image" src={fileUrl(shown().fileId)} controls autoplay playsinline aria-label={shown().name} data-testid="lightbox-video" />
        </Show>
        <button type="button" class="lightbox-step next" aria-label="Next image" disabled={index() >= images.length - 1} onClick={() => step(1)}>
          ›
        </button>
      </div>
    </Portal>
  );
}
