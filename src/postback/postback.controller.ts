import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { InboxProcessor } from '../inbox/inbox.processor';
import { InboxService } from '../inbox/inbox.service';
import { PostbackChecksumGuard } from './checksum.guard';
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
  async receive(@Postback() postback: ParsedPostback): Promise<{ status: 'ok' }> {
    await this.inbox.accept(postback.rawBody, postback.payload, 'postback');
    void this.processor.kick();
    return { status: 'ok' };
  }
}
