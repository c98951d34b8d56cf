/** The order as it stands right after the transition an event describes. */
export interface OrderSnapshot {
  orderId: string;
  status: string;
  statusMessage: string | null;
  exchange: string | null;
  tradingsymbol: string | null;
  transactionType: string | null;
  orderType: string | null;
  product: string | null;
  variety: string | null;
  tag: string | null;
  quantity: number;
  filledQuantity: number;
  pendingQuantity: number;
  cancelledQuantity: number;
  price: number;
  triggerPrice: number;
  averagePrice: number;
  orderTimestamp: string | null;
  exchangeUpdateTimestamp: string | null;
}

/** Every field of the snapshot, in one order: the columns the stores read and write, the keys a snapshot is copied by. */
export const ORDER_SNAPSHOT_KEYS = [
  'orderId',
  'status',
  'statusMessage',
  'exchange',
  'tradingsymbol',
  'transactionType',
  'orderType',
  'product',
  'variety',
  'tag',
  'quantity',
  'filledQuantity',
  'pendingQuantity',
  'cancelledQuantity',
  'price',
  'triggerPrice',
  'averagePrice',
  'orderTimestamp',
  'exchangeUpdateTimestamp',
] as const satisfies ReadonlyArray<keyof OrderSnapshot>;

/** Where the update that caused an event came from (the inbox records it per entry). */
export type OrderEventSource = 'postback' | 'websocket' | 'reconcile' | 'replay';
