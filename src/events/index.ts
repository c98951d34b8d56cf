export * from './order-event-names';
export * from './order-snapshot';
export * from './order.events';
export * from './leg.events';
export * from './fill.events';
export * from './gtt.events';
