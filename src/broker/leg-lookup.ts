import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { PreparedQuery } from '../database/prepared-query';
import { Leg } from './entities/leg.entity';

/** The leg row's identity, without its request or claim: the type and the queries' columns from one list. */
const OWNER_COLUMNS = ['strategy', 'chainId', 'parentOrderId', 'legName', 'tag'] as const satisfies ReadonlyArray<keyof Leg>;

/** Whose an order is. */
export type LegOwner = Pick<Leg, (typeof OWNER_COLUMNS)[number]>;

const OWNER = OWNER_COLUMNS.map((c) => `"${c}"`).join(', ');

/**
 * The leg behind an order, by its leg tag or by its order id. Asked on every order event (the strategy host, the GTT
 * linker, the external-orders tracker) and on every placement (a leg's chain), so the queries are written once
 * (PreparedQuery) instead of built per call. A slice shares its leg's chain and strategy: the first row is the leg.
 */
@Injectable()
export class LegLookup {
  private readonly ownerByTag: PreparedQuery<LegOwner>;
  private readonly ownerByOrderId: PreparedQuery<LegOwner>;

  constructor(@InjectRepository(Leg) legs: Repository<Leg>) {
    this.ownerByTag = PreparedQuery.on(legs, `SELECT ${OWNER} FROM "legs" WHERE "tag" = :tag LIMIT 1`);
    this.ownerByOrderId = PreparedQuery.on(legs, `SELECT ${OWNER} FROM "legs" WHERE "orderId" = :orderId ORDER BY "id" LIMIT 1`);
  }

  byTag(tag: string): Promise<LegOwner | null> {
    return this.ownerByTag.one({ tag });
  }

  byOrderId(orderId: string): Promise<LegOwner | null> {
    return this.ownerByOrderId.one({ orderId });
  }
}
