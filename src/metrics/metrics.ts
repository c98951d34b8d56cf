import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';

/** Metric names, declared once; inject with @InjectMetric(Metric.X). */
export const Metric = {
  Postbacks: 'legwork_postbacks_total',
  PostbackAckSeconds: 'legwork_postback_ack_seconds',
  InboxBacklog: 'legwork_inbox_backlog',
  InboxProcessed: 'legwork_inbox_processed_total',
  InboxProcessorErrors: 'legwork_inbox_processor_errors_total',
  UnhandledErrors: 'legwork_unhandled_errors_total',
  EventsPublished: 'legwork_events_published_total',
  ReconcileRuns: 'legwork_reconcile_runs_total',
  ReconcileDifferences: 'legwork_reconcile_differences_total',
  Orders: 'legwork_orders_total',
  StrategyHandlerSeconds: 'legwork_strategy_handler_seconds',
  StrategyFailures: 'legwork_strategy_failures_total',
  Alerts: 'legwork_alerts_total',
  RailsOrderUsage: 'legwork_rails_order_usage',
  RailsOrderLimit: 'legwork_rails_order_limit',
  RailsOrdersQueued: 'legwork_rails_orders_queued',
  KillSwitchTripped: 'legwork_kill_switch_tripped',
  ExternalOrders: 'legwork_external_orders_total',
  PositionsMismatch: 'legwork_positions_mismatch',
  InstanceRole: 'legwork_instance_role',
} as const;

export const METRIC_PROVIDERS = [
  makeGaugeProvider({
    name: Metric.InstanceRole,
    help: "This instance's role: 1 on its current role's label (single, leader, standby), 0 on the others",
    labelNames: ['role'],
  }),
  makeCounterProvider({
    name: Metric.Postbacks,
    help: 'Postbacks received, by outcome (accepted, duplicate, 400, 403, 413, 500)',
    labelNames: ['outcome'],
  }),
  makeHistogramProvider({
    name: Metric.PostbackAckSeconds,
    help: 'Time from request to answer for accepted postbacks (includes the durable inbox write)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  }),
  makeGaugeProvider({ name: Metric.InboxBacklog, help: 'Inbox entries acknowledged but not yet processed' }),
  makeCounterProvider({
    name: Metric.InboxProcessed,
    help: 'Inbox entries processed, by outcome (applied, ignored, failed)',
    labelNames: ['outcome'],
  }),
  makeCounterProvider({ name: Metric.InboxProcessorErrors, help: 'Inbox processing passes that failed (each is retried with backoff)' }),
  makeCounterProvider({
    name: Metric.UnhandledErrors,
    help: 'Errors that escaped every handler and reached the process (logged; kind: rejection, exception)',
    labelNames: ['kind'],
  }),
  makeCounterProvider({ name: Metric.EventsPublished, help: 'Domain events published, by type', labelNames: ['type'] }),
  makeCounterProvider({ name: Metric.ReconcileRuns, help: 'Reconciliations with the OMS, by trigger and result', labelNames: ['trigger', 'result'] }),
  makeCounterProvider({ name: Metric.ReconcileDifferences, help: 'Updates reconciliation found missing from the store' }),
  makeCounterProvider({
    name: Metric.Orders,
    help: 'Order actions sent to Kite, by action (place, modify, cancel) and outcome (placed, recovered, refused, unclear, failed, rate_limited, ok)',
    labelNames: ['action', 'outcome'],
  }),
  makeHistogramProvider({
    name: Metric.StrategyHandlerSeconds,
    help: 'Time a strategy handler took, by strategy and event',
    labelNames: ['strategy', 'event'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
  }),
  makeCounterProvider({ name: Metric.StrategyFailures, help: 'Strategy handlers that threw or hung, by strategy and kind', labelNames: ['strategy', 'kind'] }),
  makeCounterProvider({ name: Metric.Alerts, help: 'Alerts sent, by channel and result', labelNames: ['channel', 'result'] }),
  makeGaugeProvider({
    name: Metric.RailsOrderUsage,
    help: 'Order actions counted against Kite limits: window="second"/"minute" (rolling, this instance), "day" (placements today, IST, from the database)',
    labelNames: ['window'],
  }),
  makeGaugeProvider({
    name: Metric.RailsOrderLimit,
    help: 'Configured Kite limits, by window (second, minute, day, modifications_per_order)',
    labelNames: ['window'],
  }),
  makeGaugeProvider({ name: Metric.RailsOrdersQueued, help: 'Order actions waiting in the shared rate-limit queue' }),
  makeGaugeProvider({ name: Metric.KillSwitchTripped, help: '1 while the kill switch is tripped (no strategy may place orders)' }),
  makeCounterProvider({ name: Metric.ExternalOrders, help: 'Orders first seen that legwork did not place and no strategy claims by tag' }),
  makeGaugeProvider({
    name: Metric.PositionsMismatch,
    help: "Instruments whose net quantity today in legwork differs from Kite's positions, at the last check",
  }),
];
