import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { InboxModule } from '../inbox/inbox.module';
import { PostbackChecksumGuard } from './checksum.guard';
import { PostbackParseMiddleware } from './postback-parse.middleware';
import { PostbackMetrics } from './postback-metrics';
import { PostbackController } from './postback.controller';

/** Ingress for Kite order postbacks: raw body → parse (400) → checksum guard (403) → durable inbox → 200. */
@Module({
  imports: [InboxModule],
  controllers: [PostbackController],
  providers: [PostbackChecksumGuard, PostbackMetrics],
})
export class PostbackModule implements NestModule {
  /** The route comes from validated config (POSTBACK_PATH), hence a dynamic module. */
  static forRoot(path: string): DynamicModule {
    return { module: PostbackModule, imports: [RouterModule.register([{ path, module: PostbackModule }])] };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(PostbackParseMiddleware).forRoutes(PostbackController);
  }
}
