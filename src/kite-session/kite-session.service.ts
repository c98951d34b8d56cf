import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { KiteConnect } from 'kiteconnect';
import { MoreThan, Repository } from 'typeorm';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { WriteTransactions } from '../database/write-transactions';
import { KiteLoginState } from './kite-login-state';
import { KiteSession } from './kite-session.entity';
import { kiteTokenExpiry } from '../market/kite-token-expiry';

/** Published when a login produced a new access token; holders of Kite clients switch to it. */
export const KITE_SESSION_RENEWED = 'kite.session.renewed';
export interface KiteSessionRenewedEvent {
  accessToken: string;
  userId: string;
}

/**
 * Published when the session stops working: Kite answered TokenException, or the token reached its 06:00 IST expiry.
 * What runs against Kite on its own (the reconcile timer, the order stream) pauses until the next KITE_SESSION_RENEWED.
 */
export const KITE_SESSION_EXPIRED = 'kite.session.expired';
export interface KiteSessionExpiredEvent {
  reason: string;
}

export type SessionState = 'valid' | 'missing' | 'expired';

/** The login was refused by legwork itself (not by Kite): wrong state, or another Kite account. The callback answers 403. */
export class LoginRefusedError extends Error {}

/** setTimeout's longest delay (about 24.8 days); a token expiry is never that far, but a bad clock could make it so. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The Kite access token in use and the daily login that renews it. Tokens come from the last login stored in the
 * trade log (if still valid), else from KITE_ACCESS_TOKEN. A TokenException anywhere, or the stored token reaching
 * 06:00 IST, marks the session expired: the engine keeps accepting postbacks and says, loudly, that a login is needed.
 *
 * The login accepts only what it asked for: the callback must carry the `state` GET /kite/login issued (CSRF), and
 * the Kite user must be the expected one (KITE_USER_ID, else the first user that ever logged in, from the trade log).
 * Another account's request token never replaces the session.
 */
