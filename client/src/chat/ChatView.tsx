import { createEffect, createMemo, createSignal, Show, untrack } from 'solid-js';
import { SYNC_REFUSALS } from '../../../schema/api/errors';
import type { ShownMessage } from '../../../schema/docs/bucket';
import { hideMessageForMe, readHiddenMessages, type ChatEntry } from '../../../schema/docs/inbox';
import { inboxDoc, roomHeadDoc } from '../../../schema/docs/names';
import { readMembers, readMeta } from '../../../schema/docs/roomHead';
import type { MessageId, RoomId, RoomRef } from '../../../schema/ids';
import type { Session } from '../auth/session';
import { ChatSearchPanel } from '../search/ChatSearchPanel';
import { messageFocusRequest, takeMessageFocus } from '../search/messageFocus';
import { docSignal } from '../sync/docBindings';
import { useReplica } from '../sync/replicaScope';
import { displayNameOf, userById } from '../users/userDirectory';
import { ChatHeader } from './ChatHeader';
import { Composer } from './Composer';
import { ComposerContext } from './ComposerContext';
import type { MessageActions } from './MessageMenu';
import { messagePermissions } from './messagePermissions';
import { MessageList } from './MessageList';
import { useRoomMessages } from './useRoomMessages';
import { typingText, useTyping } from './useTyping';

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
  // Typing goes through the head's awareness: the one doc every open chat has open.
  const typing = useTyping(head.awareness, user.id);
  // "Delete for me" lives in one's own inbox, so it follows the user to every device.
  const inbox = useReplica(replicas, inboxDoc(user.id));
  const hidden = docSignal(inbox.doc, readHiddenMessages);
  const shown = createMemo(() => {
    const ids = hidden();
    return ids.size === 0 ? room.messages() : room.messages().filter((m) => !ids.has(m.id));
  });
  const [replyingTo, setReplyingTo] = createSignal<ShownMessage | null>(null);
  const [editing, setEditing] = createSignal<ShownMessage | null>(null);
  const [focusKey, setFocusKey] = createSignal(0);
  const [searching, setSearching] = createSignal(false);
  // A search result asks for a message: open history back to its bucket, then show it once it is in the list.
  const [focus, setFocus] = createSignal<{ id: MessageId; nonce: number }>();
  createEffect(() => {
    const request = messageFocusRequest();
    if (!request || request.roomId !== roomId || untrack(focus)?.nonce === request.nonce) return;
    room.openFrom(request.bucket);
    if (!shown().some((m) => m.id === request.id)) return;
    setFocus({ id: request.id, nonce: request.nonce });
    takeMessageFocus(request.nonce);
  });
  const cancelContext = () => {
    setReplyingTo(null);
    setEditing(null);
  };

  // In a DM both people count as plain members: only authors edit or delete.
  const myRole = () => (props.room.kind === 'group' ? (members().get(user.id)?.role ?? null) : 'member');
  const actions: MessageActions = {
    permissions: (message) => messagePermissions(message, user.id, myRole()),
    myReaction: (message) => [...message.reactions].find(([, users]) => users.includes(user.id))?.[0],
    react: (message, emoji) => void room.react(message.id, emoji),
    reply: (message) => {
      setEditing(null);
      setReplyingTo(message);
      setFocusKey((n) => n + 1);
    },
    edit: (message) => {
      setReplyingTo(null);
      setEditing(message);
      setFocusKey((n) => n + 1);
    },
    deleteForEveryone: (message) => {
      if (editing()?.id === message.id) setEditing(null);
      void room.deleteForEveryone(message.id);
    },
    deleteForMe: (message) => {
      if (editing()?.id === message.id) setEditing(null);
      if (replyingTo()?.id === message.id) setReplyingTo(null);
      hideMessageForMe(inbox.doc, message.id, Date.now());
    },
  };
  /** The replied-to or edited message as it is now (it may have been edited or deleted meanwhile). */
  const current = (message: ShownMessage | null) => (message ? (room.messages().find((m) => m.id === message.id) ?? message) : null);

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
      <ChatHeader title={title()} subtitle={subtitle()} typing={typingText(typing.typingNames())} seed={peer ?? roomId} onBack={props.onBack} onSearch={() => setSearching(true)} />
      <MessageList
        messages={shown()}
        me={user.id}
        group={props.room.kind === 'group'}
        isPending={(id) => pending.has(id)}
        hasOlder={room.hasOlder()}
        loadOlder={room.loadOlder}
        mayLoadOlder={room.mayLoadOlder()}
        sentCount={sentCount()}
        actions={actions}
        focus={focus()}
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
          prefill={editing() ? (editing()!.editedText ?? editing()!.text) : null}
          focusKey={focusKey()}
          onCancel={cancelContext}
          onTyping={typing.keyPressed}
          context={
            <Show when={current(editing()) ?? current(replyingTo())} keyed>
              {(message) => <ComposerContext kind={editing() ? 'edit' : 'reply'} message={message} me={user.id} onCancel={cancelContext} />}
            </Show>
          }
          onSend={(text) => {
            const edited = editing();
            typing.stop();
            if (edited) {
              const saved = room.edit(edited.id, text);
              if (saved) setEditing(null);
              return saved;
            }
            const sent = room.send(text, replyingTo()?.id);
            if (sent) {
              setReplyingTo(null);
              setSentCount((n) => n + 1);
            }
            return sent;
          }}
        />
      </Show>
      <Show when={searching()}>
        <ChatSearchPanel session={props.session} roomId={roomId} group={props.room.kind === 'group'} onClose={() => setSearching(false)} />
      </Show>
    </section>
  );
}
