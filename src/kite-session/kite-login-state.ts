import { createHmac, randomBytes } from 'node:crypto';
import { secretsEqual } from '../common/secrets-equal';

/** How long a login started at GET /kite/login may take to come back to the callback. */
export const LOGIN_STATE_TTL_MS = 10 * 60_000;

/**
 * The `state` of the daily login (CSRF): GET /kite/login issues one and sends it through Kite's login in
 * `redirect_params`, which Kite echoes to the redirect URL; the callback accepts only a state this engine issued,
 * less than LOGIN_STATE_TTL_MS ago. It is signed (HMAC-SHA256 with a key derived from the api_secret), not stored: any
 * instance on the same secret can check it, and a restart between the two steps loses nothing.
 *
 *   state = v1.<issued at, base 36>.<random nonce>.<signature>
 */
export class KiteLoginState {
  private readonly key: Buffer;

  constructor(
    apiSecret: string,
    private readonly now: () => number = Date.now,
  ) {
    // Derived, so the api_secret itself signs nothing but what Kite asks it to.
    this.key = createHmac('sha256', apiSecret).update('legwork kite login state').digest();
  }

  issue(): string {
    const body = `v1.${this.now().toString(36)}.${randomBytes(16).toString('hex')}`;
    return `${body}.${this.sign(body)}`;
  }

  /** Why `state` is not acceptable, or null when it is one this engine issued and it has not expired. */
  problem(state: string | undefined): string | null {
    if (!state) return 'the login came back without the state GET /kite/login issued';
    const parts = state.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1') return 'the login came back with a state this engine did not issue';
    const body = parts.slice(0, 3).join('.');
    if (!secretsEqual(this.sign(body), parts[3])) return 'the login came back with a state this engine did not issue';
    const age = this.now() - parseInt(parts[1], 36);
    if (!(age >= 0 && age <= LOGIN_STATE_TTL_MS))
      return `the login state has expired (a login must come back within ${LOGIN_STATE_TTL_MS / 60_000} minutes); start again at /kite/login`;
    return null;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('hex');
  }
}
