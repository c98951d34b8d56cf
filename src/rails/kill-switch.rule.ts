import type { CurrentOrder } from '../broker/order-rails';
import { textOf } from '../common/text-of';

/**
 * The kill switch's rule for modifications: while it is tripped, a modification may only take risk off. Taking risk
 * off means a smaller quantity; every other field must stay as it is (a new price, trigger or order type is a new
 * trading decision — LIMIT → MARKET most of all). Returns why the modification adds risk, or null if it adds none.
 * Without the order's current state nothing can be compared, so nothing goes out.
 */
export function riskAddedBy(current: CurrentOrder | null, params: Record<string, unknown>): string | null {
  if (!current) return "the order's current state could not be read from Kite";
  const asNumber = (value: unknown) => Number(value);
  for (const [field, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    switch (field) {
      case 'quantity':
        if (asNumber(value) > current.quantity) return `quantity ${current.quantity} → ${textOf(value)} adds to the position`;
        break;
      case 'order_type':
        if (textOf(value) !== current.orderType) return `order type ${current.orderType} → ${textOf(value)}`;
        break;
      case 'price':
        if (asNumber(value) !== current.price) return `price ${current.price} → ${textOf(value)}`;
        break;
      case 'trigger_price':
        if (asNumber(value) !== current.triggerPrice) return `trigger price ${current.triggerPrice} → ${textOf(value)}`;
        break;
      case 'market_protection':
        // Only meaningful with a change to MARKET/SL-M, which order_type already refuses.
        break;
      default:
        return `${field} may not change`;
    }
  }
  return null;
}
