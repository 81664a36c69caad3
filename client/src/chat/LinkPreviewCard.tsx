import { Show } from 'solid-js';
import type { LinkPreview } from '../../../schema/docs/message';
import { CloseIcon } from '../layout/icons';

/** A link's title, description and site: in a bubble (a link to the page), or above the composer with ×. */
export function LinkPreviewCard(props: { preview: LinkPreview; onDismiss?: () => void; testid: string }) {
  const body = () => (
    <>
      <span class="link-preview-title" dir="auto">
        {props.preview.title}
      </span>
      <Show when={props.preview.description}>
        <span class="link-preview-description" dir="auto">
          {props.preview.description}
        </span>
      </Show>
      <span class="link-preview-site">{props.preview.site}</span>
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
        <div class="link-preview-text">{body()}</div>
        <button type="button" class="icon-button" aria-label="Remove link preview" onClick={() => props.onDismiss?.()} data-testid="composer-preview-dismiss">
          <CloseIcon />
        </button>
      </div>
    </Show>
  );
}
