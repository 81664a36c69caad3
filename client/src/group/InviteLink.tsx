import { createResource, createSignal, Show } from 'solid-js';
import type { CreatedInvite, GroupInviteState } from '#schema/api/invites';
import { ApiError, apiRequest } from '../api/apiRequest';
import { formatMoment } from '../time/formatTime';
import { LinkIcon } from './groupIcons';

/** The address a token opens: `/join/<token>` on this server. */
function inviteUrl(token: string): string {
  return `${location.origin}/join/${token}`;
}

/**
 * "Invite via link", for a group's admins: make a link, copy it, reset it (the old one
 * stops working) or turn it off. The server keeps only a hash of the token, so a link is
 * shown right after it is made; later the panel says a link works and offers a new one.
 */
export function InviteLink(props: { roomId: string }) {
  const path = `/groups/${encodeURIComponent(props.roomId)}/invite`;
  const [state, { refetch }] = createResource(() => apiRequest<GroupInviteState>('GET', path).catch(() => null));
  const [link, setLink] = createSignal<string | null>(null);
  const [copied, setCopied] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const run = async (what: () => Promise<void>) => {
    setError(null);
    try {
      await what();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Something went wrong.');
    }
  };
  const make = () =>
    run(async () => {
      const created = await apiRequest<CreatedInvite>('POST', path);
      setLink(inviteUrl(created.token));
      setCopied(false);
      await refetch();
    });
  const turnOff = () =>
    run(async () => {
      await apiRequest('DELETE', path);
      setLink(null);
      await refetch();
    });
  const copy = () =>
    void navigator.clipboard?.writeText(link() ?? '').then(
      () => setCopied(true),
      () => undefined,
    );
  return (
    <section class="group-info-card invite-link" data-testid="invite-link">
      <h4 class="group-info-section-title">Invite via link</h4>
      <Show
        when={link()}
        fallback={
          <>
            <Show when={state()?.active}>
              <p class="invite-note" data-testid="invite-active">
                A link works since {formatMoment(state()!.createdAt!)}. Anyone with it can join. Make a new one to share it again (the old one stops working).
              </p>
            </Show>
            <button type="button" class="group-info-row" onClick={make} data-testid="invite-create">
              <span class="group-info-row-icon accent">
                <LinkIcon />
              </span>
              {state()?.active ? 'Reset link' : 'Create invite link'}
            </button>
          </>
        }
      >
        {(url) => (
          <>
            <p class="invite-url" data-testid="invite-url">
              {url()}
            </p>
            <p class="invite-note">Anyone with this link can join the group. It is shown once: copy it now.</p>
            <div class="invite-actions">
              <button type="button" class="invite-button" onClick={copy} data-testid="invite-copy">
                {copied() ? 'Copied' : 'Copy link'}
              </button>
              <button type="button" class="invite-button" onClick={make} data-testid="invite-reset">
                Reset link
              </button>
            </div>
          </>
        )}
      </Show>
      <Show when={state()?.active || link()}>
        <button type="button" class="group-info-row danger" onClick={turnOff} data-testid="invite-revoke">
          Turn off link
        </button>
      </Show>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
    </section>
  );
}
