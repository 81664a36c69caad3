import { useNavigate, useParams } from '@solidjs/router';
import { createResource, createSignal, Match, Switch } from 'solid-js';
import type { InvitePreview, JoinedInvite } from '#schema/api/invites';
import { ApiError, apiRequest } from '../api/apiRequest';
import { AuthCard } from '../auth/AuthCard';
import { Avatar } from '../users/Avatar';

/**
 * `/join/<token>`: what an invite link leads to — the group's name and member count —
 * and Join. A link that does not work says so and why; someone already in goes to the chat.
 */
export function JoinPage() {
  const params = useParams<{ token: string }>();
  const navigate = useNavigate();
  const [preview] = createResource(
    () => params.token,
    async (token) => {
      try {
        return { ok: await apiRequest<InvitePreview>('GET', `/invites/${encodeURIComponent(token)}`) };
      } catch (e) {
        return { error: e instanceof ApiError ? e.message : 'Something went wrong.' };
      }
    },
  );
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const join = async () => {
    setBusy(true);
    setError(null);
    try {
      const joined = await apiRequest<JoinedInvite>('POST', `/invites/${encodeURIComponent(params.token)}/join`);
      navigate(`/c/${joined.roomId}`, { replace: true });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Something went wrong.');
      setBusy(false);
    }
  };
  const close = () => navigate('/', { replace: true });
  return (
    <AuthCard title="Group invite">
      <Switch fallback={<p class="auth-subtitle">Opening the link…</p>}>
        <Match when={preview()?.error}>
          {(message) => (
            <div class="join-invite" data-testid="join-error">
              <p class="join-error" role="alert">
                {message()}
              </p>
              <button type="button" class="join-secondary" onClick={close}>
                Go to chats
              </button>
            </div>
          )}
        </Match>
        <Match when={preview()?.ok}>
          {(group) => (
            <div class="join-invite" data-testid="join-invite">
              <Avatar name={group().name} seed={group().roomId} size="large" />
              <h2 class="join-name" data-testid="join-name">
                {group().name}
              </h2>
              <p class="join-count" data-testid="join-count">
                Group · {group().memberCount} {group().memberCount === 1 ? 'member' : 'members'}
              </p>
              {group().member ? (
                <button type="button" class="join-primary button-primary" onClick={() => navigate(`/c/${group().roomId}`, { replace: true })} data-testid="join-open">
                  Open chat
                </button>
              ) : (
                <button type="button" class="join-primary button-primary" disabled={busy()} onClick={join} data-testid="join-button">
                  {busy() ? 'Joining…' : 'Join group'}
                </button>
              )}
              <button type="button" class="join-secondary" onClick={close}>
                Cancel
              </button>
              {error() && (
                <p class="join-error" role="alert" data-testid="join-failed">
                  {error()}
                </p>
              )}
            </div>
          )}
        </Match>
      </Switch>
    </AuthCard>
  );
}
