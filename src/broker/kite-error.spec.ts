import { classifyKiteError } from './kite-error';

/** The shapes kiteconnect 5.3.0 rejects (or resolves) with, as recorded against a loopback server. */
describe('classifyKiteError', () => {
  it.each([
    ['a JSON 429', { status: 'error', message: 'Too many requests', error_type: 'NetworkException', data: null }, 'rate-limited'],
    ['a bare 429', { message: 'Too Many Requests', error_type: 'NetworkException', data: null }, 'rate-limited'],
    ['a 502 from the OMS', { message: 'Request failed (kitetrade-oms).', error_type: 'NetworkException', data: null }, 'unclear'],
    ['the client timing out', { message: 'No response from server with error code: ECONNABORTED', error_type: 'NetworkException', data: null }, 'unclear'],
    ['a 400 without error_type', { message: 'Bad Request', error_type: 'NetworkException', data: null }, 'unclear'],
    ['a 200 that is not JSON', { message: 'Unknown content type (text/html) with response: (<html>)', error_type: 'DataException' }, 'unclear'],
    ['a 200 {"status":"error"} (resolved as undefined)', undefined, 'unclear'],
    [
      '"Order request timed out" even as an InputException',
      { message: 'Order request timed out. Please check the order book and confirm before placing again.', error_type: 'InputException' },
      'unclear',
    ],
    ['a margin refusal', { message: 'Insufficient funds', error_type: 'MarginException' }, 'refused'],
    ['an expired token', { message: 'Incorrect `api_key` or `access_token`.', error_type: 'TokenException' }, 'refused'],
  ])('%s → %s', (_, error, kind) => {
    expect(classifyKiteError(error).kind).toBe(kind);
  });
});
