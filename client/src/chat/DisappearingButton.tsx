import { Show } from 'solid-js';
import { disappearingLabel } from '#schema/docs/roomHead';
import { ClockIcon } from '../layout/icons';

/** The chat header's clock: whether messages disappear and after how long, opening the timer's dialog. */
export function DisappearingButton(props: { afterMs: number; onClick: () => void }) {
  return (
    <button
      type="button"
      class="icon-button disappearing-button"
      classList={{ on: props.afterMs > 0 }}
      onClick={() => props.onClick()}
      title={`Disappearing messages: ${disappearingLabel(props.afterMs)}`}
      aria-label={`Disappearing messages: ${disappearingLabel(props.afterMs)}`}
      data-testid="disappearing-button"
    >
      <ClockIcon />
      <Show when={props.afterMs > 0}>
        <span class="disappearing-badge" data-testid="disappearing-badge">
          {disappearingLabel(props.afterMs).replace(' hours', 'h').replace(' days', 'd')}
        </span>
      </Show>
    </button>
  );
}
