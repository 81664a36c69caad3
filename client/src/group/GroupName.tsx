import { createSignal, Show } from 'solid-js';
import { MAX_GROUP_NAME } from '#schema/docs/roomHead';
import { CheckIcon } from '../layout/icons';
import { PencilIcon } from './groupIcons';

/** The group's name, edited in place by those who may rename it: Enter or ✓ saves, Escape cancels. */
export function GroupName(props: { name: string; canRename: boolean; onRename: (name: string) => void }) {
  const [editing, setEditing] = createSignal(false);
  const [draft, setDraft] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);

  const start = () => {
    setDraft(props.name);
    setError(null);
    setEditing(true);
  };
  const save = () => {
    const name = draft().trim();
    if (!name) return setError('The group name cannot be empty.');
    if (name !== props.name) props.onRename(name);
    setEditing(false);
  };

  return (
    <Show
      when={editing()}
      fallback={
        <div class="group-name" classList={{ editable: props.canRename }}>
          <h3 data-testid="group-info-name">{props.name}</h3>
          <Show when={props.canRename}>
            <button type="button" class="icon-button" aria-label="Edit group name" title="Edit group name" onClick={start} data-testid="rename-group">
              <PencilIcon />
            </button>
          </Show>
        </div>
      }
    >
      <form
        class="group-name-edit"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <input
          value={draft()}
          maxLength={MAX_GROUP_NAME}
          aria-label="Group name"
          aria-invalid={error() ? 'true' : undefined}
          onInput={(e) => {
            setDraft(e.currentTarget.value);
            setError(null);
          }}
          // Native, not delegated: Escape cancels the edit without also closing the drawer.
          on:keydown={(e) => {
            if (e.key !== 'Escape') return;
            e.stopPropagation();
            setEditing(false);
          }}
          ref={(el) => queueMicrotask(() => el.select())}
          data-testid="group-name-input"
        />
        <span class="group-name-left" aria-hidden="true">
          {MAX_GROUP_NAME - draft().length}
        </span>
        <button type="submit" class="icon-button" aria-label="Save group name" data-testid="save-group-name">
          <CheckIcon />
        </button>
      </form>
      <Show when={error()}>
        <p class="group-name-error" role="alert">
          {error()}
        </p>
      </Show>
    </Show>
  );
}
