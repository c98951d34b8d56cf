import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService } from '@nestjs/terminus';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { KITE_CLIENT, KiteClient, PAPER_WITHOUT_BROKER } from '../kite-session/kite-client.provider';
import { KiteSessionService } from '../kite-session/kite-session.service';

const TIMEOUT_MS = 3_000;

/**
 * Ready to trade needs Kite (or the paper simulator) answering and a valid access token: without them postbacks are
 * still stored, but no leg can be placed. One GET /user/profile per probe (shared by concurrent probes).
 */
@Injectable()
export class KiteReachableIndicator {
  private inFlight: Promise<unknown> | null = null;

  constructor(
    @Inject(KITE_CLIENT) private readonly kite: KiteClient,
    private readonly session: KiteSessionService,
    private readonly config: ConfigService<LegworkConfig, true>,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key = 'kite') {
    const indicator = this.indicators.check(key);
    const { apiKey, rootUrl } = this.config.get('kite', { infer: true });
    if (!apiKey || !rootUrl || rootUrl === PAPER_WITHOUT_BROKER) {
      // Paper mode with no broker at all: nothing to reach, and nothing can be placed either.
      return indicator.up({ broker: 'none', note: 'no Kite API configured; orders cannot be placed' });
    }
    const session = this.session.status();
    if (session.state !== 'valid') {
      return indicator.down({ token: session.state, error: `${session.reason ?? 'no access token'}; log in at /kite/login` });
    }
    try {
      this.inFlight ??= Promise.race([
        this.kite.getProfile(),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref()),
      ]).finally(() => (this.inFlight = null));
      await this.inFlight;
      return indicator.up({ token: 'valid', reachable: true });
    } catch (error) {
      return indicator.down({ token: this.session.status().state, reachable: false, error: errorText(error) });
    }
  }
}