@Injectable()
export class KiteSessionService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('KiteSession');
  private token: string | undefined;
  private state: SessionState = 'missing';
  private reason = 'no access token configured';
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly loginStates: KiteLoginState;

  constructor(
    private readonly config: ConfigService<LegworkConfig, true>,
    @InjectRepository(KiteSession) private readonly sessions: Repository<KiteSession>,
    private readonly writes: WriteTransactions,
    private readonly bus: EventEmitter2,
  ) {
    this.loginStates = new KiteLoginState(config.get('kite', { infer: true }).apiSecret);
  }

  private loaded: Promise<void> | undefined;

  onModuleInit(): Promise<void> {
    return this.load();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.expiryTimer);
  }

  /** Read the current token (today's login, else KITE_ACCESS_TOKEN). Idempotent; the Kite client awaits it. */
  load(): Promise<void> {
    return (this.loaded ??= this.loadOnce());
  }

  private async loadOnce(): Promise<void> {
    const stored = await this.sessions.findOne({ where: { expiresAt: MoreThan(new Date()) }, order: { id: 'DESC' } });
    const fromEnv = this.config.get('kite.accessToken', { infer: true });
    this.token = stored?.accessToken ?? fromEnv;
    if (this.token) this.state = 'valid';
    if (stored) {
      this.logger.log(`using the access token from today's login (${stored.userId}, valid until ${stored.expiresAt.toISOString()})`);
      this.expireAt(stored.expiresAt);
    } else if (!fromEnv) {
      const last = await this.sessions.findOne({ where: {}, order: { id: 'DESC' } });
      if (last) this.reason = `the last login's token (${last.userId}) expired at ${last.expiresAt.toISOString()} (06:00 IST)`;
    }
  }

  get accessToken(): string | undefined {
    return this.token;
  }

  /** Whether Kite's API can be called now: an API is configured (key and root URL) and the session is valid. */
  canCallKite(): boolean {
    const { apiKey, rootUrl } = this.config.get('kite', { infer: true });
    return Boolean(apiKey && rootUrl && this.token && this.state === 'valid');
  }

  status(): { state: SessionState; reason?: string } {
    return this.state === 'valid' ? { state: 'valid' } : { state: this.state, reason: this.reason };
  }

  /**
   * Kite's login page for this app; the browser comes back to `callbackUrl` with a request_token and the `state`
   * issued here, which travels through Kite's login in `redirect_params` (Kite echoes those to the redirect URL).
   */
  loginUrl(callbackUrl: string): string {
    const { apiKey, loginUrl } = this.config.get('kite', { infer: true });
    if (!apiKey) throw new Error('KITE_API_KEY is not configured');
    const url = new URL(loginUrl);
    url.searchParams.set('v', '3');
    url.searchParams.set('api_key', apiKey);
    url.searchParams.set('redirect_params', new URLSearchParams({ state: this.loginStates.issue() }).toString());
    // Real Kite redirects to the URL registered for the app; the paper simulator takes it as a parameter.
    if (this.config.get('mode', { infer: true }) === 'paper') url.searchParams.set('redirect_url', callbackUrl);
    return url.toString();
  }

  /**
   * Exchange a request_token for an access token (generateSession), store it, and hand it to every client. Throws
   * LoginRefusedError (nothing changes) when the callback's `state` is not one issued here, or when the Kite user is
   * not the expected one.
   */
  async completeLogin(requestToken: string, state: string | undefined): Promise<{ userId: string; expiresAt: Date }> {
    const stateProblem = this.loginStates.problem(state);
    if (stateProblem) {
      this.logger.warn(`Kite login refused: ${stateProblem}`);
      throw new LoginRefusedError(`login refused: ${stateProblem}`);
    }
    const { apiKey, apiSecret, rootUrl } = this.config.get('kite', { infer: true });
    if (!apiKey) throw new Error('KITE_API_KEY is not configured');
    const kite = new KiteConnect({ api_key: apiKey, ...(rootUrl ? { root: rootUrl } : {}) });
    let session: Awaited<ReturnType<typeof kite.generateSession>>;
    try {
      session = await kite.generateSession(requestToken, apiSecret);
    } catch (error) {
      throw new Error(`Kite refused the login: ${errorText(error)}`);
    }
    const userId = String(session.user_id);
    const expiresAt = kiteTokenExpiry(new Date());
    const loginTime = typeof session.login_time === 'string' ? session.login_time : null;
    // The expected user is read and the session stored in one write transaction: two first logins cannot both win.
    const refusal = await this.writes.run(async (m) => {
      const expected = await this.expectedUser(m.getRepository(KiteSession));
      if (expected && userId.toUpperCase() !== expected.userId) {
        return `Kite user ${userId} is not the account this engine trades (${expected.userId}, ${expected.source}); the session was not changed. Log in with ${expected.userId}, or set KITE_USER_ID to change accounts`;
      }
      await m.insert(KiteSession, { userId, accessToken: session.access_token, loginTime, expiresAt });
      return null;
    });
    if (refusal) {
      this.logger.error(`Kite login refused: ${refusal}`);
      // That account's fresh session is of no use here: log it out at Kite rather than leave it valid until 06:00.
      await kite.invalidateAccessToken(session.access_token).catch((error: unknown) => {
        this.logger.warn(`could not log out the refused session of ${userId}: ${errorText(error)}`);
      });
      throw new LoginRefusedError(`login refused: ${refusal}`);
    }
    this.token = session.access_token;
    this.state = 'valid';
    this.expireAt(expiresAt);
    this.logger.log(`logged in to Kite as ${userId}; token valid until ${expiresAt.toISOString()}`);
    await this.bus.emitAsync(KITE_SESSION_RENEWED, { accessToken: session.access_token, userId } satisfies KiteSessionRenewedEvent);
    return { userId, expiresAt };
  }

  /** Called on a TokenException (and at the token's expiry): it no longer works until someone logs in again. */
  markExpired(reason: string): void {
    const wasValid = this.state === 'valid';
    if (this.state !== 'expired') {
      this.logger.error(`Kite session expired or invalid (${reason}). LOGIN NEEDED: open /kite/login. Postbacks are still accepted.`);
    }
    this.state = 'expired';
    this.reason = reason;
    clearTimeout(this.expiryTimer);
    if (wasValid) this.bus.emit(KITE_SESSION_EXPIRED, { reason } satisfies KiteSessionExpiredEvent);
  }

  /** KITE_USER_ID, else the first user that ever logged in here (the trade log remembers it across restarts). */
  private async expectedUser(sessions: Repository<KiteSession>): Promise<{ userId: string; source: string } | null> {
    const configured = this.config.get('kite', { infer: true }).userId;
    if (configured) return { userId: configured, source: 'KITE_USER_ID' };
    const first = await sessions.findOne({ where: {}, order: { id: 'ASC' } });
    return first ? { userId: first.userId.toUpperCase(), source: 'the first account that logged in, stored in the trade log' } : null;
  }

  /** Kite expires every token at 06:00 IST: mark the session expired then, rather than at the next failed call. */
  private expireAt(expiresAt: Date): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(
      () => this.markExpired(`the access token expired at ${expiresAt.toISOString()} (06:00 IST); Kite expires every token then`),
      Math.min(MAX_TIMER_MS, Math.max(0, expiresAt.getTime() - Date.now())),
    );
    this.expiryTimer.unref();
  }
}
