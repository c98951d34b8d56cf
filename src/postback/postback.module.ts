import { DynamicModule, Module } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { InboxModule } from '../inbox/inbox.module';
import { PostbackChecksumGuard } from './checksum.guard';
import { PostbackMetrics } from './postback-metrics';
import { PostbackController } from './postback.controller';
import { MetricsModule } from '../metrics/metrics.module';

/**
 * Ingress for Kite order postbacks: raw body and parse (400; postbackRawBody, mounted on the path by configureApp)
 * → checksum guard (403) → durable inbox → 200.
 */
@Module({
  imports: [MetricsModule, InboxModule],
  controllers: [PostbackController],
  providers: [PostbackChecksumGuard, PostbackMetrics],
})
export class PostbackModule {
  /** The route comes from validated config (POSTBACK_PATH), hence a dynamic module. */
  static forRoot(path: string): DynamicModule {
    return { module: PostbackModule, imports: [RouterModule.register([{ path, module: PostbackModule }])] };
  }
}
