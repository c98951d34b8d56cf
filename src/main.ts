import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { ConfigValidationError, LegworkConfig } from './config/legwork.config';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  if (existsSync('.env')) process.loadEnvFile('.env');

  let module;
  try {
    module = AppModule.forRoot(process.env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      logger.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const app = await NestFactory.create<NestExpressApplication>(module, { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  configureApp(app);
  const config = app.get<ConfigService<LegworkConfig, true>>(ConfigService);
  const { port, host } = config.get('http', { infer: true });
  await app.listen(port, host);

  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const mode = config.get('mode', { infer: true });
  logger.log(`legwork is up in ${mode.toUpperCase()} mode`);
  logger.log(`postbacks: POST ${url}${config.get('postback.path', { infer: true })}`);
  logger.log(`trade log: ${config.get('database.path', { infer: true })}`);
}

void bootstrap();
