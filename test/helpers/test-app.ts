import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerService, Provider } from '@nestjs/common';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { InboxProcessor } from '../../src/inbox/inbox.processor';
import { InboxService } from '../../src/inbox/inbox.service';
import { NotifierModule } from '../../src/notifier/notifier.module';
import { ExternalOrdersTracker } from '../../src/rails/external-orders.tracker';
import { OrderEventPublisher } from '../../src/orders/order-event.publisher';
import { SAMPLE_API_SECRET } from './postbacks';

export interface TestApp {
  app: NestExpressApplication;
  dataSource: DataSource;
  /** Wait until everything accepted so far has been processed, its events published and marked dispatched. */
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
  options: {
    listen?: boolean;
    providers?: Provider[];
    /** Change the engine before it is built (e.g. overrideProvider to hold the market clock or pause a service). */
    override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
    /** Receives the engine's log lines instead of the console (errors and warnings only by default). */
    logger?: LoggerService;
    /** Called with the engine's URL as soon as it listens, before the boot's work is waited for (e.g. to point postbacks at it). */
    listening?: (url: string) => unknown;
    /** Resolve only once the boot's work (reconcile, leg recovery, the first processing pass) is over. Default true. */
    waitForBoot?: boolean;
  } = {},
): Promise<TestApp> {
  // NotifierModule beside the engine: a test's own providers may watch the alerts (no module of ours is global).
  const builder = Test.createTestingModule({ imports: [AppModule.forRoot(env), NotifierModule], providers: options.providers ?? [] });
  const moduleRef = await (options.override?.(builder) ?? builder).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: options.logger ?? ['error', 'warn'] });
  configureApp(app);
  try {
    if (options.listen) {
      await app.listen(0, '127.0.0.1');
      await options.listening?.((await app.getUrl()).replace('[::1]', '127.0.0.1'));
    } else await app.init();
  } catch (error) {
    // An engine that refuses to start (e.g. a strategy breaking the contract at bootstrap) leaves nothing open.
    await app.close().catch(() => undefined);
    throw error;
  }
  const processor = app.get(InboxProcessor);
  // An app that does not listen still processes (the engine otherwise starts once it listens for postbacks).
  if (!options.listen) processor.start();
  // The boot's own work (reconcile, leg recovery, the first pass) is over before a test acts: what the test then does
  // to the simulator (a fault, a price) meets the engine it means, not a boot still in flight.
  if (options.waitForBoot ?? true) await processor.kick();
  const inbox = app.get(InboxService);
  const publisher = app.get(OrderEventPublisher);
  const tracker = app.get(ExternalOrdersTracker);
  return {
    app,
    dataSource: app.get(DataSource),
    settle: async () => {
      await inbox.whenFlushed();
      await processor.kick();
      await processor.idle();
      await publisher.idle();
      // First sights of external orders hold their events until written (ExternalOrdersTracker): written, then marked.
      await tracker.flushed();
      await new Promise((resolve) => setImmediate(resolve));
      await publisher.flushMarks();
    },
    close: () => app.close(),
  };
}
