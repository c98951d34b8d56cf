import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { KiteConnect } from 'kiteconnect';
import { MoreThan, Repository } from 'typeorm';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { WriteTransactions } from '../database/write-transactions';
import { KiteSession } from './kite-session.entity';
import { kiteTokenExpiry } from './kite-token-expiry';

/** Published when a login produced a new access token; holders of Kite clients switch to it. */
export const KITE_SESSION_RENEWED = 'kite.session.renewed';
export interface KiteSessionRenewedEvent {
  accessToken: string;
  userId: string;
}

export type SessionState = 'valid' | 'missing' | 'expired';

/**
 * The Kite access token in use and the daily login that renews it. Tokens come from the last login stored in the
 * trade log (if still valid), else from KITE_ACCESS_TOKEN. A TokenException anywhere marks the session expired:
 * the engine keeps accepting postbacks and says, loudly, that a login is needed.
 */
@Injectable()
export class KiteSessionService implements OnModuleInit {
  private readonly logger = new Logger('KiteSession');
  private token: string | undefined;
  private state: SessionState = 'missing';
  private reason = 'no access token configured';

  constructor(
    private readonly config: ConfigService<LegworkConfig, true>,
    @InjectRepository(KiteSession) private readonly sessions: Repository<KiteSession>,
    private readonly writes: WriteTransactions,
    private readonly bus: EventEmitter2,
  ) {}

  private loaded: Promise<void> | undefined;

  onModuleInit(): Promise<void> {
    return this.load();
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
    if (stored) this.logger.log(`using the access token from today's login (${stored.userId}, valid until ${stored.expiresAt.toISOString()})`);
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

  /** Kite's login page for this app; the browser comes back to `callbackUrl` with a request_token. */
  loginUrl(callbackUrl: string): string {
    const { apiKey, loginUrl } = this.config.get('kite', { infer: true });
    if (!apiKey) throw new Error('KITE_API_KEY is not configured');
    const url = new URL(loginUrl);
    url.searchParams.set('v', '3');
    url.searchParams.set('api_key', apiKey);
    // Real Kite redirects to the URL registered for the app; the paper simulator takes it as a parameter.
    if (this.config.get('mode', { infer: true }) === 'paper') url.searchParams.set('redirect_url', callbackUrl);
    return url.toString();
  }

  /** Exchange a request_token for an access token (generateSession), store it, and hand it to every client. */
  async completeLogin(requestToken: string): Promise<{ userId: string; expiresAt: Date }> {
    const { apiKey, apiSecret, rootUrl } = this.config.get('kite', { infer: true });
    if (!apiKey) throw new Error('KITE_API_KEY is not configured');
    const kite = new KiteConnect({ api_key: apiKey, ...(rootUrl ? { root: rootUrl } : {}) });
    let session: Awaited<ReturnType<typeof kite.generateSession>>;
    try {
      session = await kite.generateSession(requestToken, apiSecret);
    } catch (error) {
      throw new Error(`Kite refused the login: ${errorText(error)}`);
    }
    const expiresAt = kiteTokenExpiry(new Date());
    const loginTime = typeof session.login_time === 'string' ? (session.login_time as string) : null;
    await this.writes.run((m) =>
      m.insert(KiteSession, { userId: session.user_id, accessToken: session.access_token, loginTime, expiresAt }),
    );
    this.token = session.access_token;
    this.state = 'valid';
    this.logger.log(`logged in to Kite as ${session.user_id}; token valid until ${expiresAt.toISOString()}`);
    await this.bus.emitAsync(KITE_SESSION_RENEWED, { accessToken: session.access_token, userId: session.user_id } satisfies KiteSessionRenewedEvent);
    return { userId: session.user_id, expiresAt };
  }

  /** Called on a TokenException: the token no longer works until someone logs in again. */
  markExpired(reason: string): void {
    if (this.state !== 'expired') {
      this.logger.error(`Kite session expired or invalid (${reason}). LOGIN NEEDED: open /kite/login. Postbacks are still accepted.`);
    }
    this.state = 'expired';
    this.reason = reason;
  }
}
