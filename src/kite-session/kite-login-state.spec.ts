import { KiteLoginState, LOGIN_STATE_TTL_MS } from './kite-login-state';

describe('KiteLoginState', () => {
  let now = 1_800_000_000_000;
  const states = new KiteLoginState('0hdv7iw5examplesecret', () => now);

  it('accepts a state it issued, and every state is new', () => {
    const a = states.issue();
    expect(states.problem(a)).toBeNull();
    expect(states.issue()).not.toBe(a);
  });

  it('refuses a missing, made-up, tampered or foreign state', () => {
    const state = states.issue();
    const [v, at, nonce, signature] = state.split('.');
    expect(states.problem(undefined)).toMatch(/without the state/);
    expect(states.problem('')).toMatch(/without the state/);
    expect(states.problem('abc')).toMatch(/did not issue/);
    expect(states.problem([v, at, `${nonce.slice(0, -1)}x`, signature].join('.'))).toMatch(/did not issue/);
    expect(states.problem([v, (parseInt(at, 36) + 1).toString(36), nonce, signature].join('.'))).toMatch(/did not issue/);
    expect(new KiteLoginState('another-secret', () => now).problem(state)).toMatch(/did not issue/);
  });

  it('refuses a state older than the time a login may take', () => {
    const state = states.issue();
    now += LOGIN_STATE_TTL_MS;
    expect(states.problem(state)).toBeNull();
    now += 1;
    expect(states.problem(state)).toMatch(/expired/);
  });
});
