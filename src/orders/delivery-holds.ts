import { Injectable } from '@nestjs/common';

/**
 * Events whose delivery is not over although the bus moved on: a strategy handler outlived STRATEGY_TIMEOUT_MS and
 * may still be running. The publisher does not mark such an event dispatched until every hold on it has settled, so
 * a crash meanwhile means the event is delivered again at the next start (leg keys keep its effects exactly-once).
 */
@Injectable()
export class DeliveryHolds {
  private readonly holds = new Map<number, Promise<unknown>[]>();

  /** The event's delivery lasts until `work` settles (fulfilled or not). */
  hold(eventId: number, work: Promise<unknown>): void {
    const list = this.holds.get(eventId) ?? [];
    list.push(
      work.then(
        () => undefined,
        () => undefined,
      ),
    );
    this.holds.set(eventId, list);
  }

  /** Resolves once every hold on the event has settled (at once when there is none), and forgets them. */
  released(eventId: number): Promise<void> | null {
    const list = this.holds.get(eventId);
    if (!list) return null;
    return Promise.all(list).then(() => {
      // Holds added while waiting (a re-delivery) are waited for too.
      if (this.holds.get(eventId)!.length > list.length) return this.released(eventId)!;
      this.holds.delete(eventId);
    });
  }

  /** Events still held. */
  ids(): IterableIterator<number> {
    return this.holds.keys();
  }
}
