import { For, onCleanup, onMount, Show } from 'solid-js';
import { DELETED_MESSAGE_TEXT, type ShownMessage } from '#schema/docs/bucket';
import { CloseIcon, DoubleCheckIcon } from '../layout/icons';
import { formatMoment } from '../time/formatTime';
import { Avatar } from '../users/Avatar';
import { displayNameOf } from '../users/userDirectory';
import type { RecipientReceipt } from './useReceipts';

/**
 * "Message info": who has received and read one's own message, and when. `recipients`
 * comes from the server: undefined while it is asked, null when it cannot be (offline).
 */
export function MessageInfo(props: { message: ShownMessage; recipients: RecipientReceipt[] | null | undefined; onClose: () => void }) {
  const people = () => props.recipients ?? [];
  const read = () =>
    people()
      .filter((r) => r.readAt !== null)
      .sort((a, b) => a.readAt! - b.readAt!);
  const delivered = () =>
    people()
      .filter((r) => r.readAt === null && r.deliveredAt !== null)
      .sort((a, b) => a.deliveredAt! - b.deliveredAt!);
  const waiting = () => people().filter((r) => r.readAt === null && r.deliveredAt === null);
  const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onClose();
  let closeButton!: HTMLButtonElement;
  onMount(() => {
    document.addEventListener('keydown', onKey);
    closeButton.focus();
  });
  onCleanup(() => document.removeEventListener('keydown', onKey));

  const Section = (section: { title: string; people: RecipientReceipt[]; time: (r: RecipientReceipt) => number | null; testid: string; ticks?: 'delivered' | 'read' }) => (
    <Show when={section.people.length > 0}>
      <section class="info-section" data-testid={section.testid}>
        <h3>
          <Show when={section.ticks}>
            <span class="info-ticks" classList={{ read: section.ticks === 'read' }}>
              <DoubleCheckIcon />
            </span>
          </Show>
          {section.title}
        </h3>
        <ul>
          <For each={section.people}>
            {(person) => (
              <li class="info-person" data-testid="info-person" data-user={person.userId}>
                <Avatar name={displayNameOf(person.userId)} seed={person.userId} size="small" />
                <span class="info-name">{displayNameOf(person.userId)}</span>
                <Show when={section.time(person)}>{(at) => <span class="info-time">{formatMoment(at())}</span>}</Show>
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );

  return (
    <div class="dialog-backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="dialog message-info" role="dialog" aria-modal="true" aria-labelledby="message-info-title" data-testid="message-info">
        <header class="dialog-header">
          <button ref={closeButton} type="button" class="icon-button" aria-label="Close" onClick={() => props.onClose()}>
            <CloseIcon />
          </button>
          <h2 id="message-info-title">Message info</h2>
        </header>
        <p class="info-message">{props.message.deleted ? DELETED_MESSAGE_TEXT : (props.message.editedText ?? props.message.text)}</p>
        <Show when={props.recipients === null}>
          <p class="info-unavailable" data-testid="info-unavailable">
            Who received and read this message shows when you are online.
          </p>
        </Show>
        <Section title="Read by" people={read()} time={(r) => r.readAt} testid="info-read" ticks="read" />
        <Section title="Delivered to" people={delivered()} time={(r) => r.deliveredAt} testid="info-delivered" ticks="delivered" />
        <Section title="Not delivered yet" people={waiting()} time={() => null} testid="info-waiting" />
      </div>
    </div>
  );
}
