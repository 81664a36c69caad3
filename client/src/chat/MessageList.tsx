import { createEffect, createMemo, createSignal, on, onCleanup, onMount, Show, untrack, type JSX } from 'solid-js';
import { Virtualizer, type CustomItemComponentProps, type VirtualizerHandle } from 'virtua/solid';
import type { ShownMessage } from '#schema/docs/bucket';
import type { MessageId, UserId } from '#schema/ids';
import { formatDay, sameDay } from '../time/formatTime';
import { highlightRow } from './highlightRow';
import { emptyHistory, historyChange, type HistoryChange } from './historyChange';
import { JumpToLatest } from './JumpToLatest';
import { MessageBubble } from './MessageBubble';
import type { MessageActions } from './MessageMenu';
import { useFloatingDay } from './useFloatingDay';

/** Start loading older buckets this close (px) to the top: about a screen ahead, so a reader scrolling up rarely waits. */
const LOAD_OLDER_MARGIN_PX = 800;

/** Within this distance (px) of the bottom the reader is at the latest message: new ones keep the view there. */
const AT_BOTTOM_PX = 48;

/** Rendered beyond the viewport on each side (px): a fast wheel or a page-down rarely shows blank space. */
const BUFFER_PX = 400;

/** Frames at most that the reader's place is held while older rows are measured (about half a second). */
const KEEP_PLACE_FRAMES = 30;

export interface MessageListProps {
  messages: ShownMessage[];
  me: UserId;
  group: boolean;
  /** Whether one's own message still waits for the server. Reactive. */
  isPending: (id: MessageId) => boolean;
  hasOlder: boolean;
  loadOlder: () => boolean;
  /** Whether {@link loadOlder} may run yet; when it turns true, a view not yet full loads more. */
  mayLoadOlder: boolean;
  /** Bumped when this user sends, to bring the bottom back into view. */
  sentCount: number;
  /** After the last message: the files on their way, in their pending bubbles. */
  footer?: JSX.Element;
  actions: MessageActions;
  /**
   * Scroll to this message and highlight it, whenever the value changes (the nonce lets
   * the same message be asked for again). A message in a bucket not loaded yet is
   * looked for in older buckets, one at a time, until found or none is left.
   */
  focus?: { id: MessageId; nonce: number };
  /** A message not in `messages` because one deleted it for oneself: a reply still quotes it (it was delivered), without a jump. */
  hiddenMessage?: (id: MessageId) => ShownMessage | undefined;
}

/** One virtualized row's element: the library positions it; the class lets css raise a row whose menu is open. */
function HistoryItem(props: CustomItemComponentProps): JSX.Element {
  return (
    <div class="history-item" ref={props.ref} style={props.style}>
      {props.children}
    </div>
  );
}

/**
 * A chat's history, virtualized: only the rows near the viewport are in the DOM, so a
 * chat of any length scrolls as smoothly as a short one. The view follows the latest
 * message while the reader is at the bottom; scrolled up, it stays put as messages
 * arrive (counted on the jump-to-latest button) and as older buckets load above it.
 */
