import { postbackChecksum } from '../../src/common/kite-checksum';
import samplePostback from '../fixtures/kite-postback.json';

/** The api_secret Kite's sample postback was signed with. */
export const SAMPLE_API_SECRET = '0hdv7iw5examplesecret';

export type PostbackBody = typeof samplePostback & Record<string, unknown>;

/** Kite's sample postback (every field), with overrides, signed with Kite's formula unless a checksum is given. */
export function signedPostback(overrides: Partial<Record<keyof PostbackBody, unknown>> = {}, secret = SAMPLE_API_SECRET): PostbackBody {
  const body = { ...samplePostback, ...overrides } as PostbackBody;
  if (!('checksum' in overrides)) body.checksum = postbackChecksum(String(body.order_id), String(body.order_timestamp), secret);
  return body;
}

/** A sequence of updates for one order, e.g. partial fills, with Kite's fields. */
export function orderUpdate(
  orderId: string,
  status: string,
  filled: number,
  quantity: number,
  averagePrice: number,
  time: string,
  extra: Record<string, unknown> = {},
): PostbackBody {
  return signedPostback({
    order_id: orderId,
    status,
    quantity,
    filled_quantity: filled,
    pending_quantity: status === 'COMPLETE' || status === 'CANCELLED' || status === 'REJECTED' ? 0 : quantity - filled,
    unfilled_quantity: quantity - filled,
    average_price: averagePrice,
    order_type: 'LIMIT',
    price: 100,
    order_timestamp: '2026-11-25 09:15:00',
    exchange_update_timestamp: time,
    exchange_timestamp: time,
    ...extra,
  });
}
