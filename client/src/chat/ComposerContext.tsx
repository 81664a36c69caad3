import type { ShownMessage } from '#schema/docs/bucket';
import type { UserId } from '#schema/ids';
import { CloseIcon } from '../layout/icons';
import { QuotedMessage } from './QuotedMessage';

/** The bar above the composer while replying to or editing a message, with its cancel ×. */
export function ComposerContext(props: { kind: 'reply' | 'edit'; message: ShownMessage; me: UserId; onCancel: () => void }) {
  return (
    <div class="composer-context-bar" data-testid={props.kind === 'reply' ? 'reply-preview' : 'edit-preview'}>
      <div class="composer-context-body">
        {props.kind === 'edit' ? <p class="composer-context-label">Edit message</p> : null}
        <QuotedMessage original={props.message} me={props.me} />
      </div>
      <button type="button" class="icon-button" aria-label={props.kind === 'reply' ? 'Cancel reply' : 'Cancel edit'} onClick={() => props.onCancel()} data-testid="cancel-context">
        <CloseIcon />
      </button>
    </div>
  );
}
