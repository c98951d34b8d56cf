import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigService } from '@nestjs/config';
import type { LegworkConfig } from './config/legwork.config';
import { PostbackMetrics } from './postback/postback-metrics';
import { postbackRawBody } from './postback/postback-raw-body';

/**
 * HTTP set-up shared by main.ts and the tests, so tests exercise exactly what runs in production.
 * The app must be created with { bodyParser: false }: the postback route needs its raw bytes before any parser.
 */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get<ConfigService<LegworkConfig, true>>(ConfigService);
  const postback = config.get('postback', { infer: true });
  // No ETag hashing of every JSON answer (nothing here is cached), no X-Powered-By banner.
  app.set('etag', false);
  app.disable('x-powered-by');
  app.use(postback.path, app.get(PostbackMetrics).track, postbackRawBody(postback.bodyLimit));
  app.useBodyParser('json', { limit: '1mb' });
  app.enableShutdownHooks();
  return app;
}
