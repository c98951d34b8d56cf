/**
 * Everything a strategy plugin needs, from one import:
 *   import { Strategy, OnOrderEvent, OrderEventName, OrderCompletedEvent, StrategyContext } from '../../src/sdk';
 * This is the whole surface: decorators, the events and their names, the context a handler gets, the order and leg
 * types it sends and gets back, and the errors it may catch. Nothing internal (no services, no TypeORM entities, no
 * outbox helpers): a strategy acts only through its context, under its own name. The rest of src/ may change.
 */

// Declaring a strategy and its handlers (a handler's event type is checked against the names it subscribes to).
export { Strategy, OnOrderEvent } from '../strategy-host/strategy.decorators';
export type { StrategyOptions, OrderEventHandler } from '../strategy-host/strategy.decorators';

// What a handler gets: the event (below) and its context.
export type {
  StrategyContext,
  StrategyOrders,
  StrategyNotifier,
  OrderEventFilter,
  LegInfo,
  PlaceLegOptions,
  PlacedGroup,
} from '../strategy-host/strategy.interfaces';

// Settings: read (and checked) once, in the constructor — the one way to read them.
export { StrategyEnvironment } from '../strategy-host/strategy-environment';
export type { StrategySettings } from '../config/strategy-settings';

// Order events.
export { OrderEventName } from '../events/order-event-names';
export {
  OrderEvent,
  OrderOpenedEvent,
  OrderUpdatedEvent,
  OrderFilledEvent,
  OrderCompletedEvent,
  OrderRejectedEvent,
  OrderCancelledEvent,
} from '../events/order.events';
export type { AnyOrderEvent, FillDelta, OrderEventMap } from '../events/order.events';
export type { OrderSnapshot, OrderEventSource } from '../events/order-snapshot';

// Orders and legs: what a leg sends and what comes back.
export type { LegOrder, LegOutcome, LegOutcomeStatus, SliceOutcome, Variety, KiteOrderRow, KiteTradeRow } from '../broker/leg-order';
export type { GroupLeg } from '../broker/leg-group.service';
export type { LegGroupStatus } from '../broker/entities/leg-group.entity';
export type { KiteErrorInfo } from '../broker/kite-error';
export { KiteCallError } from '../broker/order-gateway.service';
export { PlacementRefusedError } from '../broker/order-rails';

// GTTs.
export { GttSpecError } from '../gtt/gtt-state';
export type { GttSpec, SingleGttSpec, OcoGttSpec, GttLegSpec, GttOrderSpec, GttStatus } from '../gtt/gtt-state';
export type { GttOutcome, GttView } from '../gtt/gtt.service';

// Alerts and instruments.
export type { Alert } from '../notifier/alert';
export type { InstrumentInfo, InstrumentListInfo, InstrumentLookup, OptionQuery, OptionType, StrikeQuery } from '../instruments/instrument.types';
