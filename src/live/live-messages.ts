/**
 * What the live stream (GET /api/trade-log/stream) sends, as server-sent events. Shared by the engine, the /trades page
 * (plain JS, same shapes) and `npm run trades -- watch`. Every message carries `id:` = the newest order_events id
 * the connection has been told about, so a client that reconnects with Last-Event-ID hears what changed meanwhile.
 *
 *   event: resync   first on every connection: reload your data (orderIds: what changed since Last-Event-ID, if sent)
 *   event: state    the engine's state (EngineState), on connecting and whenever it changes
 *   event: orders   orders and chains that changed, coalesced over a short window
 */
import type { InstanceRole } from '../instance/instance-role';
import type { KillSwitchStatus } from '../rails/kill-switch.service';
import type { RailsUsage } from '../rails/legwork-rails';
import type { LastReconcile } from '../reconcile/reconcile.service';

export const LiveEvent = { Resync: 'resync', State: 'state', Orders: 'orders' } as const;

export interface ResyncMessage {
  /** connected: a new connection (or one whose Last-Event-ID this store does not know); resumed: Last-Event-ID was known. */
  reason: 'connected' | 'resumed';
  /** The Last-Event-ID the client sent, when resumed. */
  since: number | null;
  /** Orders with order events after `since` (newest first), so the client can mark them; empty when connected. */
  orderIds: string[];
  /** More orders changed than listed. */
  truncated: boolean;
}

export interface OrdersChangedMessage {
  /** Orders with new order events (order.*) or a leg just placed for them (leg.placed). */
  orderIds: string[];
  /** Chains with a leg placed or failed (leg.*). */
  chainIds: string[];
}

export interface EngineState {
  /** When the engine read this state (ISO). */
  at: string;
  mode: 'paper' | 'live';
  killSwitch: KillSwitchStatus;
  /** Usage of Kite's order limits (the same figures as GET /rails). */
  orders: RailsUsage;
  /** Acknowledged order updates not processed yet, and the backlog at which readiness fails. */
  inbox: { backlog: number; max: number };
  /** Kite's WebSocket order stream (the second ingress): off, or connected or not. */
  orderStream: { enabled: boolean; connected: boolean };
  lastReconcile: LastReconcile | null;
  instance: InstanceRole;
}
