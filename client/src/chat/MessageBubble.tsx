import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { DELETED_MESSAGE_TEXT, type ShownMessage } from '#schema/docs/bucket';
import { isSystemLine } from '#schema/docs/message';
import type { UserId } from '#schema/ids';
import { AttachmentView } from '../files/AttachmentView';
import { formatClock } from '../time/formatTime';
import { displayNameOf } from '../users/userDirectory';
import { messageParts } from './messageParts';
import { LinkPreviewCard } from './LinkPreviewCard';
import { MessageMenu, type MessageActions } from './MessageMenu';
import { MessageTicks } from './MessageTicks';
import { QuotedMessage } from './QuotedMessage';
import { ReactionBar } from './ReactionBar';
import { SystemLine } from './SystemLine';

export interface BubbleProps {
  message: ShownMessage;
  me: UserId;
  own: boolean;
  /** Group chats name the author above the first of a run of their messages. */
  showAuthor: boolean;
  /** The first of a run of one author's messages gets the bubble's tail. */
  first: boolean;
  pending: boolean;
  /** The message this one replies to, when it is loaded. */
  quoted: ShownMessage | undefined;
  /** Absent when the original is not in the list (deleted for me): the quote shows, but leads nowhere. */
  onQuoteClick?: () => void;
  actions: MessageActions;
}

/** Longer texts are shown cut short with "Read more", as a chat app does: a 10,000-character message would fill screens. */
const COLLAPSE_OVER_CHARS = 1_500;
/** Where a long text is cut: about a dozen lines of a desktop bubble. */
const COLLAPSED_CHARS = 700;

/** The start of a long text, cut at a word boundary when one is near. */
function collapsedText(text: string): string {
  const cut = text.slice(0, COLLAPSED_CHARS);
  const space = cut.search(/\s\S*$/);
  return `${(space > COLLAPSED_CHARS * 0.8 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Text nodes only, never parsed as HTML; links open in a new tab, mentions are highlighted. */
function MessageText(props: { text: string; mentions: readonly UserId[] | undefined; me: UserId }) {
  const [expanded, setExpanded] = createSignal(false);
  const collapsed = () => !expanded() && props.text.length > COLLAPSE_OVER_CHARS;
  const parts = () =>
    messageParts(
      collapsed() ? collapsedText(props.text) : props.text,
      (props.mentions ?? []).map((id) => ({ id, name: displayNameOf(id, '') })),
    );
  return (
    <>
      {/* dir="auto": Hebrew or Arabic text runs right to left, whatever the page's direction. */}
      <span class="bubble-text" dir="auto" data-testid="message-text">
        <For each={parts()}>
          {(part) => (
            <Switch fallback={part.text}>
              <Match when={part.kind === 'link' && part}>
                {(link) => (
                  <a href={link().href} target="_blank" rel="noopener noreferrer nofollow" data-testid="message-link">
                    {link().text}
                  </a>
                )}
              </Match>
              <Match when={part.kind === 'mention' && part}>
                {(mention) => (
                  <span class="mention" classList={{ 'mention-self': mention().userId === props.me }} data-testid="message-mention">
                    {mention().text}
                  </span>
                )}
              </Match>
            </Switch>
          )}
        </For>
      </span>
      <Show when={collapsed()}>
        <button type="button" class="read-more" onClick={() => setExpanded(true)} data-testid="read-more">
          Read more
        </button>
      </Show>
    </>
  );
}

export function MessageBubble(props: BubbleProps) {
  // A message's kind never changes: a system line stays one.
  if (isSystemLine(props.message)) return <SystemLine message={props.message} me={props.me} />;
  const selecting = () => props.actions.selecting();
  return (
    <div
      class="message-row"
      classList={{ own: props.own, first: props.first, reacted: props.message.reactions.size > 0, selecting: selecting(), selected: selecting() && props.actions.selected(props.message) }}
      data-testid="message"
      data-message-id={props.message.id}
      data-own={props.own ? 'true' : 'false'}
      // While choosing, a click anywhere on the row chooses (as in WhatsApp), not only on the box.
      onClick={(e) => {
        if (!selecting() || (e.target as HTMLElement).closest('.select-box, a, button')) return;
        props.actions.toggleSelected(props.message);
      }}
    >
      <Show when={selecting()}>
        <label class="select-box">
          <input
            type="checkbox"
            checked={props.actions.selected(props.message)}
            onChange={() => props.actions.toggleSelected(props.message)}
            aria-label={`Select message from ${props.own ? 'you' : displayNameOf(props.message.authorId)}`}
            data-testid="message-select"
          />
        </label>
      </Show>
      <div class="bubble" classList={{ deleted: props.message.deleted }}>
        <Show when={!selecting()}>
          <MessageMenu message={props.message} actions={props.actions} />
        </Show>
        <Show when={props.showAuthor}>
          <div class="bubble-author" data-testid="message-author">
            {displayNameOf(props.message.authorId)}
          </div>
        </Show>
        <Show when={props.message.forwarded && !props.message.deleted}>
          <div class="bubble-forwarded" data-testid="message-forwarded">
            Forwarded
          </div>
        </Show>
        <Show when={props.message.replyTo && !props.message.deleted}>
          <QuotedMessage original={props.quoted} me={props.me} onClick={props.onQuoteClick} />
        </Show>
        <Show
          when={!props.message.deleted}
          fallback={
            <span class="bubble-text bubble-tombstone" data-testid="message-deleted">
              {DELETED_MESSAGE_TEXT}
            </span>
          }
        >
          <Show when={props.message.attachment}>{(attachment) => <AttachmentView attachment={attachment()} />}</Show>
          <Show when={props.message.preview && (props.message.editedText ?? props.message.text).includes(props.message.preview.url) && props.message.preview}>
            {(preview) => <LinkPreviewCard preview={preview()} testid="message-preview" />}
          </Show>
          <Show when={(props.message.editedText ?? props.message.text) !== '' || !props.message.attachment}>
            <MessageText text={props.message.editedText ?? props.message.text} mentions={props.message.mentions} me={props.me} />
          </Show>
        </Show>
        <span class="bubble-meta">
          <Show when={props.actions.starred(props.message)}>
            <span class="bubble-star" role="img" aria-label="Starred" title="Starred" data-testid="message-starred">
              ★
            </span>
          </Show>
          <Show when={props.message.edited && !props.message.deleted}>
            <span class="bubble-edited" data-testid="message-edited">
              edited
            </span>
          </Show>
          <time datetime={new Date(props.message.createdAt).toISOString()}>{formatClock(props.message.createdAt)}</time>
          <Show when={props.own}>
            <MessageTicks status={props.pending ? 'pending' : props.actions.status(props.message)} />
          </Show>
        </span>
        <Show when={props.message.reactions.size > 0 && !props.message.deleted}>
          <ReactionBar reactions={props.message.reactions} me={props.me} />
        </Show>
      </div>
    </div>
  );
}
