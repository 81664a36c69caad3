import { createResource, For, Show } from 'solid-js';
import { Avatar } from '../users/Avatar';
import { loadBlocked, unblockUser } from '../users/blocks';

/** Whom I blocked, each with "Unblock". */
export function BlockedSection() {
  const [list, { refetch }] = createResource(loadBlocked);
  return (
    <section class="settings-section" data-testid="settings-blocked">
      <h3>Blocked</h3>
      <Show when={!list.error} fallback={<p class="panel-note panel-note-inline">The blocked list shows when you are online.</p>}>
        <Show when={(list() ?? []).length > 0} fallback={<p class="panel-note panel-note-inline">Nobody is blocked.</p>}>
          <ul class="settings-list">
            <For each={list()}>
              {(entry) => (
                <li class="settings-row" data-testid="blocked-row">
                  <Avatar name={entry.user.displayName} seed={entry.user.id} size="small" />
                  <span class="settings-row-text">
                    <span class="settings-row-title">{entry.user.displayName}</span>
                    <span class="settings-row-sub">@{entry.user.username}</span>
                  </span>
                  <button type="button" class="button-text" onClick={() => void unblockUser(entry.user.id).then(refetch)} data-testid="unblock">
                    Unblock
                  </button>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </section>
  );
}
