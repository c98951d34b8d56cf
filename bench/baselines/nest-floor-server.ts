/**
 * The framework's own floor: the bare-node server's work (raw body, JSON.parse, checksum, one SQLite insert at
 * NORMAL) behind what legwork's ingress runs on — NestJS on @nestjs/platform-express, a middleware reading the raw
 * body, a guard checking the checksum, a controller answering {status:'ok'}. No inbox, no order state, no events.
 * What legwork can reach with this design: its ratio to bare-node is the ceiling for legwork's.
 */
import 'reflect-metadata';
import { CanActivate, Controller, ExecutionContext, ForbiddenException, HttpCode, Injectable, Module, Post, Req, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { raw } from 'express';
import type { Request } from 'express';
import { hexDigestsEqual, postbackChecksum } from '../../src/common/kite-checksum';
import { bareInbox } from './bare-inbox';

const [port, dbPath, secret] = [Number(process.env.PORT ?? 0), process.env.DB ?? ':memory:', process.env.SECRET ?? ''];
const store = bareInbox(dbPath, process.env.SYNCHRONOUS ?? 'NORMAL');

type PostbackRequest = Request & { rawText?: string; payload?: Record<string, unknown> };

@Injectable()
class ChecksumGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const body = context.switchToHttp().getRequest<PostbackRequest>().payload;
    if (!body || typeof body.checksum !== 'string') throw new ForbiddenException();
    if (!hexDigestsEqual(postbackChecksum(String(body.order_id), String(body.order_timestamp), secret), body.checksum)) throw new ForbiddenException();
    return true;
  }
}

@Controller('kite/postback')
class PostbackController {
  @Post()
  @HttpCode(200)
  @UseGuards(ChecksumGuard)
  receive(@Req() req: PostbackRequest): { status: 'ok' } {
    store(req.payload!, req.rawText!);
    return { status: 'ok' };
  }
}

@Module({ controllers: [PostbackController], providers: [ChecksumGuard] })
class FloorModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(FloorModule, { bodyParser: false, logger: ['error'] });
  app.set('etag', false);
  app.disable('x-powered-by');
  const read = raw({ type: () => true, limit: '64kb' });
  app.use('/kite/postback', (req: PostbackRequest, res: unknown, next: (e?: unknown) => void) =>
    read(req, res as never, (error?: unknown) => {
      if (error) return next(error);
      req.rawText = (req.body as Buffer).toString('utf8');
      try {
        req.payload = JSON.parse(req.rawText) as Record<string, unknown>;
      } catch (e) {
        return next(e);
      }
      next();
    }),
  );
  await app.listen(port, '127.0.0.1');
  console.log(`listening ${(app.getHttpServer().address() as { port: number }).port}`);
}
void main();
