import { Injectable, Logger } from '@nestjs/common';
import { errorText } from '../common/error-text';
import { OnAnyOrderEvent } from '../events/on-any-order-event';
import type { AnyOrderEvent } from '../events/order.events';
import { isLegTag } from './leg-tag';
import { OrderGateway } from './order-gateway.service';

/**
 * Every order update legwork takes in — postback, WebSocket order stream, reconciliation, replay — is evidence for the
 * leg whose tag it carries: the order is linked to that leg whatever the leg's state (an unknown leg is settled, a
 * failed one whose order showed up after all is linked, a second order for one leg is caught). Listens to the domain
 * events, so ingress and order state know nothing of legs.
 */
@Injectable()
export class LegEvidenceListener {
  private readonly logger = new Logger('Legs');

  constructor(private readonly gateway: OrderGateway) {}

  @OnAnyOrderEvent()
  async onOrderEvent(event: AnyOrderEvent): Promise<void> {
    const { tag, orderId, status, variety } = event.order;
    if (!isLegTag(tag)) return;
    try {
      await this.gateway.observe([{ tag, orderId, status, variety }], 'order-update');
    } catch (error) {
      // Never in the way of event delivery; the next order book read links it too.
      this.logger.error(`order ${orderId} (tag ${tag}) not linked to its leg: ${errorText(error)}`);
    }
  }
}
