import type { Message } from '#schema/docs/message';
import { describeSystemLine } from '#schema/docs/systemLines';
import type { UserId } from '#schema/ids';
import { displayNameOf } from '../users/userDirectory';

/**
 * A group change in the timeline, as a centred pill ("Alice added Bob", "You left"):
 * written by the server, so it has no menu, no reactions and no edits.
 */
export function SystemLine(props: { message: Message; me: UserId }) {
  return (
    <div class="system-line" data-testid="system-line" data-message-id={props.message.id} data-event={props.message.event?.type}>
      <span class="date-pill">{describeSystemLine(props.message, props.me, (id) => displayNameOf(id))}</span>
    </div>
  );
}
