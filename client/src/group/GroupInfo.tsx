import { createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import type * as Y from 'yjs';
import { can } from '#schema/access';
import { addMembers, leaveGroup, removeMember, renameGroup, setRole, successorOf, type Member, type RoomMeta } from '#schema/docs/roomHead';
import { parseUserId, type UserId } from '#schema/ids';
import { ImageIcon } from '../files/fileIcons';
import { CloseIcon } from '../layout/icons';
import { Avatar } from '../users/Avatar';
import { useProfileRefresh } from '../users/useProfileRefresh';
import { displayNameOf, refreshUser } from '../users/userDirectory';
import { UserSearch } from '../users/UserSearch';
import { ConfirmDialog, type Confirmation } from './ConfirmDialog';
import { AddPersonIcon, ExitIcon } from './groupIcons';
import { GroupName } from './GroupName';
import { InviteLink } from './InviteLink';
import { memberActions, sortMembers } from './memberActions';
import { MemberRow } from './MemberRow';

export interface GroupInfoProps {
  /** The local replica of the group's head: every change here is a write the guard checks. */
  head: Y.Doc;
  roomId: string;
  me: UserId;
  meta: RoomMeta | null;
  members: ReadonlyMap<UserId, Member>;
  /**
   * This user left or was removed. Their replica may still list them (the server cut
   * them off before the change reached it): they are shown out, and offered nothing.
   */
  former: boolean;
  /** The name to show before the head's meta is in. */
  fallbackName: string;
  onClose: () => void;
  /** Opens "Media, links and docs" over the info. */
  onOpenMedia: () => void;
}

/**
 * "Group info": the group's name, its members with their roles, and what one's own role
 * allows (rename, add, make or dismiss admins, remove), read from the same capability
 * table the server's guard enforces. Everyone may leave ("Exit group"). A drawer on the
 * right of the chat, full screen on a phone; × or Escape closes it.
 */
export function GroupInfo(props: GroupInfoProps) {
  const [adding, setAdding] = createSignal(false);
  const [confirmation, setConfirmation] = createSignal<Confirmation | null>(null);
  const members = createMemo(() => {
    if (!props.former || !props.members.has(props.me)) return props.members;
    const others = new Map(props.members);
    others.delete(props.me);
    return others;
  });
  const myRole = () => members().get(props.me)?.role ?? null;
  const isMember = () => myRole() !== null;
  const name = () => props.meta?.name ?? props.fallbackName;
  const sorted = createMemo(() => sortMembers(members(), (id) => displayNameOf(id)));
  // The members' names and photos as they are now: asked again on opening, then as the chat list's are.
  const memberIds = () => [...members().keys()].filter((id) => id !== props.me);
  onMount(() => {
    for (const id of memberIds().slice(0, 40)) refreshUser(id);
  });
  useProfileRefresh(memberIds);
  const count = () => members().size;

  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    if (confirmation()) setConfirmation(null);
    else if (adding()) setAdding(false);
    else props.onClose();
  };
  // Focus moves into the drawer, and back to where it was when the drawer closes.
  let closeButton!: HTMLButtonElement;
  const returnTo = document.activeElement;
  onMount(() => {
    document.addEventListener('keydown', onKey);
    closeButton.focus();
  });
  onCleanup(() => {
    document.removeEventListener('keydown', onKey);
    if (returnTo instanceof HTMLElement && returnTo.isConnected) returnTo.focus();
  });

  const remove = (id: UserId, who: string) => setConfirmation({ text: `Remove ${who} from “${name()}”?`, action: 'Remove', run: () => removeMember(props.head, id) });
  const exit = () => {
    // Named, so the owner knows who the group passes to (`leaveGroup` picks the same person).
    const successor = myRole() === 'owner' ? successorOf(members(), props.me) : null;
    setConfirmation({
      text: successor ? `Exit “${name()}”? ${displayNameOf(successor)} becomes the group's owner.` : `Exit “${name()}”?`,
      action: 'Exit group',
      run: () => leaveGroup(props.head, props.me),
    });
  };

  return (
    <aside class="group-info" role="dialog" aria-label="Group info" data-testid="group-info">
      <header class="group-info-header">
        <button type="button" class="icon-button" aria-label="Close group info" onClick={() => props.onClose()} ref={closeButton} data-testid="group-info-close">
          <CloseIcon />
        </button>
        <h2>Group info</h2>
      </header>
      <div class="group-info-body">
        <section class="group-info-card group-info-top">
          <Avatar name={name()} seed={props.roomId} size="large" />
          <GroupName name={name()} canRename={can(myRole() ?? undefined, 'rename')} onRename={(next) => renameGroup(props.head, next)} />
          <p class="group-info-count" data-testid="group-info-count">
            Group · {count()} {count() === 1 ? 'member' : 'members'}
          </p>
          <Show when={!isMember() && props.meta}>
            <p class="group-info-note" data-testid="group-info-not-member">
              You're no longer a participant in this group.
            </p>
          </Show>
        </section>

        <section class="group-info-card">
          <button type="button" class="group-info-row" onClick={() => props.onOpenMedia()} data-testid="open-media">
            <span class="group-info-row-icon">
              <ImageIcon />
            </span>
            <span>Media, links and docs</span>
          </button>
        </section>

        <section class="group-info-card">
          <h4 class="group-info-section-title">
            {count()} {count() === 1 ? 'member' : 'members'}
          </h4>
          <Show when={can(myRole() ?? undefined, 'addMember')}>
            <button type="button" class="group-info-row" aria-expanded={adding()} onClick={() => setAdding(!adding())} data-testid="add-members">
              <span class="group-info-row-icon accent">
                <AddPersonIcon />
              </span>
              Add member
            </button>
            <Show when={adding()}>
              <div class="group-info-search">
                <UserSearch
                  autofocus
                  forGroup
                  hidden={(id) => members().has(id as UserId)}
                  onPick={(user) => {
                    const id = parseUserId(user.id);
                    if (id) addMembers(props.head, [id], props.me, Date.now());
                    setAdding(false);
                  }}
                />
              </div>
            </Show>
          </Show>
          <ul class="member-list" data-testid="member-list">
            <For each={sorted()}>
              {(id) => {
                const role = () => members().get(id)?.role ?? 'member';
                const name = () => displayNameOf(id);
                return (
                  <MemberRow
                    id={id}
                    name={name()}
                    role={role()}
                    me={id === props.me}
                    actions={memberActions(myRole(), props.me, { id, role: role() })}
                    onMakeAdmin={() => setRole(props.head, id, 'admin', props.me)}
                    onDismissAdmin={() => setRole(props.head, id, 'member', props.me)}
                    onRemove={() => remove(id, name())}
                  />
                );
              }}
            </For>
          </ul>
        </section>

        <Show when={!props.former && can(myRole() ?? undefined, 'addMember')}>
          <InviteLink roomId={props.roomId} />
        </Show>

        <Show when={isMember()}>
          <section class="group-info-card">
            <button type="button" class="group-info-row danger" onClick={exit} data-testid="exit-group">
              <span class="group-info-row-icon">
                <ExitIcon />
              </span>
              Exit group
            </button>
          </section>
        </Show>
      </div>
      <Show when={confirmation()} keyed>
        {(c) => <ConfirmDialog confirmation={c} onDone={() => setConfirmation(null)} />}
      </Show>
    </aside>
  );
}
