import { BadRequestException, Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { InvalidPostbackError, ParsedPostback, parsePostback } from './postback.parser';

export type PostbackRequest = Request & { postback?: ParsedPostback };

/** Turns the raw postback bytes into a ParsedPostback, or answers 400 with the reason (logged). */
@Injectable()
export class PostbackParseMiddleware implements NestMiddleware {
  private readonly logger = new Logger('PostbackIngress');

  use(req: PostbackRequest, _res: Response, next: NextFunction): void {
    try {
      req.postback = parsePostback(req.body as Buffer | undefined);
      next();
    } catch (error) {
      if (!(error instanceof InvalidPostbackError)) throw error;
      this.logger.warn({ orderId: error.orderId, reason: error.reason }, `rejected postback (400): ${error.reason}${error.orderId ? ` [order ${error.orderId}]` : ''} from ${req.ip}`);
      throw new BadRequestException(`invalid postback: ${error.reason}`);
    }
  }
}
