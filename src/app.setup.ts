import type { NestExpressApplication } from '@nestjs/platform-express';
import { mountPostbackIngress, PostbackIngress } from './postback/postback-ingress';

/**
 * HTTP set-up shared by main.ts and the tests, so tests exercise exactly what runs in production.
 * The app must be created with { bodyParser: false } (parsers are added here, for the other routes).
 * Postbacks are answered in front of express by PostbackIngress (raw bytes, no framework per-request cost).
 */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  mountPostbackIngress(app.getHttpServer(), app.get(PostbackIngress));
  app.useBodyParser('json', { limit: '1mb' });
  app.enableShutdownHooks();
  return app;
}
