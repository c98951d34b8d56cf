import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { PostbackRequest } from './postback-raw-body';

/** Injects the ParsedPostback that postbackRawBody attached to the request. */
export const Postback = createParamDecorator((_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<PostbackRequest>().postback);
