import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { InboxService } from '../inbox/inbox.service';
import { PostbackChecksumGuard } from './checksum.guard';
import type { PostbackOutcomeRequest } from './postback-metrics';
import { Postback } from './postback.decorator';
import type { ParsedPostback } from './postback.parser';

/** Kite's order postbacks. Mounted at POSTBACK_PATH (default /kite/postback) by PostbackModule.forRoot. */
@Controller()
export class PostbackController {
  constructor(private readonly inbox: InboxService) {}

  /**
   * Verified → stored durably (committed and fdatasynced) → 200. The order state is applied in the same commit when
   * nothing older of the order waits; strategies run behind the answer.
   */
  @Post()
  @HttpCode(200)
  @UseGuards(PostbackChecksumGuard)
  async receive(@Postback() postback: ParsedPostback, @Req() req: PostbackOutcomeRequest): Promise<{ status: 'ok' }> {
    const { duplicate } = await this.inbox.accept(postback.rawBody, postback.payload, 'postback', postback.update);
    req.postbackOutcome = duplicate ? 'duplicate' : 'accepted';
    return { status: 'ok' };
  }
}
