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

/** Where the update that caused an event came from (the inbox records it per entry). */
export type OrderEventSource = 'postback' | 'websocket' | 'reconcile' | 'replay';