export function MessageList(props: MessageListProps) {
  let scroller!: HTMLDivElement;
  let head!: HTMLDivElement;
  let foot!: HTMLDivElement;
  const [list, setList] = createSignal<VirtualizerHandle>();
  // Rows sit below the head (the space that keeps a short chat at the bottom, and the "loading" note).
  const [startMargin, setStartMargin] = createSignal(0);
  // Whether the view follows the latest message: at the bottom, or on its way there.
  const [following, setFollowing] = createSignal(true);
  const [unseen, setUnseen] = createSignal(0);

  // The reader's first row and where it was before older messages were added above it; kept until they are measured.
  let place: { id: string; top: number } | null = null;
  const change = createMemo<HistoryChange<ShownMessage>>((previous) => {
    const next = historyChange(previous.messages, props.messages, props.me);
    // Memos run before the DOM is updated: the rows are still where the reader saw them.
    // A bucket arriving while the last one is still being settled keeps the first place.
    if (next.prepended && scroller && !untrack(following)) place ??= firstVisibleRow();
    return next;
  }, emptyHistory<ShownMessage>());

  const distanceFromBottom = () => scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop;
  // A list too short to scroll is always at its latest message, and no scroll event will say so.
  const fitsInView = () => scroller.scrollHeight - scroller.clientHeight <= AT_BOTTOM_PX;

  /** Scrolls to the latest message and keeps following it. */
  const showLatest = () => {
    setFollowing(true);
    setUnseen(0);
    const last = props.messages.length - 1;
    if (last >= 0) list()?.scrollToIndex(last, { align: 'end', offset: foot.offsetHeight });
  };

  // Older buckets load as the reader nears the top, and while the messages do not fill the view.
  const maybeLoadOlder = () => {
    if (!props.hasOlder || !props.mayLoadOlder) return;
    const short = scroller.scrollHeight - scroller.clientHeight < LOAD_OLDER_MARGIN_PX;
    if (short || (!following() && scroller.scrollTop < LOAD_OLDER_MARGIN_PX)) props.loadOlder();
  };

  /**
   * Whoever scrolled, the position decides: at the bottom the view follows the latest
   * message, anywhere else it stays put. While the list scrolls itself to the bottom,
   * a scroll event may find it short of it (rows still being measured); the library
   * keeps scrolling until the rows settle, and the last event finds it at the bottom.
   */
  const onScroll = () => {
    const atBottom = distanceFromBottom() <= AT_BOTTOM_PX;
    setFollowing(atBottom);
    if (atBottom) setUnseen(0);
    else showFloatingDay();
    maybeLoadOlder();
  };

  const { floatingDay, show: showDay } = useFloatingDay();
  const showFloatingDay = () => {
    const handle = list();
    showDay(handle ? props.messages[handle.findItemIndex(scroller.scrollTop)]?.createdAt : undefined);
  };

  // Compared with the list this effect last handled, not with the memo's previous value:
  // the memo may recompute more than once before the effect runs (a list rebuilt with
  // the same messages after one that added some), and an addition must still be counted.
  let handled: readonly ShownMessage[] = [];
  createEffect(
    on(change, (c) => {
      const since = historyChange(handled, c.messages, props.me);
      handled = c.messages;
      if (!following() && fitsInView()) setFollowing(true);
      if (since.prepended && place) keepPlace();
      if (since.appended > 0 && following()) showLatest();
      else if (since.appendedByOthers > 0) setUnseen((n) => n + since.appendedByOthers);
      queueMicrotask(maybeLoadOlder);
    }),
  );
  createEffect(
    on(
      () => props.mayLoadOlder,
      () => queueMicrotask(maybeLoadOlder),
      { defer: true },
    ),
  );
  createEffect(on(() => props.sentCount, showLatest, { defer: true }));

  /** Rows change size as they are first measured, and the viewport as the composer grows: a following view stays at the bottom. */
  const onResize = () => {
    if (following() && distanceFromBottom() > 1) requestAnimationFrame(() => following() && (scroller.scrollTop = scroller.scrollHeight));
  };

  onMount(() => {
    const observer = new ResizeObserver(() => setStartMargin(head.offsetHeight));
    observer.observe(head);
    onCleanup(() => observer.disconnect());
  });

  /** The first message row in view and its position; rows are in the DOM in list order. */
  function firstVisibleRow(): { id: string; top: number } | null {
    const viewTop = scroller.getBoundingClientRect().top;
    for (const row of scroller.querySelectorAll<HTMLElement>('[data-message-id]')) {
      const top = row.getBoundingClientRect();
      if (top.bottom > viewTop) return { id: row.dataset.messageId!, top: top.top };
    }
    return null;
  }

  /**
   * After older messages were added above, puts the reader's first row back where it
   * was, frame by frame until the new rows are measured. The library keeps the place
   * from its size estimates; this corrects what the real sizes (separators, the first
   * of a run) add. The reader's own wheel, touch, keys or scroll bar end it at once.
   */
  let keeping = 0;
  const keepPlace = (run = ++keeping, frames = KEEP_PLACE_FRAMES, still = 0) => {
    requestAnimationFrame(() => {
      if (run !== keeping) return;
      const anchor = place;
      const row = anchor && !following() ? rowOf(anchor.id as MessageId) : null;
      if (!anchor || !row) return stopKeepingPlace();
      const drift = row.getBoundingClientRect().top - anchor.top;
      if (Math.abs(drift) >= 0.5) scroller.scrollTop += drift;
      const settled = Math.abs(drift) < 0.5 ? still + 1 : 0;
      if (frames > 1 && settled < 3) keepPlace(run, frames - 1, settled);
      else stopKeepingPlace();
    });
  };
  const stopKeepingPlace = () => {
    keeping++;
    place = null;
  };

  // One index per change of the list, so each quote finds its original in O(1).
  // Ids never change, so they are read untracked: no subscription per message of a long history.
  const byId = createMemo(() => {
    const messages = props.messages;
    return untrack(() => new Map(messages.map((m) => [m.id, m])));
  });
  const rowOf = (id: MessageId) => scroller.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(id)}"]`);

  /** Scrolls a loaded message into the middle of the view (smoothly when it is near) and highlights it; false when it is not loaded. */
  const jumpTo = (id: MessageId): boolean => {
    const index = props.messages.findIndex((m) => m.id === id);
    const handle = list();
    if (index < 0 || !handle) return false;
    setFollowing(fitsInView());
    stopKeepingPlace();
    handle.scrollToIndex(index, { align: 'center', smooth: rowOf(id) !== null });
    highlightRow(() => rowOf(id));
    return true;
  };

  // A focus request waits here until its message is loaded: older buckets open one by one meanwhile.
  // Every request notifies, so asking for the same message again (a new nonce) jumps again.
  const [wanted, setWanted] = createSignal<MessageId | null>(null, { equals: false });
  createEffect(
    on(
      () => props.focus,
      (focus) => focus && setWanted(focus.id),
    ),
  );
  createEffect(() => {
    const id = wanted();
    change();
    if (!id || !list()) return;
    if (jumpTo(id) || !props.hasOlder) setWanted(null);
    else if (props.mayLoadOlder) props.loadOlder();
  });

  const startsDay = (i: number) => {
    const prev = props.messages[i - 1];
    return !prev || !sameDay(prev.createdAt, props.messages[i]!.createdAt);
  };
  // Above the first loaded message while older ones are still to come, the day may have begun earlier: no separator yet.
  const separatorAt = (i: number) => (i > 0 || !props.hasOlder) && startsDay(i);
  // A system line ends a run: the message after it names its author again.
  const startsRun = (i: number) => startsDay(i) || props.messages[i - 1]!.authorId !== props.messages[i]!.authorId || !!props.messages[i - 1]!.event;

  return (
    <div class="message-list" data-following={following()}>
      <div
        class="messages"
        ref={scroller}
        onScroll={onScroll}
        onWheel={stopKeepingPlace}
        onTouchStart={stopKeepingPlace}
        onKeyDown={stopKeepingPlace}
        onPointerDown={stopKeepingPlace}
        role="region"
        aria-label="Messages"
        tabindex="0"
        data-testid="messages"
      >
        <div class="messages-head" ref={head}>
          <Show when={props.hasOlder}>
            <p class="messages-older" data-testid="loading-older">
              Loading older messages…
            </p>
          </Show>
        </div>
        <Virtualizer ref={setList} data={props.messages} scrollRef={scroller} startMargin={startMargin()} shift={change().prepended} bufferSize={BUFFER_PX} item={HistoryItem} onResize={onResize}>
          {(message, index) => (
            <>
              <Show when={separatorAt(index())}>
                <div class="day-separator">
                  <span class="date-pill">{formatDay(message.createdAt)}</span>
                </div>
              </Show>
              <MessageBubble
                message={message}
                me={props.me}
                own={message.authorId === props.me}
                quoted={message.replyTo ? (byId().get(message.replyTo) ?? props.hiddenMessage?.(message.replyTo)) : undefined}
                onQuoteClick={message.replyTo && byId().has(message.replyTo) ? () => jumpTo(message.replyTo!) : undefined}
                actions={props.actions}
                showAuthor={props.group && message.authorId !== props.me && startsRun(index())}
                first={startsRun(index())}
                pending={message.authorId === props.me && props.isPending(message.id)}
              />
            </>
          )}
        </Virtualizer>
        <div class="messages-foot" ref={foot}>
          {props.footer}
        </div>
      </div>
      <Show when={floatingDay()}>
        {(day) => (
          <div class="floating-day" aria-hidden="true" data-testid="floating-day">
            <span class="date-pill">{day()}</span>
          </div>
        )}
      </Show>
      <Show when={!following()}>
        <JumpToLatest unseen={unseen()} onClick={showLatest} />
      </Show>
    </div>
  );
}
