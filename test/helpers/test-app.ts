import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { InboxProcessor } from '../../src/inbox/inbox.processor';
import { SAMPLE_API_SECRET } from './postbacks';

export interface TestApp {
  app: NestExpressApplication;
  dataSource: DataSource;
  /** Wait until everything accepted so far has been processed and its events published. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** A temp directory holding a real SQLite trade log, removed by cleanup(). */
export function tempDir(prefix = 'legwork-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function testEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    LEGWORK_MODE: 'paper',
    KITE_API_SECRET: SAMPLE_API_SECRET,
    DATABASE_PATH: join(dir, 'legwork.sqlite'),
    STRATEGIES: 'none',
    KITE_WS_ORDER_UPDATES: 'false',
    ...extra,
  };
}

/** The whole engine as main.ts builds it, on a given environment; `listen` opens a real port on loopback. */
export async function createTestApp(
  env: Record<string, string>,
  options: { listen?: boolean; providers?: Provider[]; override?: (builder: TestingModuleBuilder) => TestingModuleBuilder } = {},
): Promise<TestApp> {
  const builder = Test.createTestingModule({ imports: [AppModule.forRoot(env)], providers: options.providers ?? [] });
  const moduleRef = await (options.override?.(builder) ?? builder).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: ['error', 'warn'] });
  configureApp(app);
  if (options.listen) await app.listen(0, '127.0.0.1');
  else await app.init();
  const processor = app.get(InboxProcessor);
  return {
    app,
    dataSource: app.get(DataSource),
    settle: async () => {
      await processor.kick();
      await processor.idle();
    },
    close: () => app.close(),
  };
}
