/**
 * Everything a strategy plugin needs, from one import:
 *   import { Strategy, OnOrderEvent, OrderEventName, OrderCompletedEvent, StrategyContext } from '../../src/sdk';
 * Keep strategies on this surface; the rest of src/ may change between versions.
 */
export { Strategy, OnOrderEvent } from '../strategy-host/strategy.decorators';
export type { StrategyOptions } from '../strategy-host/strategy.decorators';
export type { StrategyContext, OrderEventFilter, LegInfo, PlaceLegOptions } from '../strategy-host/strategy.interfaces';
export { StrategyEnvironment } from '../strategy-host/strategy-environment';
export { StrategySettings } from '../config/strategy-settings';
export { OrderGateway, KiteCallError } from '../broker/order-gateway.service';
export type { LegOrder, LegOutcome, PlaceLegRequest, SliceOutcome, Variety } from '../broker/order-gateway.service';
export type { GroupLeg } from '../broker/leg-group.service';
export { GttSpecError } from '../gtt/gtt-state';
export type { GttSpec, SingleGttSpec, OcoGttSpec, GttLegSpec, GttOrderSpec, GttStatus } from '../gtt/gtt-state';
export type { GttOutcome, GttView } from '../gtt/gtt.service';
export type { LegGroup } from '../broker/entities/leg-group.entity';
export { Notifier } from '../notifier/notifier.service';
export type { Alert } from '../notifier/alert';
export type { InstrumentInfo, InstrumentListInfo, InstrumentLookup, OptionQuery, OptionType, StrikeQuery } from '../instruments/instrument.types';
export * from '../events';
