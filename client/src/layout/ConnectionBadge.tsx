import type { ConnectionStatus } from '../sync/replicaManager';

const LABELS: Record<ConnectionStatus, string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  offline: 'Offline',
};

/** A small dot and word under one's name; chats stay usable whatever it says. */
export function ConnectionBadge(props: { status: ConnectionStatus }) {
  return (
    <span class={`connection connection-${props.status}`} role="status" data-testid="connection-status" data-status={props.status}>
      <span class="connection-dot" aria-hidden="true" />
      {LABELS[props.status]}
    </span>
  );
}
