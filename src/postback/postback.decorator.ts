import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { PostbackRequest } from './postback-parse.middleware';

/** Injects the ParsedPostback that PostbackParseMiddleware attached to the request. */
export const Postback = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  context.switchToHttp().getRequest<PostbackRequest>().postback,
);
