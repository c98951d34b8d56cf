import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { InboxProcessor } from '../inbox/inbox.processor';
import { InboxService } from '../inbox/inbox.service';
import { PostbackChecksumGuard } from './checksum.guard';
import type { PostbackOutcomeRequest } from './postback-metrics';
import { Postback } from './postback.decorator';
import type { ParsedPostback } from './postback.parser';

/** Kite's order postbacks. Mounted at POSTBACK_PATH (default /kite/postback) by PostbackModule.forRoot. */
@Controller()
export class PostbackController {
  constructor(
    private readonly inbox: InboxService,
    private readonly processor: InboxProcessor,
  ) {}

  /** Verified → stored durably → 200. Processing and strategies run after the answer. */
  @Post()
  @HttpCode(200)
  @UseGuards(PostbackChecksumGuard)
  async receive(@Postback() postback: ParsedPostback, @Req() req: PostbackOutcomeRequest): Promise<{ status: 'ok' }> {
    const { duplicate } = await this.inbox.accept(postback.rawBody, postback.payload, 'postback');
    req.postbackOutcome = duplicate ? 'duplicate' : 'accepted';
    void this.processor.kick();
    return { status: 'ok' };
  }
}
