import { createSignal, Show } from 'solid-js';
import type { MemberRole } from '#schema/docs/roomHead';
import type { UserId } from '#schema/ids';
import { ChevronDownIcon } from '../layout/icons';
import { closeOnOutside } from '../layout/useDropdown';
import { Avatar } from '../users/Avatar';
import { blockUser, isBlocked, unblockUser } from '../users/blocks';
import { userById } from '../users/userDirectory';
import { hasAny, roleBadge, type MemberActions } from './memberActions';

export interface MemberRowProps {
  id: UserId;
  name: string;
  role: MemberRole;
  me: boolean;
  actions: MemberActions;
  onMakeAdmin: () => void;
  onDismissAdmin: () => void;
  onRemove: () => void;
}

/**
 * One member in the group info: avatar, name ("You"), role badge, and the menu of what
 * one may do to them: the group's actions my role allows, and blocking (or unblocking)
 * anyone but me, which is between the two of us and needs no role.
 */
export function MemberRow(props: MemberRowProps) {
  const [open, setOpen] = createSignal(false);
  let root!: HTMLLIElement;
  // A menu inside the drawer (not floated): the drawer's own Escape must not close the drawer too.
  closeOnOutside(
    open,
    () => setOpen(false),
    (target) => target instanceof Node && root.contains(target),
  );
  const run = (action: () => void) => () => {
    setOpen(false);
    action();
  };
  const username = () => userById(props.id)?.username;

  return (
    <li class="member-row" classList={{ open: open() }} ref={root} data-testid="member-row" data-user-id={props.id} data-role={props.role}>
      <Avatar name={props.name} seed={props.id} />
      <span class="member-names">
        <span class="member-name" data-testid="member-name">
          {props.me ? 'You' : props.name}
        </span>
        <Show when={username()}>
          <span class="member-username">@{username()}</span>
        </Show>
      </span>
      <Show when={roleBadge(props.role)}>
        <span class="member-badge" data-testid="member-badge">
          {roleBadge(props.role)}
        </span>
      </Show>
      <Show when={hasAny(props.actions) || !props.me}>
        <button
          type="button"
          class="member-menu-button"
          aria-label={`Options for ${props.name}`}
          aria-haspopup="menu"
          aria-expanded={open()}
          onClick={() => setOpen(!open())}
          data-group-actions={hasAny(props.actions) ? 'true' : undefined}
          data-testid="member-menu-button"
        >
          <ChevronDownIcon />
        </button>
        <Show when={open()}>
          <div class="member-menu" role="menu" data-testid="member-menu">
            <Show when={props.actions.makeAdmin}>
              <button type="button" role="menuitem" onClick={run(props.onMakeAdmin)} data-testid="member-action-make-admin">
                Make group admin
              </button>
            </Show>
            <Show when={props.actions.dismissAdmin}>
              <button type="button" role="menuitem" onClick={run(props.onDismissAdmin)} data-testid="member-action-dismiss-admin">
                Dismiss as admin
              </button>
            </Show>
            <Show when={props.actions.remove}>
              <button type="button" role="menuitem" class="danger" onClick={run(props.onRemove)} data-testid="member-action-remove">
                Remove from group
              </button>
            </Show>
            <Show when={!props.me}>
              <button
                type="button"
                role="menuitem"
                classList={{ danger: !isBlocked(props.id) }}
                onClick={run(() => void (isBlocked(props.id) ? unblockUser(props.id) : blockUser(props.id)).catch(() => undefined))}
                data-testid="member-action-block"
              >
                {isBlocked(props.id) ? `Unblock ${props.name}` : `Block ${props.name}`}
              </button>
            </Show>
          </div>
        </Show>
      </Show>
    </li>
  );
}
