import { createResource, createSignal, For, Show } from 'solid-js';
import type { DevicesResponse } from '#schema/api/people';
import { apiRequest } from '../api/apiRequest';
import { formatMoment } from '../time/formatTime';
import { messageOf } from './messageOf';

/** The devices signed in to my account, each of which I may sign out from here. */
export function DevicesSection() {
  const [devices, { refetch }] = createResource(() => apiRequest<DevicesResponse>('GET', '/auth/sessions').then((r) => r.devices));
  const [error, setError] = createSignal<string>();
  const act = async (work: Promise<unknown>) => {
    try {
      await work;
      setError(undefined);
    } catch (e) {
      setError(messageOf(e));
    }
    void refetch();
  };
  const others = () => (devices() ?? []).filter((d) => !d.current);
  return (
    <section class="settings-section" data-testid="settings-devices">
      <h3>Devices</h3>
      <Show when={!devices.error} fallback={<p class="panel-note panel-note-inline">The devices list shows when you are online.</p>}>
        <ul class="settings-list">
          <For each={devices()}>
            {(device) => (
              <li class="settings-row" data-testid="device-row" data-current={device.current ? 'true' : undefined}>
                <span class="settings-row-text">
                  <span class="settings-row-title">
                    {device.browser}
                    <Show when={device.current}>
                      <span class="settings-badge">This device</span>
                    </Show>
                  </span>
                  <span class="settings-row-sub">
                    Signed in {formatMoment(device.createdAt)}
                    <Show when={!device.current && device.lastActiveAt}>{(at) => <> · active {formatMoment(at())}</>}</Show>
                  </span>
                </span>
                <Show when={!device.current}>
                  <button type="button" class="button-text danger" onClick={() => act(apiRequest('DELETE', `/auth/sessions/${device.id}`))} data-testid="device-sign-out">
                    Sign out
                  </button>
                </Show>
              </li>
            )}
          </For>
        </ul>
        <Show when={others().length > 0}>
          <button type="button" class="button-text danger" onClick={() => act(apiRequest('DELETE', '/auth/sessions'))} data-testid="devices-sign-out-others">
            Sign out all other devices
          </button>
        </Show>
      </Show>
      <Show when={error()}>
        <p class="panel-note panel-note-inline panel-error">{error()}</p>
      </Show>
    </section>
  );
}
