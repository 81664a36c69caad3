import { comparePositions, type Position } from '#schema/docs/receipts';
import type { RoomId } from '#schema/ids';

/**
 * How far this tab showed each chat while it was open in a visible page. The chat index
 * reports a message when the server projects it, which can be after the user saw it in
 * the open chat and moved on (a busy room's projection gathers for half a second): a
 * desktop notification must not announce what was read here already.
 */
export class ReadHere {
  private readonly through = new Map<RoomId, Position>();

  /** The chat was shown up to the message at `position`. */
  saw(roomId: RoomId, position: Position): void {
    const before = this.through.get(roomId);
    if (!before || comparePositions(position, before) > 0) this.through.set(roomId, position);
  }

  /** Whether the message at `position` was shown here already. */
  has(roomId: RoomId, position: Position): boolean {
    const through = this.through.get(roomId);
    return through !== undefined && comparePositions(position, through) <= 0;
  }
}
