import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUniqueViolation } from '../database/unique-violation';
import { toOrderUpdate } from '../orders/order-update';
import { dedupKeyOf } from './dedup-key';
import { InboxEntry, InboxSource } from './inbox-entry.entity';

export interface AcceptedUpdate {
  entryId: number | null;
  duplicate: boolean;
  orderId: string;
}

/** Durable intake: an update is committed to the inbox table before anyone is told it was received. */
@Injectable()
export class InboxService {
  private readonly logger = new Logger(InboxService.name);

  constructor(@InjectRepository(InboxEntry) private readonly entries: Repository<InboxEntry>) {}

  /**
   * Store one update (raw text kept verbatim). Returns duplicate=true when the same order state was already stored;
   * the unique dedup key makes that decision in the database, so it holds across restarts and instances.
   */
  async accept(rawBody: string, payload: Record<string, unknown>, source: InboxSource): Promise<AcceptedUpdate> {
    const update = toOrderUpdate(payload);
    try {
      const result = await this.entries.insert({ dedupKey: dedupKeyOf(update), source, orderId: update.orderId, rawBody });
      return { entryId: result.identifiers[0].id as number, duplicate: false, orderId: update.orderId };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      this.logger.log(
        { orderId: update.orderId },
        `duplicate ${source} update for order ${update.orderId} (${update.status}, filled ${update.filledQuantity}) absorbed`,
      );
      return { entryId: null, duplicate: true, orderId: update.orderId };
    }
  }

  /** Oldest unprocessed entries first: per order, updates are applied in arrival order. */
  pending(limit: number): Promise<InboxEntry[]> {
    return this.entries.createQueryBuilder('e').where('e.processedAt IS NULL').orderBy('e.id', 'ASC').limit(limit).getMany();
  }

  async countPending(): Promise<number> {
    return this.entries.createQueryBuilder('e').where('e.processedAt IS NULL').getCount();
  }

  /** Give up on an entry that keeps failing: it is marked failed with the reason, and its raw body stays. */
  async park(id: number, attempts: number, reason: string): Promise<void> {
    await this.entries.update({ id }, { processedAt: new Date(), outcome: 'failed', attempts, note: reason });
  }
}
