import { createSignal, Show } from 'solid-js';
import { SYNC_REFUSALS } from '../../../schema/api/errors';
import type { ChatEntry } from '../../../schema/docs/inbox';
import { roomHeadDoc } from '../../../schema/docs/names';
import { readMembers, readMeta } from '../../../schema/docs/roomHead';
import type { RoomId, RoomRef } from '../../../schema/ids';
import type { Session } from '../auth/session';
import { docSignal } from '../sync/docBindings';
import { useReplica } from '../sync/replicaScope';
import { displayNameOf, userById } from '../users/userDirectory';
import { ChatHeader } from './ChatHeader';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { useRoomMessages } from './useRoomMessages';

export interface ChatViewProps {
  session: Session;
  room: RoomRef;
  /** The chat's index entry, for a title before the room head is in. */
  entry: ChatEntry | undefined;
  onBack: () => void;
}

/** One open chat: read from the local replicas of its head and newest buckets, written to the head bucket. */
export function ChatView(props: ChatViewProps) {
  const { replicas, user, pending } = props.session;
  const roomId: RoomId = props.room.id;
  const head = useReplica(replicas, roomHeadDoc(roomId));
  const meta = docSignal(head.doc, readMeta);
  const members = docSignal(head.doc, readMembers);
  const room = useRoomMessages(replicas, pending, roomId, head, user.id);
  const [sentCount, setSentCount] = createSignal(0);

  const peer = props.room.kind === 'dm' ? props.room.members.find((id) => id !== user.id) : undefined;
  const title = () => (peer ? displayNameOf(peer, props.entry?.title ?? '…') : (meta()?.name ?? props.entry?.title ?? 'Group'));
  const subtitle = () => {
    if (peer) {
      const profile = userById(peer);
      return profile ? `@${profile.username}` : '';
    }
    // Oneself last, as "You", the way chat apps list members.
    const others = [...members().keys()].filter((id) => id !== user.id).map((id) => displayNameOf(id));
    return [...others.sort((a, b) => a.localeCompare(b)), 'You'].join(', ');
  };
  const refusal = () => {
    const kind = head.refusal();
    return kind && kind !== 'unauthorized' ? SYNC_REFUSALS[kind].message : null;
  };

  return (
    <section class="chat" data-testid="chat-view" data-room={roomId}>
      <ChatHeader title={title()} subtitle={subtitle()} seed={peer ?? roomId} onBack={props.onBack} />
      <MessageList
        messages={room.messages()}
        me={user.id}
        group={props.room.kind === 'group'}
        isPending={(id) => pending.has(id)}
        hasOlder={room.hasOlder()}
        loadOlder={room.loadOlder}
        mayLoadOlder={room.mayLoadOlder()}
        sentCount={sentCount()}
      />
      <Show
        when={!refusal()}
        fallback={
          <p class="chat-refused" role="status" data-testid="chat-refused">
            {refusal()}
          </p>
        }
      >
        <Composer
          disabled={!room.ready()}
          onSend={(text) => {
            const sent = room.send(text);
            if (sent) setSentCount((n) => n + 1);
            return sent;
          }}
        />
      </Show>
    </section>
  );
}
