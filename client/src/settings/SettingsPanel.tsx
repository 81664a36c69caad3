import { createResource, createSignal, For, onMount, Show } from 'solid-js';
import type { PublicUser } from '../../../schema/api/auth';
import { ABOUT_MAX, type DevicesResponse, type PrivacyResponse } from '../../../schema/api/people';
import type { Audience, GroupAdders, PrivacySettings } from '../../../schema/privacy';
import { ApiError, apiRequest } from '../api/apiRequest';
import type { Session } from '../auth/session';
import { currentPushSubscription, pushSupported, renewPushSubscription, turnPushOff, turnPushOn } from '../notifications/webPush';
import { PhotoCropper } from './PhotoCropper';
import { uploadProfilePhoto } from './uploadProfilePhoto';
import { DeleteAccountSection, EmailSection, ExportSection, StorageSection } from './AccountSection';
import { PanelHeader } from '../layout/PanelHeader';
import { formatMoment } from '../time/formatTime';
import { Avatar } from '../users/Avatar';
import { loadBlocked, unblockUser } from '../users/blocks';
import { rememberUsers, userById } from '../users/userDirectory';

const messageOf = (error: unknown) => (error instanceof ApiError ? error.message : 'Something went wrong.');

/** Settings, from the sidebar: my profile, my privacy, notifications, my devices, my password and whom I blocked. */
export function SettingsPanel(props: { session: Session; onClose: () => void }) {
  return (
    <section class="panel settings" data-testid="settings-panel">
      <PanelHeader title="Settings" onBack={props.onClose} />
      <div class="settings-body">
        <ProfileSection session={props.session} />
        <PrivacySection />
        <NotificationsSection session={props.session} />
        <DevicesSection />
        <PasswordSection />
        <EmailSection />
        <BlockedSection />
        <StorageSection />
        <ExportSection />
        <DeleteAccountSection />
      </div>
    </section>
  );
}

function ProfileSection(props: { session: Session }) {
  const me = () => userById(props.session.user.id) ?? props.session.user;
  const [name, setName] = createSignal(me().displayName);
  const [about, setAbout] = createSignal(me().about ?? '');
  const [note, setNote] = createSignal<{ text: string; error?: boolean }>();
  async function save(e: SubmitEvent) {
    e.preventDefault();
    try {
      const { user } = await apiRequest<{ user: PublicUser }>('PATCH', '/me', { displayName: name(), about: about() });
      rememberUsers([user]);
      setNote({ text: 'Saved.' });
    } catch (error) {
      setNote({ text: messageOf(error), error: true });
    }
  }
  return (
    <form class="settings-section" onSubmit={save} data-testid="settings-profile">
      <h3>Profile</h3>
      <div class="settings-profile-head">
        <Avatar name={name() || '?'} seed={props.session.user.id} size="large" />
        <span class="settings-profile-id">
          <span class="settings-username">@{props.session.user.username}</span>
          <PhotoButtons hasPhoto={!!me().photo} onNote={setNote} />
        </span>
      </div>
      <label class="settings-field">
        <span>Name</span>
        <input value={name()} maxLength={64} required onInput={(e) => setName(e.currentTarget.value)} data-testid="profile-name" />
      </label>
      <label class="settings-field">
        <span>About</span>
        <input value={about()} maxLength={ABOUT_MAX} placeholder="Available" onInput={(e) => setAbout(e.currentTarget.value)} data-testid="profile-about" />
      </label>
      <div class="settings-actions">
        <button type="submit" class="button-primary" data-testid="profile-save">
          Save
        </button>
        <Show when={note()}>{(n) => <span classList={{ 'settings-note': true, 'panel-error': !!n().error }}>{n().text}</span>}</Show>
      </div>
    </form>
  );
}

