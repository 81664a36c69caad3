import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/**
 * Test support: Yjs v1 updates written struct by struct, as an attacker's own encoder
 * could write them (origins, parents and clocks of one's choosing), for the guard's
 * adversarial tests.
 */
export interface RawItem {
  origin?: Y.ID | null;
  rightOrigin?: Y.ID | null;
  /** A root name, or the id of a parent item; only written when there is no origin. */
  parent?: string | Y.ID | null;
  parentSub?: string | null;
  values: unknown[];
}

export function rawItem(client: number, clock: number, raw: RawItem): Y.Item {
  const parent = (raw.origin || raw.rightOrigin ? null : (raw.parent ?? null)) as Y.AbstractType<unknown> | null;
  return new Y.Item(Y.createID(client, clock), null, raw.origin ?? null, null, raw.rightOrigin ?? null, parent, raw.parentSub ?? null, new Y.ContentAny(raw.values));
}

export function rawGc(client: number, clock: number, length = 1): Y.GC {
  return new Y.GC(Y.createID(client, clock), length);
}

/** A deleted range: client, first clock, length. */
export type RawDeletion = readonly [client: number, clock: number, length: number];

/** One section per entry, in the order given (Yjs' own encoder writes one per client), then the deleted ranges. */
export function encodeSections(sections: ReadonlyArray<readonly (Y.Item | Y.GC)[]>, deletions: readonly RawDeletion[] = []): Uint8Array {
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, sections.length);
  for (const structs of sections) {
    encoding.writeVarUint(encoder.restEncoder, structs.length);
    encoder.writeClient(structs[0]?.id.client ?? 0);
    encoding.writeVarUint(encoder.restEncoder, structs[0]?.id.clock ?? 0);
    for (const struct of structs) struct.write(encoder, 0);
  }
  const byClient = new Map<number, RawDeletion[]>();
  for (const deletion of deletions) byClient.set(deletion[0], [...(byClient.get(deletion[0]) ?? []), deletion]);
  encoding.writeVarUint(encoder.restEncoder, byClient.size);
  for (const [client, ranges] of byClient) {
    encoder.resetDsCurVal();
    encoding.writeVarUint(encoder.restEncoder, client);
    encoding.writeVarUint(encoder.restEncoder, ranges.length);
    for (const [, clock, length] of ranges) {
      encoder.writeDsClock(clock);
      encoder.writeDsLen(length);
    }
  }
  return encoder.toUint8Array();
}

/** Structs grouped into one section per client, in the order their clients first appear. */
export function encodeStructs(structs: readonly (Y.Item | Y.GC)[]): Uint8Array {
  const byClient = new Map<number, (Y.Item | Y.GC)[]>();
  for (const struct of structs) {
    const list = byClient.get(struct.id.client);
    if (list) list.push(struct);
    else byClient.set(struct.id.client, [struct]);
  }
  return encodeSections([...byClient.values()]);
}
