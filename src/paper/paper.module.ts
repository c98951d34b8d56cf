import { Module } from '@nestjs/common';
import { PaperController } from './paper.controller';

/** HTTP helpers for paper mode (the demo). AppModule imports this only in paper mode with a simulator. */
@Module({ controllers: [PaperController] })
export class PaperModule {}
