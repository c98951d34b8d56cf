import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getToken } from '@willsoto/nestjs-prometheus';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { Counter } from 'prom-client';
import { WriteTransactions } from './database/write-transactions';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { loadEnvironment } from './config/environment-file';
import { ConfigValidationError, loadLegworkConfig, LegworkConfig } from './config/legwork.config';
import { installProcessErrorHandlers } from './logging/process-errors';
import { Metric } from './metrics/metrics';
import { PaperBroker, startPaperBroker } from './paper/paper-simulator';
import { installAckFaultHook } from './postback/ack-fault-hook';
import { Leadership } from './leadership/leadership';

const logger = new Logger('Bootstrap');

function validatedConfig(env: NodeJS.ProcessEnv): LegworkConfig {
  try {
    return loadLegworkConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      logger.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

async function bootstrap(): Promise<void> {
  const config = validatedConfig(loadEnvironment());

  // Paper mode: the simulator must be up before the engine builds its kiteconnect client against it.
  const paper: PaperBroker | null = config.paperSimulator ? await startPaperBroker(config, process.env) : null;
  const env = { ...process.env, ...paper?.env };

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(env), { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  const unhandled = app.get<Counter<string>>(getToken(Metric.UnhandledErrors));
  installProcessErrorHandlers((kind) => unhandled.inc({ kind }));
  installAckFaultHook(app, config.postback.path, process.env); // test-only; inert unless its variable is set
  configureApp(app);
  // A leader that lost its lease stops at once (it sends nothing after; the fence refuses its claims meanwhile): its
  // supervisor restarts it, and it comes back as a standby. Inbox entries it acknowledged are in the shared store.
  app.get(Leadership).onLost(() => {
    logger.error('leadership lost: exiting so this instance restarts as a standby');
    process.exit(75);
  });
  if (paper) process.once('beforeExit', () => void paper.stop());
  const { port, host } = config.http;
  await app.listen(port, host);

  const address = app.getHttpServer().address() as { port: number };
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  const local = `http://127.0.0.1:${address.port}`;
  paper?.connect(`${local}${config.postback.path}`);

  if (config.mode === 'live') {
    logger.warn('*** LIVE MODE: orders go to Zerodha Kite with real money. ***');
    logger.warn(`Kite API: ${config.kite.rootUrl}`);
  } else {
    logger.log(
      `PAPER MODE: orders go to ${paper ? `the built-in Kite simulator at ${paper.simulator.url}` : (config.kite.rootUrl ?? '(no Kite API configured)')}; nothing is real`,
    );
  }
  logger.log(`legwork is up in ${config.mode.toUpperCase()} mode`);
  logger.log(`postbacks:  POST ${url}${config.postback.path}`);
  logger.log(`health:     ${url}/health/ready   metrics: ${url}/metrics`);
  const durability = {
    wal: 'acknowledged writes fsynced',
    database: 'commits durable in the database',
    off: 'DATABASE_SYNCHRONOUS=NORMAL: survives a crash of the process, not a power cut',
  }[await app.get(WriteTransactions).durability()];
  logger.log(`trade log:  ${url}/trades   file: ${config.database.path} (${durability})`);
  if (paper) logger.log('try it:     npm run demo   (places an entry order and shows the chain in this terminal)');
}

void bootstrap();
