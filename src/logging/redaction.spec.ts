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
