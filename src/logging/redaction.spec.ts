import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACTED_PATHS } from './logging.module';

describe('log redaction', () => {
  it('removes credentials from logged objects and request headers by configuration', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    logger.info({ session: { access_token: 'tok-123', user_id: 'AB1234' }, config: { apiSecret: 's3cret' } }, 'login');
    logger.info({ req: { headers: { authorization: 'token key:tok-123' } } }, 'request');
    const text = lines.join('');
    expect(text).not.toContain('tok-123');
    expect(text).not.toContain('s3cret');
    expect(text).toContain('AB1234');
    expect(text.match(/\[redacted\]/g)).toHaveLength(3);
  });
});

describe('log redaction covers every credential field, wherever a logged object puts it', () => {
  // pino's wildcard is one level deep: "*.token" misses { token } at the top and { a: { b: { token } } }.
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

  it.each(CREDENTIAL_FIELDS)('%s at the top, one level down and two levels down', (field) => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    logger.info({ [field]: 'Qx7secret0', orderId: '1' }, 'top');
    logger.info({ session: { [field]: 'Qx7secret1', user_id: 'AB1234' } }, 'one down');
    logger.info({ config: { kite: { [field]: 'Qx7secret2' } } }, 'two down');
    const text = lines.join('');
    expect(text).not.toMatch(/Qx7secret/);
    expect(text.match(/\[redacted\]/g)).toHaveLength(3);
    expect(text).toContain('AB1234'); // the rest of the object is kept
  });
});
