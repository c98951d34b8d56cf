import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { hexDigestsEqual, postbackChecksum, postbackChecksumUserIdVariant } from '../common/kite-checksum';
import type { LegworkConfig } from '../config/legwork.config';
import type { ParsedPostback } from './postback.parser';

/**
 * Accepts a postback only if checksum == sha256_hex(order_id + order_timestamp + api_secret), Kite's documented
 * formula, over the strings exactly as received, compared in constant time. The order_id + user_id variant some
 * guides print is accepted only when KITE_CHECKSUM_ALLOW_USER_ID_VARIANT is on.
 */
@Injectable()
export class PostbackVerifier {
  private readonly apiSecret: string;
  private readonly allowUserIdVariant: boolean;

  constructor(config: ConfigService<LegworkConfig, true>) {
    this.apiSecret = config.get('kite.apiSecret', { infer: true });
    this.allowUserIdVariant = config.get('postback.allowUserIdChecksumVariant', { infer: true });
  }

  /** Why the postback must be refused (403), or null when its checksum is good. */
  rejection(postback: ParsedPostback): string | null {
    const received = postback.payload.checksum;
    if (typeof received !== 'string' || received === '') return 'no checksum';
    const { orderId, orderTimestamp } = postback;
    if (hexDigestsEqual(postbackChecksum(orderId, orderTimestamp, this.apiSecret), received.toLowerCase())) return null;
    const userId = postback.payload.user_id;
    if (
      this.allowUserIdVariant &&
      typeof userId === 'string' &&
      hexDigestsEqual(postbackChecksumUserIdVariant(orderId, userId, this.apiSecret), received.toLowerCase())
    ) {
      return null;
    }
    return 'checksum mismatch';
  }
}
