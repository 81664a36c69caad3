import { createSignal, Show } from 'solid-js';
import { apiErrorOf, apiRequest } from '../api/apiRequest';
import { accountDeleted } from '../auth/session';
import { clearMediaCache, mediaCacheBytes } from '../files/mediaCache';
import { formatBytes } from '../files/uploadFile';
import { messageOf } from './messageOf';

/** Changing my password (which signs my other devices out). */
export function PasswordSection() {
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

/**
 * Changing the e-mail address that password resets go to. The server answers alike
 * whether or not another account has the address (as sign-up does), so this says
 * what happens in both cases: a mail to the address tells which it was.
 */
export function EmailSection() {
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [note, setNote] = createSignal<{ text: string; error?: boolean }>();
  async function change(e: SubmitEvent) {
    e.preventDefault();
    try {
      await apiRequest('PUT', '/me/email', { email: email(), password: password() });
      setNote({ text: `Unless another account uses ${email().trim()}, it is now yours. A mail to it says which.` });
      setEmail('');
      setPassword('');
    } catch (err) {
      setNote({ text: messageOf(err), error: true });
    }
  }
  return (
    <form class="settings-section" onSubmit={change} data-testid="settings-email">
      <h3>E-mail address</h3>
      <p class="panel-note panel-note-inline">Where password resets are sent. Nobody else sees it.</p>
      <label class="settings-field">
        <span>New address</span>
        <input type="email" autocomplete="email" required maxLength={254} value={email()} onInput={(e) => setEmail(e.currentTarget.value)} data-testid="email-new" />
      </label>
      <label class="settings-field">
        <span>Password</span>
        <input type="password" autocomplete="current-password" required value={password()} onInput={(e) => setPassword(e.currentTarget.value)} data-testid="email-password" />
      </label>
      <div class="settings-actions">
        <button type="submit" class="button-primary" data-testid="email-save">
          Change address
        </button>
      </div>
      <Show when={note()}>
        {(n) => (
          <p classList={{ 'settings-note': true, 'panel-error': !!n().error }} data-testid="email-note">
            {n().text}
          </p>
        )}
      </Show>
    </form>
  );
}

/**
 * "Export my data": the server's JSON of my profile, contacts and every message I can
 * read, fetched first (so a refusal shows here, not as a downloaded error) and then
 * saved under the name the server gives it.
 */
export function ExportSection() {
  const [busy, setBusy] = createSignal(false);
  const [note, setNote] = createSignal<{ text: string; error?: boolean }>();
  async function download() {
    setBusy(true);
    setNote({ text: 'Preparing your file…' });
    try {
      const response = await fetch('/api/me/export', { credentials: 'same-origin' });
      if (!response.ok) throw await apiErrorOf(response);
      const name = /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'jeco-export.json';
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setNote({ text: 'Downloaded.' });
    } catch (err) {
      setNote({ text: err instanceof TypeError ? 'Cannot reach the server. Check your connection and try again.' : messageOf(err), error: true });
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="settings-section" data-testid="settings-export">
      <h3>Your data</h3>
      <p class="panel-note panel-note-inline">A file with your profile, your contacts and every message of your chats. Photos and files are listed as links.</p>
      <div class="settings-actions">
        <button type="button" class="button-secondary" disabled={busy()} onClick={() => void download()} data-testid="export-data">
          Export my data
        </button>
        <Show when={note()}>
          {(n) => (
            <span classList={{ 'settings-note': true, 'panel-error': !!n().error }} data-testid="export-note">
              {n().text}
            </span>
          )}
        </Show>
      </div>
    </section>
  );
}

/**
 * Deleting the account: asked for the password (an unlocked device left behind cannot
 * do it), after saying what happens. The server signs out every device; this one wipes
 * its local copies and shows the sign-in page.
 */
export function DeleteAccountSection() {
  const [open, setOpen] = createSignal(false);
  const [password, setPassword] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  function cancel() {
    setOpen(false);
    setPassword('');
    setError(undefined);
  }
  async function remove(e: SubmitEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      await apiRequest('DELETE', '/me', { password: password() });
      await accountDeleted();
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  }
  return (
    <section class="settings-section" data-testid="settings-delete-account">
      <h3>Delete account</h3>
      <Show
        when={open()}
        fallback={
          <button type="button" class="button-text danger" onClick={() => setOpen(true)} data-testid="delete-account-open">
            Delete my account…
          </button>
        }
      >
        <form class="settings-danger-zone" onSubmit={remove}>
          <p class="panel-note panel-note-inline">
            Your name, about line and photo are removed and every device is signed out. Messages you sent stay in others' chats, shown as from “Deleted account”. This cannot be undone.
          </p>
          <label class="settings-field">
            <span>Password</span>
            <input type="password" autocomplete="current-password" required value={password()} onInput={(e) => setPassword(e.currentTarget.value)} data-testid="delete-account-password" />
          </label>
          <div class="settings-actions">
            <button type="submit" class="button-danger" disabled={busy()} data-testid="delete-account-confirm">
              Delete my account
            </button>
            <button type="button" class="button-text" onClick={cancel}>
              Cancel
            </button>
          </div>
          <Show when={error()}>
            <p class="panel-note panel-note-inline panel-error" data-testid="delete-account-error">
              {error()}
            </p>
          </Show>
        </form>
      </Show>
    </section>
  );
}

/** Photos, videos and files kept on this device so that they open offline: how much, and a way to free it. */
export function StorageSection() {
  const [bytes, setBytes] = createSignal<number | null>(null);
  const measure = () => void mediaCacheBytes().then(setBytes, () => setBytes(0));
  measure();
  async function clear() {
    await clearMediaCache();
    measure();
  }
  return (
    <section class="settings-section" data-testid="settings-storage">
      <h3>Storage</h3>
      <p class="panel-note panel-note-inline">Photos, videos and files you have opened stay on this device, so they open without a network.</p>
      <div class="settings-actions">
        <span class="settings-note" data-testid="media-cache-size">
          {bytes() === null ? 'Measuring…' : `${formatBytes(bytes()!)} on this device`}
        </span>
        <button type="button" class="button-secondary" disabled={!bytes()} onClick={() => void clear()} data-testid="media-cache-clear">
          Clear
        </button>
      </div>
    </section>
  );
}
