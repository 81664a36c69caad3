import type { JSX } from 'solid-js';
import { Dynamic } from 'solid-js/web';
import type { DeliveryStatus } from '#schema/docs/receipts';
import { CheckIcon, ClockIcon, DoubleCheckIcon } from '../layout/icons';

const TICKS: Record<DeliveryStatus | 'pending', { title: string; icon: () => JSX.Element }> = {
  pending: { title: 'Waiting to send', icon: ClockIcon },
  sent: { title: 'Sent', icon: CheckIcon },
  delivered: { title: 'Delivered', icon: DoubleCheckIcon },
  read: { title: 'Read', icon: DoubleCheckIcon },
};

/** One grey tick: the server has it; two grey: every recipient's device has it; two blue: every recipient read it. */
export function MessageTicks(props: { status: DeliveryStatus | 'pending' }) {
  return (
    <span
      class="bubble-status"
      role="img"
      classList={{ read: props.status === 'read' }}
      title={TICKS[props.status].title}
      aria-label={TICKS[props.status].title}
      data-testid={props.status === 'pending' ? 'message-pending' : 'message-sent'}
      data-status={props.status}
    >
      <Dynamic component={TICKS[props.status].icon} />
    </span>
  );
}