/** "Change photo" (pick an image, crop it to a square here, send it) and "Remove photo". */
function PhotoButtons(props: { hasPhoto: boolean; onNote: (note: { text: string; error?: boolean }) => void }) {
  let input!: HTMLInputElement;
  const [image, setImage] = createSignal<ImageBitmap>();
  async function picked(file: File | undefined) {
    input.value = '';
    if (!file) return;
    try {
      setImage(await createImageBitmap(file));
    } catch {
      props.onNote({ text: 'That image could not be read. Try a JPEG or PNG.', error: true });
    }
  }
  async function cropped(photo: Blob | null) {
    image()?.close();
    setImage(undefined);
    if (!photo) return;
    try {
      rememberUsers([await uploadProfilePhoto(photo)]);
      props.onNote({ text: 'Photo saved.' });
    } catch (error) {
      props.onNote({ text: messageOf(error), error: true });
    }
  }
  async function remove() {
    try {
      const { user } = await apiRequest<{ user: PublicUser }>('DELETE', '/me/photo');
      rememberUsers([user]);
      props.onNote({ text: 'Photo removed.' });
    } catch (error) {
      props.onNote({ text: messageOf(error), error: true });
    }
  }
  return (
    <span class="settings-photo-buttons">
      <input ref={input} type="file" accept="image/jpeg,image/png,image/webp" hidden onChange={(e) => void picked(e.currentTarget.files?.[0])} data-testid="photo-input" />
      <button type="button" class="button-text" onClick={() => input.click()} data-testid="photo-change">
        {props.hasPhoto ? 'Change photo' : 'Add photo'}
      </button>
      <Show when={props.hasPhoto}>
        <button type="button" class="button-text danger" onClick={() => void remove()} data-testid="photo-remove">
          Remove
        </button>
      </Show>
      <Show when={image()}>{(bitmap) => <PhotoCropper image={bitmap()} onDone={(photo) => void cropped(photo)} />}</Show>
    </span>
  );
}

const AUDIENCE_LABELS: Record<Audience, string> = { everyone: 'Everyone', contacts: 'My contacts', nobody: 'Nobody' };
const GROUP_ADDER_LABELS: Record<GroupAdders, string> = { everyone: 'Everyone', contacts: 'My contacts' };

/**
 * Who sees my last seen and online, my photo and about, whether my DMs show read
 * receipts, and who may add me to groups. The server enforces each; this only asks it.
 */
function PrivacySection() {
  const [settings, { mutate }] = createResource(() => apiRequest<PrivacyResponse>('GET', '/me/privacy').then((r) => r.privacy));
  const [note, setNote] = createSignal<{ text: string; error?: boolean }>();
  async function change(patch: Partial<PrivacySettings>) {
    try {
      const { privacy } = await apiRequest<PrivacyResponse>('PATCH', '/me/privacy', patch);
      mutate(privacy);
      setNote({ text: 'Saved.' });
    } catch (error) {
      setNote({ text: messageOf(error), error: true });
    }
  }
  const row = (props: { title: string; sub: string; testid: string; value: () => string; options: Record<string, string>; onChange: (value: string) => void }) => (
    <li class="settings-row">
      <label class="settings-row-text" for={props.testid}>
        <span class="settings-row-title settings-row-wrap">{props.title}</span>
        <span class="settings-row-sub settings-row-wrap">{props.sub}</span>
      </label>
      <select id={props.testid} class="settings-select" onChange={(e) => props.onChange(e.currentTarget.value)} data-testid={props.testid}>
        <For each={Object.entries(props.options)}>{([value, label]) => (
            <option value={value} selected={props.value() === value}>
              {label}
            </option>
          )}</For>
      </select>
    </li>
  );
  return (
    <section class="settings-section" data-testid="settings-privacy">
      <h3>Privacy</h3>
      <Show when={settings()} fallback={<p class="panel-note panel-note-inline">{settings.error ? 'Privacy settings show when you are online.' : 'Loading…'}</p>}>
        {(current) => (
          <>
            <ul class="settings-list">
              {row({
                title: 'Last seen and online',
                sub: 'Also online and typing. Groups show them only with Everyone.',
                testid: 'privacy-last-seen',
                value: () => current().lastSeen,
                options: AUDIENCE_LABELS,
                onChange: (value) => void change({ lastSeen: value as Audience }),
              })}
              {row({
                title: 'Photo and about',
                sub: 'Who sees your profile photo and about line.',
                testid: 'privacy-profile',
                value: () => current().profile,
                options: AUDIENCE_LABELS,
                onChange: (value) => void change({ profile: value as Audience }),
              })}
              <li class="settings-row">
                <label class="settings-row-text" for="privacy-read-receipts">
                  <span class="settings-row-title settings-row-wrap">Read receipts</span>
                  <span class="settings-row-sub settings-row-wrap">
                    Off: in one-to-one chats neither of you sees when the other has read. Groups always show them.
                  </span>
                </label>
                <input
                  id="privacy-read-receipts"
                  type="checkbox"
                  class="settings-switch"
                  checked={current().readReceipts}
                  onChange={(e) => void change({ readReceipts: e.currentTarget.checked })}
                  data-testid="privacy-read-receipts"
                />
              </li>
              {row({
                title: 'Groups',
                sub: 'Who can add you to groups.',
                testid: 'privacy-group-add',
                value: () => current().groupAdd,
                options: GROUP_ADDER_LABELS,
                onChange: (value) => void change({ groupAdd: value as GroupAdders }),
              })}
            </ul>
            <Show when={note()}>{(n) => <span classList={{ 'settings-note': true, 'panel-error': !!n().error }} data-testid="privacy-note">{n().text}</span>}</Show>
          </>
        )}
      </Show>
    </section>
  );
}

