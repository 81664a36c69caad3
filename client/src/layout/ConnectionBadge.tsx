import { Show } from 'solid-js';
import type { ConnectionStatus } from '../sync/replicaManager';
import { ClockIcon } from './icons';
import { messageCount } from './messageCount';

/** What the badge can say: the socket's state, or that the server ended the session (then the socket is stopped). */
export type BadgeStatus = ConnectionStatus | 'signedOut';

/** Short words: the line shares the narrow sidebar header with three buttons and the waiting count. */
const LABELS: Record<BadgeStatus, string> = {
  connected: 'Online',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  signedOut: 'Signed out',
};

/**
 * A small dot and a word under one's name: whether Jeco reaches the server; beside it,
 * the pending clock with how many of one's messages wait to go out (the sidebar is
 * narrow, so the sentence is in the tooltip and, while offline, in the banner).
 */
export function ConnectionBadge(props: { status: BadgeStatus; waiting: number }) {
  const waitingTitle = () => `${messageCount(props.waiting)} ${props.status === 'connected' ? 'being sent' : 'waiting to be sent'}`;
  return (
    <span class={`connection connection-${props.status}`} role="status" data-testid="connection-status" data-status={props.status}>
      <span class="connection-dot" aria-hidden="true" />
      <span class="connection-text">{LABELS[props.status]}</span>
      <Show when={props.waiting > 0}>
        <span class="connection-waiting" title={waitingTitle()} role="img" aria-label={waitingTitle()} data-testid="waiting-count" data-count={props.waiting}>
          <ClockIcon />
          {props.waiting}
        </span>
      </Show>
    </span>
  );
}
