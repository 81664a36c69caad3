import { createEffect, createMemo, createSignal, lazy, onCleanup, Show, untrack } from 'solid-js';
import { SYNC_REFUSALS } from '../../../schema/api/errors';
import type { ShownMessage } from '../../../schema/docs/bucket';
import { hideMessageForMe, readHiddenMessages, readStarredMessages, setChatState, starMessage, unstarMessage, type ChatEntry, type ChatState } from '../../../schema/docs/inbox';
import { previewOf } from '../../../schema/docs/message';
import { inboxDoc, parseDocName, roomHeadDoc, roomOfDoc } from '../../../schema/docs/names';
import { disappearingLabel, readDisappearing, readMembers, readMeta, setDisappearing } from '../../../schema/docs/roomHead';
import { maySetDisappearing } from '../../../schema/access';
import { ClockIcon } from '../layout/icons';
import type { MessageId, RoomId, RoomRef, UserId } from '../../../schema/ids';
import type { Session } from '../auth/session';
import { ChatSearchPanel } from '../search/ChatSearchPanel';
import { messageFocusRequest, takeMessageFocus } from '../search/messageFocus';
import { docSignal } from '../sync/docBindings';
import { formatClock, formatMoment } from '../time/formatTime';
import { useReplica } from '../sync/replicaScope';
import { GroupInfo } from '../group/GroupInfo';
import { displayNameOf, refreshUser, userById } from '../users/userDirectory';
import { ChatHeader } from './ChatHeader';
import { fileDropHandlers } from '../files/attachQueue';
import { Composer } from './Composer';
import { ComposerContext } from './ComposerContext';
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
import { watchPresent } from '../sync/presence';
import { typingText, useTyping } from './useTyping';

// Opened now and then: loaded on first use, off the first download.
const ForwardDialog = lazy(() => import('./ForwardDialog'));
const DisappearingDialog = lazy(() => import('./DisappearingDialog'));

