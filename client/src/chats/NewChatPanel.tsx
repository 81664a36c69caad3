import { createSignal, Show } from 'solid-js';
import type { PublicUser } from '../../../schema/api/auth';
import { parseUserId, type RoomId } from '../../../schema/ids';
import type { Session } from '../auth/session';
import { PanelHeader } from '../layout/PanelHeader';
import { UserSearch } from '../users/UserSearch';
import { startDm } from './startChat';

/** Pick a person to open (or start) the DM with them. */
export function NewChatPanel(props: { session: Session; onClose: () => void; onOpen: (roomId: RoomId) => void }) {
  const [error, setError] = createSignal<string>();
  async function pick(user: PublicUser) {
    const peer = parseUserId(user.id);
    if (!peer) return setError('This account cannot be messaged.');
    props.onOpen(await startDm(props.session.replicas, props.session.user.id, { id: peer, displayName: user.displayName }));
  }
  return (
    <section class="panel" data-testid="new-chat-panel">
      <PanelHeader title="New chat" onBack={props.onClose} />
      <Show when={error()}>
        <p class="panel-note panel-error">{error()}</p>
      </Show>
      <UserSearch hidden={(id) => id === props.session.user.id} onPick={pick} autofocus />
    </section>
  );
}
