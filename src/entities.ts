import { Leg } from './broker/entities/leg.entity';
import { LegGroup } from './broker/entities/leg-group.entity';
import { Gtt } from './gtt/entities/gtt.entity';
import { SquareOff } from './square-off/entities/square-off.entity';
import { PositionsCheckRecord } from './positions/entities/positions-check.entity';
import { KiteSession } from './kite-session/kite-session.entity';
import { InboxEntry } from './inbox/inbox-entry.entity';
import { Instrument } from './instruments/entities/instrument.entity';
import { InstrumentList } from './instruments/entities/instrument-list.entity';
import { Fill } from './orders/entities/fill.entity';
import { OrderEventRecord } from './orders/entities/order-event.entity';
import { Order } from './orders/entities/order.entity';
import { ExternalOrder } from './rails/entities/external-order.entity';
import { KillSwitchState } from './rails/entities/kill-switch.entity';
import { OrderAction } from './rails/entities/order-action.entity';

/**
 * Every entity in the trade log, composed at the root: the engine registers each feature's entities through its own
 * module (TypeOrmModule.forFeature, autoLoadEntities); the TypeORM CLI (ormconfig.ts), the read-only CLIs and tests
 * that open the file without the engine take this list.
 */
export const ENTITIES = [
  InboxEntry,
  Order,
  OrderEventRecord,
  Fill,
  Leg,
  KiteSession,
  KillSwitchState,
  OrderAction,
  LegGroup,
  ExternalOrder,
  InstrumentList,
  Instrument,
  Gtt,
  SquareOff,
  PositionsCheckRecord,
];
