import { createSignal, For, Show } from 'solid-js';
import type { PublicUser } from '#schema/api/auth';
import { MAX_GROUP_NAME } from '#schema/docs/roomHead';
import { parseUserId, type RoomId, type UserId } from '#schema/ids';
import type { Session } from '../auth/session';
import { PanelHeader } from '../layout/PanelHeader';
import { UserSearch } from '../users/UserSearch';
import { createGroup } from './startChat';

/** Name a group and pick its members, then create it. */
export function NewGroupPanel(props: { session: Session; onClose: () => void; onOpen: (roomId: RoomId) => void }) {
  const [name, setName] = createSignal('');
  const [members, setMembers] = createSignal<PublicUser[]>([]);
  const [busy, setBusy] = createSignal(false);
  const ready = () => name().trim().length > 0 && members().length > 0 && !busy();
  const hidden = (id: string) => id === props.session.user.id || members().some((m) => m.id === id);

  async function create(event: Event) {
    event.preventDefault();
    if (!ready()) return;
    setBusy(true);
    const ids = members().flatMap((m) => parseUserId(m.id) ?? []) as UserId[];
    props.onOpen(await createGroup(props.session.replicas, props.session.user.id, name(), ids));
  }

  return (
    <section class="panel" data-testid="new-group-panel">
      <PanelHeader title="New group" onBack={props.onClose} />
      <form class="group-form" onSubmit={create}>
        <div class="field">
          <label for="group-name">Group name</label>
          <input id="group-name" value={name()} maxLength={MAX_GROUP_NAME} onInput={(e) => setName(e.currentTarget.value)} autofocus data-testid="group-name" />
        </div>
        <div class="field">
          <span class="field-label">Members</span>
          <Show when={members().length > 0} fallback={<p class="panel-note panel-note-inline">Add at least one person below.</p>}>
            <ul class="member-chips">
              <For each={members()}>
                {(m) => (
                  <li class="chip" data-testid="member-chip">
                    {m.displayName}
                    <button type="button" aria-label={`Remove ${m.displayName}`} onClick={() => setMembers((list) => list.filter((x) => x.id !== m.id))}>
                      ×
                    </button>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </div>
        <button class="button-primary" type="submit" disabled={!ready()} data-testid="create-group">
          {busy() ? 'Creating…' : 'Create group'}
        </button>
      </form>
      <UserSearch forGroup hidden={hidden} onPick={(user) => setMembers((list) => [...list, user])} />
    </section>
  );
}
