import { createSignal, onMount, Show } from 'solid-js';
import type { PublicUser } from '#schema/api/auth';
import { apiRequest } from '../api/apiRequest';
import type { Session } from '../auth/session';
import { currentPushSubscription, pushSupported, renewPushSubscription, turnPushOff, turnPushOn } from '../notifications/webPush';
import { messageOf } from './messageOf';

/**
 * Push notifications on this browser (on/off: subscribe or unsubscribe), and whether
 * they show message text (a setting of the account, on every device).
 */
export function NotificationsSection(props: { session: Session }) {
  const [on, setOn] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [preview, setPreview] = createSignal(props.session.user.pushPreview !== false);
  const [error, setError] = createSignal<string>();
  onMount(() => {
    // The account's setting as the server has it now, and whether this browser receives.
    apiRequest<{ user: PublicUser }>('GET', '/auth/me')
      .then(({ user }) => setPreview(user.pushPreview !== false))
      .catch(() => undefined);
    void currentPushSubscription()
      .then((subscription) => {
        setOn(subscription !== null && Notification.permission === 'granted');
        // Kept registered for this session (a browser that subscribed under an earlier sign-in).
        if (subscription) void renewPushSubscription().catch(() => undefined);
      })
      .catch(() => undefined);
  });
  async function toggle(input: HTMLInputElement) {
    const next = input.checked;
    setBusy(true);
    try {
      await (next ? turnPushOn() : turnPushOff());
      setOn(next);
      setError(undefined);
    } catch (e) {
      setError(e instanceof Error ? e.message : messageOf(e));
    } finally {
      // The box flipped when clicked: it shows what is true, whatever happened.
      input.checked = on();
      setBusy(false);
    }
  }
  async function togglePreview(input: HTMLInputElement) {
    const next = input.checked;
    try {
      await apiRequest('PATCH', '/me', { pushPreview: next });
      setPreview(next);
      setError(undefined);
    } catch (e) {
      setError(messageOf(e));
    }
    input.checked = preview();
  }
  return (
    <section class="settings-section" data-testid="settings-notifications">
      <h3>Notifications</h3>
      <Show when={pushSupported()} fallback={<p class="panel-note panel-note-inline">This browser cannot show notifications from Jeco when it is closed.</p>}>
        <ul class="settings-list">
          <li class="settings-row">
            <label class="settings-row-text" for="push-on">
              <span class="settings-row-title">On this device</span>
              <span class="settings-row-sub">Even when Jeco is closed</span>
            </label>
            <input
              id="push-on"
              type="checkbox"
              role="switch"
              class="settings-switch"
              checked={on()}
              aria-checked={on()}
              disabled={busy()}
              onChange={(e) => void toggle(e.currentTarget)}
              data-testid="push-toggle"
            />
          </li>
          <li class="settings-row">
            <label class="settings-row-text" for="push-preview">
              <span class="settings-row-title">Show message preview</span>
              <span class="settings-row-sub">Off: who wrote, not what</span>
            </label>
            <input
              id="push-preview"
              type="checkbox"
              role="switch"
              class="settings-switch"
              checked={preview()}
              aria-checked={preview()}
              onChange={(e) => void togglePreview(e.currentTarget)}
              data-testid="push-preview-toggle"
            />
          </li>
        </ul>
      </Show>
      <Show when={error()}>
        <p class="panel-note panel-note-inline panel-error" data-testid="push-error">
          {error()}
        </p>
      </Show>
    </section>
  );
}
