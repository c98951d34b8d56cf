import { InitialSchema1795573417402 } from './1795573417402-InitialSchema';
import { Legs1795573510413 } from './1795573510413-Legs';
import { KiteSessions1795574596883 } from './1795574596883-KiteSessions';
import { Rails1795581910584 } from './1795581910584-Rails';
import { LegGroups1795582314835 } from './1795582314835-LegGroups';
import { ExternalOrders1795583288844 } from './1795583288844-ExternalOrders';
import { Instruments1795590000000 } from './1795590000000-Instruments';
import { FillPrices1796281438159 } from './1796281438159-FillPrices';
import { LegClaims1796282155401 } from './1796282155401-LegClaims';
import { LegSlices1796288145415 } from './1796288145415-LegSlices';
import { Gtts1796900000000 } from './1796900000000-Gtts';
import { SquareOffs1796900000100 } from './1796900000100-SquareOffs';
import { PositionsChecks1796900000200 } from './1796900000200-PositionsChecks';
import { Leadership1797000000000 } from './1797000000000-Leadership';
import { LegGroupMembership1797000000100 } from './1797000000100-LegGroupMembership';
import { PendingOnlyIndexes1797000000200 } from './1797000000200-PendingOnlyIndexes';
import { DedupKeyByOrder1797000000300 } from './1797000000300-DedupKeyByOrder';
import type { MigrationInterface } from 'typeorm';

/** Ordered list of schema migrations (new ones come from `npm run migration:generate -- src/database/migrations/Name`). */
export const MIGRATIONS: Array<new () => MigrationInterface> = [
  InitialSchema1795573417402,
  Legs1795573510413,
  KiteSessions1795574596883,
  Rails1795581910584,
  LegGroups1795582314835,
  ExternalOrders1795583288844,
  Instruments1795590000000,
  FillPrices1796281438159,
  LegClaims1796282155401,
  LegSlices1796288145415,
  Gtts1796900000000,
  SquareOffs1796900000100,
  PositionsChecks1796900000200,
  Leadership1797000000000,
  LegGroupMembership1797000000100,
  PendingOnlyIndexes1797000000200,
  DedupKeyByOrder1797000000300,
];
