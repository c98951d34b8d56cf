import { readFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { sqliteDataSourceOptions } from '../database/data-source.options';
import { ENTITIES } from '../entities';
import { InboxEntry, InboxSource } from '../inbox/inbox-entry.entity';
import { InboxProcessor } from '../inbox/inbox.processor';
import { InboxService } from '../inbox/inbox.service';

/** One line of an export: the body exactly as received, and when and how it came. */
export interface PostbackRecord {
  receivedAt: string;
  source: InboxSource;
  rawBody: string;
}

type Progress = (label: string, total: number) => { tick(n?: number): void; stop(): void };

/** Write every inbox entry received on `date` (UTC day) as JSON lines, oldest first. Returns the count. */
export async function exportPostbacks(dbPath: string, date: string, out: NodeJS.WritableStream, progress: Progress): Promise<number> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`--date must be yyyy-mm-dd, got "${date}"`);
  const dataSource = await new DataSource({ ...sqliteDataSourceOptions({ path: dbPath, synchronous: 'NORMAL' }, ENTITIES), migrationsRun: false }).initialize();
  try {
    const from = new Date(`${date}T00:00:00.000Z`);
    const to = new Date(from.getTime() + 86_400_000);
    const query = dataSource
      .getRepository(InboxEntry)
      .createQueryBuilder('e')
      .where('e.receivedAt >= :from AND e.receivedAt < :to', { from, to })
      .orderBy('e.id', 'ASC');
    const total = await query.getCount();
    const bar = progress('export', total);
    for (let offset = 0; offset < total; offset += 1000) {
      for (const entry of await query.clone().skip(offset).take(1000).getMany()) {
        const record: PostbackRecord = { receivedAt: entry.receivedAt.toISOString(), source: entry.source, rawBody: entry.rawBody };
        out.write(`${JSON.stringify(record)}\n`);
        bar.tick();
      }
    }
    bar.stop();
    return total;
  } finally {
    await dataSource.destroy();
  }
}

export function readPostbackLog(path: string): PostbackRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const record = JSON.parse(line) as PostbackRecord;
      if (typeof record.rawBody !== 'string') throw new Error(`${path}:${i + 1}: not a postback export line`);
      return record;
    });
}

/**
 * Feed recorded postbacks through the engine's real pipeline (inbox → order state → events) into a trade log,
 * with no HTTP server and no strategies, so the resulting orders and fills can be compared with the original day.
 */
export async function replayIntoDatabase(records: PostbackRecord[], dbPath: string, progress: Progress) {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...process.env, DATABASE_PATH: dbPath, STRATEGIES: 'none', LOG_LEVEL: 'warn' }), {
    logger: ['error', 'warn'],
  });
  try {
    const inbox = app.get(InboxService);
    const processor = app.get(InboxProcessor);
    const bar = progress('replay', records.length);
    let duplicates = 0;
    for (const record of records) {
      const { duplicate } = await inbox.accept(record.rawBody, JSON.parse(record.rawBody), 'replay');
      if (duplicate) duplicates++;
      bar.tick();
    }
    bar.stop();
    await processor.kick();
    await processor.idle();
    return { accepted: records.length - duplicates, duplicates };
  } finally {
    await app.close();
  }
}
