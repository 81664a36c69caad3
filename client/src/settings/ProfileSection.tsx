import { createSignal, Show } from 'solid-js';
import type { PublicUser } from '#schema/api/auth';
import { ABOUT_MAX } from '#schema/api/people';
import { apiRequest } from '../api/apiRequest';
import type { Session } from '../auth/session';
import { Avatar } from '../users/Avatar';
import { rememberUsers, userById } from '../users/userDirectory';
import { PhotoCropper } from './PhotoCropper';
import { messageOf } from './messageOf';
import { uploadProfilePhoto } from './uploadProfilePhoto';

/** My name, about line and photo, as others see them. */
export function ProfileSection(props: { session: Session }) {
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
