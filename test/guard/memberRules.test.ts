import { describe, expect, it } from 'vitest';
import { memberActions, type MemberActions } from '../../client/src/group/memberActions';
import { memberChangeRefusal } from '#schema/access';
import { parseDocName, roomHeadDoc } from '#schema/docs/names';
import { initGroup, leaveGroup, readMembers, removeMember, setMember, type MemberRole } from '#schema/docs/roomHead';
import type { RoomId, UserId } from '#schema/ids';
import { GuardHarness, type Peer } from '../helpers/guardHarness';

/**
 * The rules of a group's membership (`memberChangeRefusal` in schema/access.ts), each
 * case run through the update guard on raw Yjs docs and through what the group info
 * offers (`memberActions`): the two must agree, so the app never offers what the server
 * refuses, and nothing the app hides gets past the server.
 */

const GROUP = 'g.22222222-2222-4222-8222-222222222222' as RoomId;
const NOW = 1_700_000_000_000;
const id = (n: number) => `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}` as UserId;

/** Two people of each role, so each can act on someone else of every role. */
const PEOPLE: Record<`${MemberRole}${1 | 2}`, UserId> = {
  owner1: id(11),
  owner2: id(12),
  admin1: id(21),
  admin2: id(22),
  member1: id(31),
  member2: id(32),
};
const NEWCOMER = id(99);
const ROLES: MemberRole[] = ['owner', 'admin', 'member'];

/** A group whose head holds everyone in PEOPLE with their role, and a raw peer per person. */
function group(): { h: GuardHarness; peers: Map<UserId, Peer> } {
  const h = new GuardHarness(parseDocName(roomHeadDoc(GROUP))!);
  // Written straight into the server's replica: setting the scene is not under test.
  initGroup(h.server, { name: 'Rules', owner: PEOPLE.owner1, members: Object.values(PEOPLE), now: NOW });
  for (const [key, userId] of Object.entries(PEOPLE)) setMember(h.server, userId, { role: key.slice(0, -1) as MemberRole, addedBy: PEOPLE.owner1, addedAt: NOW });
  const peers = new Map<UserId, Peer>();
  Object.values(PEOPLE).forEach((userId, i) => {
    const peer = h.peer(userId, 1000 + i);
    h.pull(peer);
    peers.set(userId, peer);
  });
  return { h, peers };
}

const world = group();
const roleOf = (userId: UserId): MemberRole => readMembers(world.h.server).get(userId)!.role;

/** The guard's verdict on `actor` writing `target`'s entry as `after` (null: removing it). */
function guardAccepts(actor: UserId, target: UserId, after: MemberRole | null): boolean {
  const current = readMembers(world.h.server).get(target);
  const result = world.h.attempt(world.peers.get(actor)!, (doc) => {
    if (after === null) removeMember(doc, target);
    else setMember(doc, target, { role: after, addedBy: actor, addedAt: current?.addedAt ?? NOW + 1 });
  });
  if (!result.ok) expect(result.rule).toBe('admin-only');
  return result.ok;
}

/** What the group info offers `actor` on `target`'s row. */
const offered = (actor: UserId, target: UserId): MemberActions => memberActions(roleOf(actor), actor, { id: target, role: roleOf(target) });

const actors = (): [string, UserId][] => ROLES.map((role) => [role, PEOPLE[`${role}1`]]);
const others = (role: MemberRole): UserId => PEOPLE[`${role}2`];

describe('rule: only an owner or admin makes someone an admin or dismisses one, and never on their own entry', () => {
  for (const [actorRole, actor] of actors()) {
    it(`${actorRole} makes a member an admin: the guard and the group info agree`, () => {
      expect(guardAccepts(actor, others('member'), 'admin')).toBe(offered(actor, others('member')).makeAdmin);
      expect(offered(actor, others('member')).makeAdmin).toBe(actorRole !== 'member');
    });
    it(`${actorRole} dismisses an admin: the guard and the group info agree`, () => {
      expect(guardAccepts(actor, others('admin'), 'member')).toBe(offered(actor, others('admin')).dismissAdmin);
      expect(offered(actor, others('admin')).dismissAdmin).toBe(actorRole !== 'member');
    });
    it(`${actorRole} changes their own role: neither offers nor accepts it`, () => {
      for (const after of ROLES.filter((role) => role !== actorRole)) expect(guardAccepts(actor, actor, after)).toBe(false);
      const own = offered(actor, actor);
      expect(own.makeAdmin || own.dismissAdmin).toBe(false);
    });
  }
});

describe('rule: only an owner makes, changes or removes an owner', () => {
  for (const [actorRole, actor] of actors()) {
    it(`${actorRole} removes an owner: the guard and the group info agree`, () => {
      expect(guardAccepts(actor, others('owner'), null)).toBe(offered(actor, others('owner')).remove);
      expect(offered(actor, others('owner')).remove).toBe(actorRole === 'owner');
    });
    it(`${actorRole} makes an owner or demotes one: accepted from an owner only`, () => {
      expect(guardAccepts(actor, others('admin'), 'owner')).toBe(actorRole === 'owner');
      expect(guardAccepts(actor, others('owner'), 'admin')).toBe(actorRole === 'owner');
      // The group info offers neither: an owner hands the group on by leaving.
      expect(offered(actor, others('admin')).makeAdmin).toBe(false);
      expect(offered(actor, others('owner'))).toMatchObject({ makeAdmin: false, dismissAdmin: false });
    });
  }
});

describe('rule: only an owner or admin adds or removes others; anyone may leave', () => {
  for (const [actorRole, actor] of actors()) {
    for (const targetRole of ['admin', 'member'] as const) {
      it(`${actorRole} removes a ${targetRole}: the guard and the group info agree`, () => {
        expect(guardAccepts(actor, others(targetRole), null)).toBe(offered(actor, others(targetRole)).remove);
        expect(offered(actor, others(targetRole)).remove).toBe(actorRole !== 'member');
      });
    }
    it(`${actorRole} adds someone: accepted from an owner or admin`, () => {
      expect(guardAccepts(actor, NEWCOMER, 'member')).toBe(actorRole !== 'member');
      expect(guardAccepts(actor, NEWCOMER, 'admin')).toBe(actorRole !== 'member');
    });
    it(`${actorRole} leaves: always accepted (the group info offers it as "Exit group", not on their row)`, () => {
      expect(guardAccepts(actor, actor, null)).toBe(true);
      expect(offered(actor, actor).remove).toBe(false);
      expect(world.h.attempt(world.peers.get(actor)!, (doc) => leaveGroup(doc, actor)).ok).toBe(true);
    });
  }
});

describe('the guard judges every member entry change by the shared rule', () => {
  const targets = { ...PEOPLE, newcomer: NEWCOMER };
  for (const [actorRole, actor] of actors()) {
    for (const [targetName, target] of Object.entries(targets)) {
      for (const after of [...ROLES, null]) {
        it(`${actorRole} sets ${targetName} to ${after ?? 'removed'}`, () => {
          const before = readMembers(world.h.server).get(target)?.role ?? null;
          const allowed = memberChangeRefusal({ id: actor, role: actorRole as MemberRole, creating: false }, { target, before, after }) === null;
          expect(guardAccepts(actor, target, after)).toBe(allowed);
        });
      }
    }
  }
});
