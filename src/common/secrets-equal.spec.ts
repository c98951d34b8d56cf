import { secretsEqual } from './secrets-equal';

describe('secretsEqual', () => {
  it('is true only for the same secret', () => {
    expect(secretsEqual('rails-token-0123456789', 'rails-token-0123456789')).toBe(true);
    expect(secretsEqual('rails-token-0123456789', 'rails-token-0123456788')).toBe(false);
    expect(secretsEqual('rails-token-0123456789', 'RAILS-TOKEN-0123456789')).toBe(false);
  });

  it('compares secrets of different lengths without throwing', () => {
    expect(secretsEqual('rails-token-0123456789', 'rails-token')).toBe(false);
    expect(secretsEqual('rails-token-0123456789', '')).toBe(false);
  });

  it('compares the UTF-8 bytes', () => {
    expect(secretsEqual('jeton-sécurisé-₹₹₹', 'jeton-sécurisé-₹₹₹')).toBe(true);
    expect(secretsEqual('jeton-sécurisé-₹₹₹', 'jeton-securise-₹₹₹')).toBe(false);
  });
});
