import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { UserId } from '../ids';
import type { SystemEvent } from './message';
import { addMembers, initGroup, leaveGroup, readMembers, removeMember, renameGroup, setRole, successorOf, onHeadChanged } from './roomHead';
import { describeSystemLine, systemEventsOf } from './systemLines';

const ALICE = '00000000-0000-4000-8000-00000000000a' as UserId;
const BOB = '00000000-0000-4000-8000-00000000000b' as UserId;
const CAROL = '00000000-0000-4000-8000-00000000000c' as UserId;
const DAN = '00000000-0000-4000-8000-00000000000d' as UserId;
const NAMES: Record<string, string> = { [ALICE]: 'Alice', [BOB]: 'Bob', [CAROL]: 'Carol', [DAN]: 'Dan' };

/** A group head and the lines each change by `actor` makes, as the server derives them. */
function watchedGroup() {
  const doc = new Y.Doc();
  const lines: string[][] = [];
  let actor = ALICE;
  onHeadChanged(doc, (change) => {
    const events = systemEventsOf(change, actor);
    lines.push(events.map((event) => describeSystemLine({ authorId: actor, event }, CAROL, (id) => NAMES[id]!)));
  });
  return {
    doc,
    lines,
    as(user: UserId, change: (doc: Y.Doc) => void) {
      actor = user;
      doc.transact(() => change(doc));
    },
  };
}

describe('system lines of group changes', () => {
  it('tells creation, renames, additions, roles, removals and leaving, as Carol reads them', () => {
    const g = watchedGroup();
    g.as(ALICE, (doc) => initGroup(doc, { name: 'Trip', owner: ALICE, members: [BOB, CAROL], now: 1 }));
    g.as(ALICE, (doc) => renameGroup(doc, 'Trip 2'));
    g.as(ALICE, (doc) => addMembers(doc, [DAN, BOB], ALICE, 2));
    g.as(ALICE, (doc) => setRole(doc, BOB, 'admin', ALICE));
    g.as(BOB, (doc) => removeMember(doc, DAN));
    g.as(ALICE, (doc) => setRole(doc, BOB, 'member', ALICE));
    g.as(CAROL, (doc) => removeMember(doc, CAROL));
    expect(g.lines).toEqual([
      ['Alice created group “Trip”'],
      ['Alice changed the group name to “Trip 2”'],
      ['Alice added Dan'],
      ['Alice made Bob an admin'],
      ['Bob removed Dan'],
      ['Alice dismissed Bob as admin'],
      ['You left'],
    ]);
  });

  it('says "you" when Carol is the one added or removed', () => {
    const event: SystemEvent = { type: 'removed', target: CAROL };
    expect(describeSystemLine({ authorId: BOB, event }, CAROL, (id) => NAMES[id]!)).toBe('Bob removed you');
    expect(describeSystemLine({ authorId: BOB, event }, BOB, (id) => NAMES[id]!)).toBe('You removed Carol');
  });

  it('makes no line for a change that leaves members, roles and the name as they were', () => {
    const g = watchedGroup();
    g.as(ALICE, (doc) => initGroup(doc, { name: 'Trip', owner: ALICE, members: [BOB], now: 1 }));
    g.as(ALICE, (doc) => addMembers(doc, [BOB], ALICE, 2));
    g.as(ALICE, (doc) => setRole(doc, BOB, 'member', ALICE));
    g.as(ALICE, (doc) => renameGroup(doc, 'Trip'));
    expect(g.lines).toHaveLength(1);
  });
});

describe('an owner leaving', () => {
  it('hands the group to the longest-standing admin, then leaves, in one change', () => {
    const g = watchedGroup();
    g.as(ALICE, (doc) => initGroup(doc, { name: 'Trip', owner: ALICE, members: [BOB], now: 1 }));
    g.as(ALICE, (doc) => addMembers(doc, [CAROL, DAN], ALICE, 5));
    g.as(ALICE, (doc) => setRole(doc, DAN, 'admin', ALICE));
    g.as(ALICE, (doc) => setRole(doc, CAROL, 'admin', ALICE));
    g.as(ALICE, (doc) => leaveGroup(doc, ALICE));
    // Carol and Dan joined together and are both admins: the smaller id decides, the same on every replica.
    expect(g.lines.at(-1)).toEqual(['Alice made you the group owner', 'Alice left']);
    expect(readMembers(g.doc).get(CAROL)).toEqual({ role: 'owner', addedBy: ALICE, addedAt: 5 });
    expect(readMembers(g.doc).has(ALICE)).toBe(false);
  });

  it('picks the longest-standing member when there is no admin, and nobody when another owner stays', () => {
    const members = new Map([
      [ALICE, { role: 'owner' as const, addedBy: ALICE, addedAt: 1 }],
      [BOB, { role: 'member' as const, addedBy: ALICE, addedAt: 3 }],
      [CAROL, { role: 'member' as const, addedBy: ALICE, addedAt: 2 }],
    ]);
    expect(successorOf(members, ALICE)).toBe(CAROL);
    members.set(BOB, { role: 'owner', addedBy: ALICE, addedAt: 3 });
    expect(successorOf(members, ALICE)).toBeNull();
    expect(successorOf(new Map([[ALICE, { role: 'owner', addedBy: ALICE, addedAt: 1 }]]), ALICE)).toBeNull();
  });

  it('disappearing messages and joining by link are worded for each reader; a DM head says only its timer', () => {
    const me = 'aaaaaaaa-0000-4000-8000-000000000001' as UserId;
    const ann = 'aaaaaaaa-0000-4000-8000-000000000002' as UserId;
    const names = (id: UserId) => (id === ann ? 'Ann' : 'Someone');
    const on = { authorId: ann, event: { type: 'disappearing' as const, after: 7 * 86_400_000 } };
    expect(describeSystemLine(on, me, names)).toBe("Ann turned on disappearing messages: new messages disappear 7 days after they're sent");
    expect(describeSystemLine({ ...on, event: { type: 'disappearing', after: 0 } }, ann, names)).toBe('You turned off disappearing messages');
    expect(describeSystemLine({ authorId: ann, event: { type: 'joined' } }, me, names)).toBe("Ann joined using this group's invite link");
    expect(systemEventsOf({ created: true, members: [] }, ann, 'dm')).toEqual([]);
    expect(systemEventsOf({ created: false, disappearing: 86_400_000, members: [] }, ann, 'dm')).toEqual([{ type: 'disappearing', after: 86_400_000 }]);
  });
});