/** How often a DM's "last seen" is asked for again while the peer is away. */
const LAST_SEEN_REFRESH_MS = 60_000;
/** A little longer than the server takes to write "last seen" after a disconnect. */
const LAST_SEEN_SETTLE_MS = 2_000;
/** A draft is saved this long after the last key. */
const DRAFT_SAVE_MS = 400;

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
  // Typing goes through the head's awareness: the one doc every open chat has open.
  const typing = useTyping(head.awareness, user.id);
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
  });
  const [infoFor, setInfoFor] = createSignal<ShownMessage | null>(null);
  // The draft lives in the inbox, so it follows the user to other tabs and devices; written after a pause in typing.
  const draft = () => props.state?.draft?.text;
  let unsaved: string | null = null;
  let draftTimer: ReturnType<typeof setTimeout> | undefined;
  const writeDraft = (text: string) => {
    clearTimeout(draftTimer);
    unsaved = null;
    setChatState(inbox.doc, roomId, 'draft', text.trim() ? { text, at: Date.now() } : null);
  };
  const saveDraft = (text: string) => {
    unsaved = text;
    clearTimeout(draftTimer);
    draftTimer = setTimeout(() => writeDraft(text), DRAFT_SAVE_MS);
  };
  const clearDraft = () => writeDraft('');
  // Leaving the chat keeps what was typed, at once.
  onCleanup(() => unsaved !== null && writeDraft(unsaved));
  const mentionables = createMemo(() =>
    props.room.kind === 'group' ? [...members().keys()].filter((id) => id !== user.id).map((id) => ({ id, name: displayNameOf(id, '') })).filter((m) => m.name) : [],
  );
  const [replyingTo, setReplyingTo] = createSignal<ShownMessage | null>(null);
  const [editing, setEditing] = createSignal<ShownMessage | null>(null);
  /** Why the last forward left a chat out (a file the server would not copy), shown until dismissed. */
  const [forwardProblem, setForwardProblem] = createSignal<string | null>(null);
  // The messages being forwarded: one from its menu, or those chosen together.
  const [forwarding, setForwarding] = createSignal<readonly ShownMessage[] | null>(null);
  // Choosing several messages: the ids chosen, in no order (the list gives the order); null when not choosing.
  const [selection, setSelection] = createSignal<ReadonlySet<MessageId> | null>(null);
  const toggleSelected = (id: MessageId) =>
    setSelection((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  /** The chosen messages still shown, in the chat's order (one deleted for me meanwhile drops out). */
  const selectedMessages = createMemo(() => {
    const ids = selection();
    return ids ? shown().filter((m) => ids.has(m.id)) : [];
  });
  const endSelection = () => setSelection(null);
  // Escape leaves choosing, unless a dialog open over it (forwarding, the timer) takes the key first.
  createEffect(() => {
    if (!selection()) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || forwarding() || choosingTimer()) return;
      e.preventDefault();
      endSelection();
    };
    window.addEventListener('keydown', onKey, true);
    onCleanup(() => window.removeEventListener('keydown', onKey, true));
  });
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
      setSelection(new Set([message.id]));
    },
    selecting: () => selection() !== null,
    selected: (message) => selection()?.has(message.id) ?? false,
    toggleSelected: (message) => toggleSelected(message.id),
    copy: (message) => void navigator.clipboard?.writeText(message.editedText ?? message.text).catch(() => undefined),
  };
  /** The replied-to or edited message as it is now (it may have been edited or deleted meanwhile). */
  const current = (message: ShownMessage | null) => (message ? (room.messages().find((m) => m.id === message.id) ?? message) : null);

  const peer = props.room.kind === 'dm' ? props.room.members.find((id) => id !== user.id) : undefined;
  const title = () => (peer ? displayNameOf(peer, props.entry?.title ?? '…') : (meta()?.name ?? props.entry?.title ?? 'Group'));
  const present = watchPresent(head.awareness);
  const peerOnline = () => !!peer && (present().has(peer) || props.isOnline(peer));
  // "Last seen" is the server's: asked again whenever the peer goes away, and each minute while away.
  if (peer) {
    createEffect(() => {
      if (peerOnline()) return;
      refreshUser(peer);
      // The server writes "last seen" just after the peer's connections close: ask once more then.
      const soon = setTimeout(() => refreshUser(peer), LAST_SEEN_SETTLE_MS);
      const timer = setInterval(() => refreshUser(peer), LAST_SEEN_REFRESH_MS);
      onCleanup(() => {
        clearTimeout(soon);
        clearInterval(timer);
      });
    });
  }
  const subtitle = () => {
    if (peer) {
      // Offline, whether the peer is there is unknown, and a "last seen" would be stale.
      if (replicas.status() === 'offline') return 'waiting for network';
      if (peerOnline()) return 'online';
      const profile = userById(peer);
      if (profile?.lastSeenAt) return `last seen ${formatMoment(profile.lastSeenAt)}`;
      return profile ? `@${profile.username}` : '';
    }
    // Oneself last, as "You", the way chat apps list members.
    const others = [...members().keys()].filter((id) => id !== user.id).map((id) => displayNameOf(id));
    return [...others.sort((a, b) => a.localeCompare(b)), ...(members().has(user.id) && !formerNotice() ? ['You'] : [])].join(', ');
  };
  const [infoOpen, setInfoOpen] = createSignal(false);
  /** "Media, links and docs": from the group info, or a DM's header. */
  const [mediaOpen, setMediaOpen] = createSignal(false);
  // Removed, or left: the history stays readable, the composer gives way to why.
  const formerNotice = () => {
    if (props.room.kind !== 'group') return null;
    const gone = props.entry?.former ?? (head.refusal() === 'removed' || (meta() && !members().has(user.id)) ? 'left' : null);
    if (!gone) return null;
    return gone === 'removed' ? 'You were removed from this group.' : "You're no longer a participant in this group.";
  };
  // Added back to a group this tab was cut off from (its index entry stops being former):
  // the room's refused docs connect again. Removed or gone (it becomes former): its
  // buckets connect again, read-only, to get what was said up to the line that ended it
  // (the server cut them off first). Only on those changes, so never in a loop.
  let wasFormer = false;
  createEffect(() => {
    const former = !!props.entry?.former;
    if (wasFormer !== former) {
      replicas.retryRefused((name) => {
        const ref = parseDocName(name);
        return !!ref && roomOfDoc(ref)?.id === roomId && (!former || ref.kind === 'bucket');
      });
    }
    wasFormer = former;
  });
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
            <button
              type="button"
              class="icon-button disappearing-button"
              classList={{ on: disappearing() > 0 }}
              onClick={() => setChoosingTimer(true)}
              title={`Disappearing messages: ${disappearingLabel(disappearing())}`}
              aria-label={`Disappearing messages: ${disappearingLabel(disappearing())}`}
              data-testid="disappearing-button"
            >
              <ClockIcon />
              <Show when={disappearing() > 0}>
                <span class="disappearing-badge" data-testid="disappearing-badge">
                  {disappearingLabel(disappearing()).replace(' hours', 'h').replace(' days', 'd')}
                </span>
              </Show>
            </button>
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
          const contents = messages.flatMap((m) => (shownText(m) !== '' || (m.attachment && !m.deleted) ? [{ text: shownText(m), ...(m.attachment && !m.deleted ? { attachment: m.attachment } : {}) }] : []));
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
