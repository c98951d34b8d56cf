import { InvalidOrderUpdateError, OrderUpdate, toOrderUpdate } from '../orders/order-update';

/**
 * A postback that parsed: the raw text (stored verbatim), the JSON object (unknown fields kept) and the normalised
 * update, carried through the pipeline so the body is parsed once.
 */
export interface ParsedPostback {
  rawBody: string;
  payload: Record<string, unknown>;
  update: OrderUpdate;
  orderId: string;
  orderTimestamp: string;
}

export class InvalidPostbackError extends Error {
  constructor(
    readonly reason: string,
    readonly orderId?: string,
  ) {
    super(reason);
  }
}

/** Ids may arrive as numbers in hand-made payloads; keep them as the digits given, never through a float. */
const idText = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : undefined;

/**
 * Parse a postback body as JSON whatever the Content-Type said (Kite sends form-urlencoded with a JSON body).
 * Rejects what cannot be a Kite order postback, with the reason.
 */
export function parsePostback(body: Buffer | string | undefined): ParsedPostback {
  const rawBody = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
  if (rawBody.trim() === '') throw new InvalidPostbackError('empty body');
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody);
  } catch {
    throw new InvalidPostbackError('body is not JSON');
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new InvalidPostbackError('body is JSON but not an object');
  }
  const object = payload as Record<string, unknown>;
  const orderId = idText(object.order_id);
  if (!orderId) throw new InvalidPostbackError('order_id is missing or not a string');
  if (typeof object.order_timestamp !== 'string' || object.order_timestamp === '') {
    throw new InvalidPostbackError('order_timestamp is missing or not a string', orderId);
  }
  if (typeof object.status !== 'string' || object.status === '') {
    throw new InvalidPostbackError('status is missing or not a string', orderId);
  }
  let update: OrderUpdate;
  try {
    // Quantities and prices must be numbers (or numeric strings): checked here, so a bad one is a 400, not a 500 later.
    update = toOrderUpdate(object);
  } catch (error) {
    if (error instanceof InvalidOrderUpdateError) throw new InvalidPostbackError(error.message, orderId);
    throw error;
  }
  return { rawBody, payload: object, update, orderId, orderTimestamp: object.order_timestamp };
}
