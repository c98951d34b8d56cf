import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { LegworkConfig } from '../config/legwork.config';

/** Fields that hold a credential, in Kite's, kiteconnect's and legwork's own spelling. */
const CREDENTIAL_FIELDS = [
  'api_secret',
  'apiSecret',
  'api_key',
  'apiKey',
  'access_token',
  'accessToken',
  'request_token',
  'refresh_token',
  'enctoken',
  'token',
  'botToken',
  'webhookSecret',
];

/**
 * Paths pino removes from every log line. Secrets are redacted by configuration here, never by hand at call sites:
 * credentials in headers and in any logged object (kiteconnect request params, session data, config). pino's `*` is
 * one level deep, so each field is listed at the top and one and two levels down.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-telegram-bot-api-secret-token"]',
  ...CREDENTIAL_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/**
 * Structured logs (pino): JSON lines for machines, pretty lines in a terminal. Context fields such as orderId,
 * chainId and strategy are passed as objects by the services and become JSON keys.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<LegworkConfig, true>) => {
        const { level, format } = config.get('logging', { infer: true });
        return {
          // No per-request logger on any route: nestjs-pino binds it with an AsyncLocalStorage per request, and the
          // first one turns on async_hooks for every promise of the process for good (measured: ~15 % of the CPU
          // of a postback). Access logs are off anyway; services log their own lines with the fields that matter.
          forRoutes: [],
          pinoHttp: {
            level,
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            autoLogging: false,
            quietReqLogger: true,
            transport:
              format === 'pretty'
                ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } }
                : undefined,
          },
        };
      },
    }),
  ],
})
export class LoggingModule {}
