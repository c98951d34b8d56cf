import { CanActivate, ExecutionContext, ForbiddenException, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { hexDigestsEqual, postbackChecksum, postbackChecksumUserIdVariant } from '../common/kite-checksum';
import type { LegworkConfig } from '../config/legwork.config';
import type { PostbackRequest } from './postback-raw-body';

/**
 * Accepts a postback only if checksum == sha256_hex(order_id + order_timestamp + api_secret), Kite's documented
 * formula, over the strings exactly as received, compared in constant time. The order_id + user_id variant some
 * guides print is accepted only when KITE_CHECKSUM_ALLOW_USER_ID_VARIANT is on.
 */
@Injectable()
export class PostbackChecksumGuard implements CanActivate {
  private readonly logger = new Logger('PostbackIngress');
  private readonly apiSecret: string;
  private readonly allowUserIdVariant: boolean;

  constructor(config: ConfigService<LegworkConfig, true>) {
    this.apiSecret = config.get('kite.apiSecret', { infer: true });
    this.allowUserIdVariant = config.get('postback.allowUserIdChecksumVariant', { infer: true });
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<PostbackRequest>();
    const postback = req.postback;
    if (!postback) throw new ForbiddenException('postback not verified');
    const received = postback.payload.checksum;
    if (typeof received !== 'string' || received === '') return this.reject(req, postback.orderId, 'no checksum');

    const { orderId, orderTimestamp } = postback;
    if (hexDigestsEqual(postbackChecksum(orderId, orderTimestamp, this.apiSecret), received.toLowerCase())) return true;
    const userId = postback.payload.user_id;
    if (
      this.allowUserIdVariant &&
      typeof userId === 'string' &&
      hexDigestsEqual(postbackChecksumUserIdVariant(orderId, userId, this.apiSecret), received.toLowerCase())
    ) {
      return true;
    }
    return this.reject(req, orderId, 'checksum mismatch');
  }

  private reject(req: PostbackRequest, orderId: string, reason: string): never {
    this.logger.warn({ orderId, reason }, `rejected postback (403): ${reason} [order ${orderId}] from ${req.ip}`);
    throw new ForbiddenException(`postback rejected: ${reason}`);
  }
}
