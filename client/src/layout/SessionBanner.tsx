import { useNavigate } from '@solidjs/router';
import { Show } from 'solid-js';
import { SYNC_REFUSALS } from '#schema/api/errors';
import { messageCount } from './messageCount';

/** Shown when the server has ended the session: chats stay readable from this device until one signs in again. */
export function SessionBanner(props: { ended: boolean; offline: boolean; waiting: number }) {
  const navigate = useNavigate();
  return (
    <Show
      when={props.ended}
      fallback={
        <Show when={props.offline}>
          <div class="banner banner-offline" role="status" data-testid="offline-banner">
            {`You are offline. ${props.waiting === 0 ? 'New messages' : messageCount(props.waiting)} will be sent when you reconnect.`}
          </div>
        </Show>
      }
    >
      <div class="banner banner-session" role="alert" data-testid="session-ended">
        <span>
          {SYNC_REFUSALS.unauthorized.message}
          <Show when={props.waiting > 0}>{` Then ${messageCount(props.waiting)} will be sent.`}</Show>
        </span>
        <button type="button" class="button-secondary" onClick={() => navigate('/login')}>
          Sign in
        </button>
      </div>
    </Show>
  );
}
