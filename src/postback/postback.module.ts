import { DynamicModule, Module } from '@nestjs/common';
import { InboxModule } from '../inbox/inbox.module';
import { PostbackIngress } from './postback-ingress';
import { PostbackVerifier } from './postback-verifier';

/**
 * Ingress for Kite order postbacks: raw body (413) → parse (400) → checksum (403) → durable inbox → 200.
 * Served by PostbackIngress in front of express (configureApp mounts it on the HTTP server).
 */
@Module({
  imports: [InboxModule],
  providers: [PostbackVerifier, PostbackIngress],
  exports: [PostbackIngress],
})
export class PostbackModule {
  /** The route comes from validated config (POSTBACK_PATH); PostbackIngress reads it from there. */
  static forRoot(_path: string): DynamicModule {
    return { module: PostbackModule };
  }
}
