import { type HocuspocusProviderWebsocket, WebSocketStatus } from '@hocuspocus/provider';
import { createSignal, type Accessor } from 'solid-js';

/**
 * `reconnecting`: the socket is up but the server turned some docs away for a while
 * (storage unavailable, rate limited, a reason the app does not know) and they are being retried.
 */
export type ConnectionStatus = 'connected' | 'connecting' | 'reconnecting' | 'offline';

/**
 * Reconnect timing of the one sync socket: the first retry after about a second,
 * doubling up to a ceiling long enough not to hammer a server that is down and short
 * enough that recovery feels prompt; jittered so that the clients a restarted server
 * dropped do not all come back in the same instant.
 */
export const RECONNECT = { delay: 1000, minDelay: 500, factor: 2, maxDelay: 10_000, jitter: true } as const;

/**
 * What the sidebar shows about the sync socket. "Offline" when the browser says it has
 * no network, or once an attempt failed; "connecting" while a first attempt, or one
 * right after the network returned, is under way. Retries in between stay "offline",
 * so the indicator does not flicker with each backoff step.
 *
 * The socket's own backoff knows nothing of the browser's network events: when the
 * network returns, it is told to try at once instead of finishing its wait.
 */
export function trackConnection(socket: HocuspocusProviderWebsocket): { status: Accessor<ConnectionStatus>; stop: () => void } {
  const [status, setStatus] = createSignal<ConnectionStatus>(navigator.onLine ? 'connecting' : 'offline');
  const onSocketStatus = ({ status }: { status: WebSocketStatus }) => {
    if (status === WebSocketStatus.Connected) setStatus('connected');
    else if (status === WebSocketStatus.Disconnected || !navigator.onLine) setStatus('offline');
    else setStatus((current) => (current === 'offline' ? 'offline' : 'connecting'));
  };
  const online = () => {
    if (!socket.shouldConnect) return;
    setStatus('connecting');
    void socket.connect();
  };
  const offline = () => setStatus('offline');
  socket.on('status', onSocketStatus);
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  return {
    status,
    stop: () => {
      socket.off('status', onSocketStatus);
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    },
  };
}
