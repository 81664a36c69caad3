import type { JSX } from 'solid-js';
import { Avatar } from './Avatar';

/**
 * One person in a list of people to pick (user search, the new chat's contacts, the
 * chat list's "People"): avatar, name and a second line; `children` adds a note under them.
 */
export function PersonButton(props: { id: string; name: string; detail: string; onClick: () => void; disabled?: boolean; testId: string; username?: string; children?: JSX.Element }) {
  return (
    <button type="button" class="user-result" disabled={props.disabled} onClick={() => props.onClick()} data-testid={props.testId} data-username={props.username}>
      <Avatar name={props.name} seed={props.id} />
      <span class="user-result-names">
        <span class="user-result-name">{props.name}</span>
        <span class="user-result-username">{props.detail}</span>
        {props.children}
      </span>
    </button>
  );
}
