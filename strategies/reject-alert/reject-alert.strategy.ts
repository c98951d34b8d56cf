import { OnOrderEvent, OrderEventName, OrderRejectedEvent, Strategy, StrategyContext } from '../../src/sdk';

/**
 * Reject alert. Every rejected order — yours, a leg, or one placed outside legwork — raises an alert through the
 * notifier (NOTIFY_WEBHOOK_URL, and/or Telegram with NOTIFY_TELEGRAM_BOT_TOKEN + NOTIFY_TELEGRAM_CHAT_ID). The
 * notifier sends in the background, so this handler returns at once.
 */
@Strategy({ name: 'reject-alert', description: 'alert on every rejected order' })
export class RejectAlertStrategy {
  @OnOrderEvent(OrderEventName.Rejected, { external: true })
  onRejected(event: OrderRejectedEvent, ctx: StrategyContext): void {
    const o = event.order;
    ctx.notifier.notify({
      title: `Order rejected: ${o.transactionType ?? ''} ${o.quantity} ${o.tradingsymbol ?? ''}`.replace(/\s+/g, ' ').trim(),
      text: event.reason || 'no reason given',
      severity: 'warning',
      fields: {
        order_id: o.orderId,
        exchange: o.exchange,
        tag: o.tag,
        chain: ctx.leg?.chainId ?? null,
        strategy: ctx.leg?.strategy ?? null,
        source: event.source,
      },
    });
  }
}
