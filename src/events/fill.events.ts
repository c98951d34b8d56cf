/**
 * Fills the trade log had stored without a price (Kite reported them without a usable average price) were priced
 * from Kite's trades. Published by the fill pricer (src/reconcile/fill-pricer.service.ts) so that whatever depends
 * on realised P&L (the strategies' loss limits) looks again.
 */
export const FILLS_PRICED = 'fills.priced';

export interface FillsPricedEvent {
  fills: Array<{ fillId: number; orderId: string; quantity: number; price: number }>;
}
