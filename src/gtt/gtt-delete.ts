import { In, IsNull, Not, Repository } from 'typeorm';
import { errorText } from '../common/error-text';
import type { KiteClient } from '../kite-session/kite-client.provider';
import { Gtt } from './entities/gtt.entity';
import { LIVE_GTT_STATUSES, UNSETTLED_GTT_STATUSES } from './gtt-state';

export interface DeleteGttsResult {
  /** Kite trigger ids deleted now. */
  deleted: number[];
  failures: Array<{ triggerId: number; error: string }>;
  /** GTTs whose placement is still unsettled: marked to be deleted the moment they are found (and never sent again). */
  deleteWhenFound: number;
}

/** Runs one write (the engine's WriteTransactions, or a plain repository call in a CLI). */
export type GttWrite = (work: (gtts: Repository<Gtt>) => Promise<unknown>) => Promise<unknown>;

/**
 * Delete every live GTT legwork placed (of one strategy, or all) at Kite, and mark them deleted; GTTs whose placement
 * is unsettled are marked to be deleted as soon as they are found. Deleting takes risk off, so it always goes out
 * (kill switch tripped or not). Used by the kill switch's cancel-open, the timed square-off and the CLI without an engine.
 */
export async function deleteLegworkGtts(
  kite: Pick<KiteClient, 'deleteGTT'>,
  gtts: Repository<Gtt>,
  write: GttWrite,
  filter: { strategy?: string } = {},
): Promise<DeleteGttsResult> {
  const result: DeleteGttsResult = { deleted: [], failures: [], deleteWhenFound: 0 };
  const live = await gtts.find({ where: { ...filter, status: In([...LIVE_GTT_STATUSES]), triggerId: Not(IsNull()) } });
  for (const gtt of live) {
    const triggerId = gtt.triggerId!;
    try {
      await kite.deleteGTT(triggerId);
      result.deleted.push(triggerId);
      await write((repo) => repo.update({ id: gtt.id, status: gtt.status }, { status: 'deleted' }));
    } catch (error) {
      // Already triggered, cancelled or deleted at Kite: the next read of Kite's list records what it is.
      result.failures.push({ triggerId, error: errorText(error) });
    }
  }
  const unsettled = await gtts.find({ where: { ...filter, status: In([...UNSETTLED_GTT_STATUSES]), deleteRequested: false } });
  if (unsettled.length > 0) {
    await write((repo) => repo.update({ id: In(unsettled.map((g) => g.id)) }, { deleteRequested: true }));
    result.deleteWhenFound = unsettled.length;
  }
  return result;
}