/**
 * Push notifications on this browser (on/off: subscribe or unsubscribe), and whether
 * they show message text (a setting of the account, on every device).
 */
function NotificationsSection(props: { session: Session }) {
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
            <input id="push-on" type="checkbox" role="switch" class="settings-switch" checked={on()} aria-checked={on()} disabled={busy()} onChange={(e) => void toggle(e.currentTarget)} data-testid="push-toggle" />
          </li>
          <li class="settings-row">
            <label class="settings-row-text" for="push-preview">
              <span class="settings-row-title">Show message preview</span>
              <span class="settings-row-sub">Off: who wrote, not what</span>
            </label>
            <input id="push-preview" type="checkbox" role="switch" class="settings-switch" checked={preview()} aria-checked={preview()} onChange={(e) => void togglePreview(e.currentTarget)} data-testid="push-preview-toggle" />
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

function DevicesSection() {
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

function PasswordSection() {
  const [current, setCurrent] = createSignal('');
  const [next, setNext] = createSignal('');
  const [note, setNote] = createSignal<{ text: string; error?: boolean }>();
  async function change(e: SubmitEvent) {
    e.preventDefault();
    try {
      await apiRequest('POST', '/auth/password', { currentPassword: current(), newPassword: next() });
      setCurrent('');
      setNext('');
      setNote({ text: 'Password changed. Your other devices were signed out.' });
    } catch (error) {
      setNote({ text: messageOf(error), error: true });
    }
  }
  return (
    <form class="settings-section" onSubmit={change} data-testid="settings-password">
      <h3>Change password</h3>
      <label class="settings-field">
        <span>Current password</span>
        <input type="password" autocomplete="current-password" required value={current()} onInput={(e) => setCurrent(e.currentTarget.value)} data-testid="password-current" />
      </label>
      <label class="settings-field">
        <span>New password</span>
        <input type="password" autocomplete="new-password" minLength={8} required value={next()} onInput={(e) => setNext(e.currentTarget.value)} data-testid="password-new" />
      </label>
      <div class="settings-actions">
        <button type="submit" class="button-primary" data-testid="password-save">
          Change password
        </button>
        <Show when={note()}>{(n) => <span classList={{ 'settings-note': true, 'panel-error': !!n().error }}>{n().text}</span>}</Show>
      </div>
    </form>
  );
}

function BlockedSection() {
  const [list, { refetch }] = createResource(loadBlocked);
  return (
    <section class="settings-section" data-testid="settings-blocked">
      <h3>Blocked</h3>
      <Show when={!list.error} fallback={<p class="panel-note panel-note-inline">The blocked list shows when you are online.</p>}>
        <Show when={(list() ?? []).length > 0} fallback={<p class="panel-note panel-note-inline">Nobody is blocked.</p>}>
          <ul class="settings-list">
            <For each={list()}>
              {(entry) => (
                <li class="settings-row" data-testid="blocked-row">
                  <Avatar name={entry.user.displayName} seed={entry.user.id} size="small" />
                  <span class="settings-row-text">
                    <span class="settings-row-title">{entry.user.displayName}</span>
                    <span class="settings-row-sub">@{entry.user.username}</span>
                  </span>
                  <button type="button" class="button-text" onClick={() => void unblockUser(entry.user.id).then(refetch)} data-testid="unblock">
                    Unblock
                  </button>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </section>
  );
}
