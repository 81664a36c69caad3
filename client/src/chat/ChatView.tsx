// One open chat: the hooks below each keep one concern (draft, selection, focus, the heading and last seen, the removed/left notice); what stays is the wiring of them to the header, list, composer and dialogs.
import { createMemo, createSignal, lazy, Show } from 'solid-js';
import { SYNC_REFUSALS } from '#schema/api/errors';
import type { ShownMessage } from '#schema/docs/bucket';
import { hideMessageForMe, readHiddenMessages, readStarredMessages, starMessage, unstarMessage, type ChatEntry, type ChatState } from '#schema/docs/inbox';
import { previewOf } from '#schema/docs/message';
import { inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { readDisappearing, readMembers, readMeta, setDisappearing } from '#schema/docs/roomHead';
import { maySetDisappearing } from '#schema/access';
import type { RoomId, RoomRef, UserId } from '#schema/ids';
import type { Session } from '../auth/session';
import { ChatSearchPanel } from '../search/ChatSearchPanel';
import { docSignal } from '../sync/docBindings';
import { formatClock } from '../time/formatTime';
import { useReplica } from '../sync/replicaScope';
import { GroupInfo } from '../group/GroupInfo';
import { displayNameOf } from '../users/userDirectory';
import { ChatHeader } from './ChatHeader';
import { fileDropHandlers } from '../files/attachQueue';
import { Composer } from './Composer';
import { ComposerContext } from './ComposerContext';
import { DisappearingButton } from './DisappearingButton';
import { forwardMessages } from './forwardMessage';
import { MediaPanel } from '../files/MediaPanel';
import { PendingUploads } from '../files/PendingUploads';
import type { MessageActions } from './MessageMenu';
import { messagePermissions } from './messagePermissions';
import { MessageInfo } from './MessageInfo';
import { mentionsIn } from './messageParts';
import { MessageList } from './MessageList';
import { PeerActions } from './PeerActions';
import { SelectionBar } from './SelectionBar';
import { selectedText, shownText } from './selectedText';
import type { ContactsApi } from '../contacts/useContacts';
import { isBlocked } from '../users/blocks';
import { useReceipts } from './useReceipts';
import { useRoomMessages } from './useRoomMessages';
import { typingText, useTyping } from './useTyping';
import { useDraft } from './useDraft';
import { useFormerNotice } from './useFormerNotice';
import { useChatHeading } from './useChatHeading';
import { useMessageFocus } from './useMessageFocus';
import { useSelection } from './useSelection';

// Opened now and then: loaded on first use, off the first download.
const ForwardDialog = lazy(() => import('./ForwardDialog'));
const DisappearingDialog = lazy(() => import('./DisappearingDialog'));

export interface ChatViewProps {
  session: Session;
  room: RoomRef;
  /** The chat's index entry, for a title before the room head is in. */
  entry: ChatEntry | undefined;
  /** The owner's own state of this chat (its draft), as the chat list read it from the inbox. */
  state: ChatState | undefined;
  /** Whether a user has Jeco open on a chat this device watches (the chat list's heads). */
  isOnline: (userId: UserId) => boolean;
  /** The chats one may forward a message to. */
  chats: () => ChatEntry[];
  /** My contacts, for the DM header's "Add contact". */
  contacts?: ContactsApi;
  onBack: () => void;
}

/** One open chat: read from the local replicas of its head and newest buckets, written to the head bucket. */
export function ChatView(props: ChatViewProps) {
  const { replicas, user, pending } = props.session;
  const roomId: RoomId = props.room.id;
  const dropFiles = fileDropHandlers(() => roomId);
  const head = useReplica(replicas, roomHeadDoc(roomId));
  const meta = docSignal(head.doc, readMeta);
  const members = docSignal(head.doc, readMembers);
  const disappearing = docSignal(head.doc, (doc) => readDisappearing(doc)?.afterMs ?? 0);
  const [choosingTimer, setChoosingTimer] = createSignal(false);
  const room = useRoomMessages(replicas, pending, roomId, head, user.id, () => (props.entry?.former ? (props.entry.lastMessage?.position?.bucket ?? null) : null));
  const [sentCount, setSentCount] = createSignal(0);
  // Typing goes through the head's connection: the one doc every open chat has open.
  const typing = useTyping(head, user.id);
  // "Delete for me" lives in one's own inbox, so it follows the user to every device.
  const inbox = useReplica(replicas, inboxDoc(user.id));
  const hidden = docSignal(inbox.doc, readHiddenMessages);
  const stars = docSignal(inbox.doc, readStarredMessages);
  const starredIds = createMemo(() => new Set(stars().map((s) => s.messageId)));
  const shown = createMemo(() => {
    const ids = hidden();
    // A message the chat's disappearing messages removed leaves no trace in the chat.
    return room.messages().filter((m) => !m.expired && !ids.has(m.id));
  });
  const receipts = useReceipts({
    replicas,
    room: props.room,
    head,
    inbox,
    me: user.id,
    members,
    messages: room.messages,
    positionOf: room.positionOf,
    entry: () => props.entry,
    readHere: props.session.readHere,
  });
  const [infoFor, setInfoFor] = createSignal<ShownMessage | null>(null);
  const { draft, saveDraft, clearDraft } = useDraft(inbox.doc, roomId, () => props.state);
  const mentionables = createMemo(() =>
    props.room.kind === 'group'
      ? [...members().keys()]
          .filter((id) => id !== user.id)
          .map((id) => ({ id, name: displayNameOf(id, '') }))
          .filter((m) => m.name)
      : [],
  );
  const [replyingTo, setReplyingTo] = createSignal<ShownMessage | null>(null);
  const [editing, setEditing] = createSignal<ShownMessage | null>(null);
  /** Why the last forward left a chat out (a file the server would not copy), shown until dismissed. */
  const [forwardProblem, setForwardProblem] = createSignal<string | null>(null);
  // The messages being forwarded: one from its menu, or those chosen together.
  const [forwarding, setForwarding] = createSignal<readonly ShownMessage[] | null>(null);
  // Escape leaves choosing, unless a dialog open over it (forwarding, the timer) takes the key first.
  const choosing = useSelection(shown, () => !!forwarding() || choosingTimer());
  const { selection, end: endSelection } = choosing;
  const selectedMessages = choosing.selected;
  const [focusKey, setFocusKey] = createSignal(0);
  const [searching, setSearching] = createSignal(false);
  const focus = useMessageFocus(roomId, room.openFrom, shown);
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
    status: (message) => receipts.status(message),
    info: (message) => setInfoFor(message),
    starred: (message) => starredIds().has(message.id),
    toggleStar: (message) => {
      if (starredIds().has(message.id)) return unstarMessage(inbox.doc, message.id);
      const at = room.positionOf(message.id);
      if (!at) return;
      const text = message.deleted ? '' : (message.editedText ?? message.text);
      starMessage(inbox.doc, message.id, { roomId, bucket: at.bucket, authorId: message.authorId, preview: previewOf(text), createdAt: message.createdAt, at: Date.now() });
    },
    forward: (message) => setForwarding([message]),
    select: (message) => {
      cancelContext();
      choosing.start(message.id);
    },
    selecting: () => selection() !== null,
    selected: (message) => selection()?.has(message.id) ?? false,
    toggleSelected: (message) => choosing.toggle(message.id),
    copy: (message) => void navigator.clipboard?.writeText(message.editedText ?? message.text).catch(() => undefined),
  };
  /** The replied-to or edited message as it is now (it may have been edited or deleted meanwhile). */
  const current = (message: ShownMessage | null) => (message ? (room.messages().find((m) => m.id === message.id) ?? message) : null);

  // Removed, or left: the history stays readable, the composer gives way to why.
  const formerNotice = useFormerNotice({ replicas, room: props.room, head, me: user.id, meta, members, entry: () => props.entry });
  const { peer, title, subtitle } = useChatHeading({ replicas, room: props.room, head, me: user.id, meta, members, entry: () => props.entry, isOnline: (id) => props.isOnline(id), formerNotice });
  const [infoOpen, setInfoOpen] = createSignal(false);
  /** "Media, links and docs": from the group info, or a DM's header. */
  const [mediaOpen, setMediaOpen] = createSignal(false);
  const refusal = () => {
    if (formerNotice()) return formerNotice();
    // The server refuses writes into a DM either person blocked; the blocker is told why here.
    if (peer && isBlocked(peer)) return `You blocked ${displayNameOf(peer)}. Unblock them to send a message.`;
    const kind = head.refusal();
    return kind && kind !== 'unauthorized' ? SYNC_REFUSALS[kind].message : null;
  };

  return (
    <section class="chat" classList={{ 'info-open': infoOpen() || mediaOpen() }} data-testid="chat-view" data-room={roomId} onDragOver={dropFiles.onDragOver} onDrop={dropFiles.onDrop}>
      <ChatHeader
        title={title()}
        subtitle={subtitle()}
        typing={props.room.kind === 'dm' ? (typing.typingNames().length > 0 ? 'typing…' : null) : typingText(typing.typingNames())}
        seed={peer ?? roomId}
        actions={
          <>
            <DisappearingButton afterMs={disappearing()} onClick={() => setChoosingTimer(true)} />
            {peer ? <PeerActions peer={peer} contacts={props.contacts} /> : undefined}
          </>
        }
        onBack={props.onBack}
        onOpenInfo={() => {
          setSearching(false);
          if (props.room.kind === 'group') setInfoOpen(true);
          else setMediaOpen(true);
        }}
        infoLabel={props.room.kind === 'group' ? 'group info' : 'media, links and docs'}
        onSearch={() => {
          setInfoOpen(false);
          setMediaOpen(false);
          setSearching(true);
        }}
      />
      <MessageList
        messages={shown()}
        me={user.id}
        group={props.room.kind === 'group'}
        isPending={(id) => pending.has(id)}
        hasOlder={room.hasOlder()}
        loadOlder={room.loadOlder}
        mayLoadOlder={room.mayLoadOlder()}
        sentCount={sentCount()}
        footer={<PendingUploads files={props.session.files} roomId={roomId} />}
        actions={actions}
        focus={focus()}
        hiddenMessage={(id) => (hidden().has(id) ? room.messages().find((m) => m.id === id) : undefined)}
      />
      <Show when={forwardProblem()}>
        {(problem) => (
          <p class="chat-notice" role="alert" data-testid="forward-problem">
            <span>{problem()}</span>
            <button type="button" class="chat-notice-close" aria-label="Dismiss" onClick={() => setForwardProblem(null)}>
              ×
            </button>
          </p>
        )}
      </Show>
      <Show
        when={!selection()}
        fallback={
          <SelectionBar
            abilities={{
              count: selectedMessages().length,
              hasText: selectedMessages().some((m) => shownText(m) !== ''),
              deleteForEveryone: selectedMessages().length > 0 && !formerNotice() && selectedMessages().every((m) => actions.permissions(m).deleteForEveryone),
            }}
            onCancel={endSelection}
            onForward={() => setForwarding(selectedMessages())}
            onCopy={() => {
              const text = selectedText(selectedMessages(), (m) => `${formatClock(m.createdAt)} ${displayNameOf(m.authorId)}`);
              void navigator.clipboard?.writeText(text).catch(() => undefined);
              endSelection();
            }}
            onDeleteForMe={() => {
              const at = Date.now();
              for (const m of selectedMessages()) hideMessageForMe(inbox.doc, m.id, at);
              endSelection();
            }}
            onDeleteForEveryone={() => {
              for (const m of selectedMessages()) void room.deleteForEveryone(m.id);
              endSelection();
            }}
          />
        }
      >
        <Show
          when={!refusal()}
          fallback={
            <p class="chat-refused" role="status" data-testid="chat-refused">
              {refusal()}
            </p>
          }
        >
          <Composer
            roomId={roomId}
            onSendFile={() => {
              typing.stop();
              setSentCount((n) => n + 1);
            }}
            disabled={!room.ready()}
            prefill={editing() ? (editing()!.editedText ?? editing()!.text) : null}
            focusKey={focusKey()}
            onCancel={cancelContext}
            onTyping={typing.keyPressed}
            mentionables={mentionables()}
            draft={draft()}
            onDraft={saveDraft}
            onEditLast={() => {
              const last = shown().findLast((m) => m.authorId === user.id && actions.permissions(m).edit);
              if (last) actions.edit(last);
            }}
            context={
              <Show when={current(editing()) ?? current(replyingTo())} keyed>
                {(message) => <ComposerContext kind={editing() ? 'edit' : 'reply'} message={message} me={user.id} onCancel={cancelContext} />}
              </Show>
            }
            onSend={(text, preview) => {
              const edited = editing();
              typing.stop();
              if (edited) {
                const saved = room.edit(edited.id, text);
                if (saved) setEditing(null);
                return saved;
              }
              const sent = room.send(text, replyingTo()?.id, mentionsIn(text, mentionables()), undefined, preview);
              if (sent) {
                clearDraft();
                setReplyingTo(null);
                setSentCount((n) => n + 1);
              }
              return sent;
            }}
          />
        </Show>
      </Show>
      <Show when={current(infoFor())} keyed>
        {(message) => {
          const recipients = receipts.info(message);
          return <MessageInfo message={message} recipients={recipients()} onClose={() => setInfoFor(null)} />;
        }}
      </Show>
      <Show when={forwarding()} keyed>
        {(messages) => {
          // Each message's words and file; one with neither (deleted meanwhile) is left out.
          const contents = messages.flatMap((m) =>
            shownText(m) !== '' || (m.attachment && !m.deleted) ? [{ text: shownText(m), ...(m.attachment && !m.deleted ? { attachment: m.attachment } : {}) }] : [],
          );
          const previews = contents.map((c) => c.text || (c.attachment ? `📎 ${c.attachment.name}` : ''));
          return (
            <ForwardDialog
              chats={props.chats().filter((c) => !c.former)}
              title={contents.length > 1 ? `Forward ${contents.length} messages to` : 'Forward message to'}
              preview={previews.join(' · ')}
              onClose={() => setForwarding(null)}
              onForward={(to) => {
                setForwarding(null);
                endSelection();
                void forwardMessages(replicas, pending, user.id, contents, to).then(setForwardProblem);
              }}
            />
          );
        }}
      </Show>
      <Show when={choosingTimer()}>
        <DisappearingDialog
          current={disappearing()}
          mayChange={!formerNotice() && maySetDisappearing(props.room.kind, myRole())}
          onChoose={(afterMs) => {
            setChoosingTimer(false);
            setDisappearing(head.doc, afterMs, user.id, Date.now());
          }}
          onClose={() => setChoosingTimer(false)}
        />
      </Show>
      <Show when={infoOpen()}>
        <GroupInfo
          head={head.doc}
          roomId={roomId}
          me={user.id}
          meta={meta()}
          members={members()}
          former={!!formerNotice()}
          fallbackName={title()}
          onClose={() => setInfoOpen(false)}
          onOpenMedia={() => setMediaOpen(true)}
        />
      </Show>
      <Show when={mediaOpen()}>
        <MediaPanel messages={room.messages()} onClose={() => setMediaOpen(false)} />
      </Show>
      <Show when={searching()}>
        <ChatSearchPanel session={props.session} roomId={roomId} group={props.room.kind === 'group'} onClose={() => setSearching(false)} />
      </Show>
    </section>
  );
}
