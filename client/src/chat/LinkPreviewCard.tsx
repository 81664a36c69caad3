import { Show } from 'solid-js';
import type { LinkPreview } from '#schema/docs/message';
import { CloseIcon } from '../layout/icons';

/**
 * A link's picture, title, description and site: in a bubble (a link to the page), or
 * above the composer with ×. The picture is the inline copy the server made, so showing
 * it asks the site for nothing.
 */
export function LinkPreviewCard(props: { preview: LinkPreview; onDismiss?: () => void; testid: string }) {
  const body = () => (
    <>
      <Show when={props.preview.image}>{(src) => <img class="link-preview-image" src={src()} alt="" width="56" height="56" data-testid="link-preview-image" />}</Show>
      <span class="link-preview-text">
        <span class="link-preview-title" dir="auto">
          {props.preview.title}
        </span>
        <Show when={props.preview.description}>
          <span class="link-preview-description" dir="auto">
            {props.preview.description}
          </span>
        </Show>
        <span class="link-preview-site">{props.preview.site}</span>
      </span>
    </>
  );
  return (
    <Show
      when={props.onDismiss}
      fallback={
        <a class="link-preview" href={props.preview.url} target="_blank" rel="noopener noreferrer nofollow" data-testid={props.testid}>
          {body()}
        </a>
      }
    >
      <div class="link-preview composer-link-preview" data-testid={props.testid}>
        {body()}
        <button type="button" class="icon-button" aria-label="Remove link preview" onClick={() => props.onDismiss?.()} data-testid="composer-preview-dismiss">
          <CloseIcon />
        </button>
      </div>
    </Show>
  );
}
