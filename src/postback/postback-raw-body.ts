import { BadRequestException, HttpException, Logger, PayloadTooLargeException } from '@nestjs/common';
import { raw } from 'express';
import type { Request, RequestHandler } from 'express';
import { errorText } from '../common/error-text';
import { InvalidPostbackError, ParsedPostback, parsePostback } from './postback.parser';

export type PostbackRequest = Request & { postback?: ParsedPostback };

/**
 * Reads the postback body as raw bytes whatever the Content-Type says (Kite labels it form-urlencoded but sends
 * JSON, and a urlencoded parser would mangle it) and parses it once into a ParsedPostback on `req.postback`, which
 * the checksum guard and the controller use. Must be mounted before any other body parser. Oversize bodies (413) and
 * bodies that cannot be a Kite postback (400) are logged here with the reason and surface through Nest's exception
 * layer like any other error.
 */
export function postbackRawBody(limit: string): RequestHandler {
  const logger = new Logger('PostbackIngress');
  const read = raw({ type: () => true, limit });
  return (req: PostbackRequest, res, next) =>
    read(req, res, (error?: unknown) => {
      if (error) {
        const status = (error as { status?: number }).status ?? 400;
        const reason = status === 413 ? `body over ${limit}` : errorText(error);
        logger.warn(`rejected postback (${status}): ${reason} from ${req.ip}`);
        return next(status === 413 ? new PayloadTooLargeException(`postback body over ${limit}`) : new HttpException(reason, status));
      }
      // Only the postback itself (POST to the path; req.url is relative to the mount point): the rest is Nest's 404.
      if (req.method !== 'POST' || (req.url !== '/' && !req.url.startsWith('/?'))) return next();
      try {
        req.postback = parsePostback(req.body as Buffer | undefined);
      } catch (parseError) {
        if (!(parseError instanceof InvalidPostbackError)) return next(parseError);
        const { orderId, reason } = parseError;
        logger.warn({ orderId, reason }, `rejected postback (400): ${reason}${orderId ? ` [order ${orderId}]` : ''} from ${req.ip}`);
        return next(new BadRequestException(`invalid postback: ${reason}`));
      }
      next();
    });
}
